# Reading and summarising timings: sourced by bench/compare.sh and bench/compare_onnxruntime.sh.

# The figure of a "median: 12.3 ms ..." line on stdin (convscope-cli bench and the peers' scripts print it).
median() { sed -n 's/^median: \([0-9.]*\) ms.*/\1/p'; }

middle() {  # [DECIMALS]: the median of the numbers on stdin, with DECIMALS (default 1) after the point
  sort -n | awk -v d="${1:-1}" '{ a[NR] = $1 } END { printf "%." d "f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

faster() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'; }  # A B: the smaller time

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }  # A B: A / B
