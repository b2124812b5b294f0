# Reading and summarising timings: sourced by bench/compare.sh, bench/compare_onnxruntime.sh and
# bench/gui_vs_bench.sh.

# The figure of a "median: 12.3 ms ..." line on stdin (convscope-cli bench and the peers' scripts print it).
# When there is none (a bench option it did not take, a peer that failed) it shows what the run printed and
# fails: a round without a figure must stop the script, not print a ratio of 0.
median() {
  local out figure
  out=$(cat)
  figure=$(sed -n 's/^median: \([0-9.]*\) ms.*/\1/p' <<< "$out")
  figure=${figure%%$'\n'*}
  if [ -z "$figure" ]; then
    printf '%s\n' "$out" >&2
    echo "error: that run printed no 'median: ... ms' line" >&2
    return 1
  fi
  echo "$figure"
}

# Prints the comment block at the top of script $1 (its usage), without the '#!' line and the leading '# '.
usage_of() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$1"; }

# Exits with a clear error unless every program named is built.
require_built() {
  local exe
  for exe in "$@"; do
    [ -x "$exe" ] || { echo "error: $exe is missing: build first (scripts/build.sh)" >&2; exit 2; }
  done
}

middle() {  # [DECIMALS]: the median of the numbers on stdin, with DECIMALS (default 1) after the point
  sort -n | awk -v d="${1:-1}" '{ a[NR] = $1 } END { printf "%." d "f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

faster() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'; }  # A B: the smaller time

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }  # A B: A / B
