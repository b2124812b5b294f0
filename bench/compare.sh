#!/usr/bin/env bash
# Times convscope and PyTorch on the same network, side by side, alternating so that both see the same
# machine: convscope, PyTorch, convscope, PyTorch ... and prints each round's medians and their ratio.
#
#   bench/compare.sh [--rounds N] [convscope-cli bench options: --input-size 600 --stages 4 --threads 2 ...]
#
# Needs a Release build (scripts/build.sh) and Debian's python3-torch. A developer tool, not a test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/build/app/convscope-cli"
rounds=3
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
# PyTorch takes the same workload options; it has no --per-node/--keep/--reference.
torch_args=()
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --input-size|--stages|--threads|--reps|--warmup) torch_args+=("${args[$i]}" "${args[$((i + 1))]}"); i=$((i + 1)) ;;
    --include-top) torch_args+=("--include-top") ;;
  esac
done
[[ " ${args[*]-} " == *" --threads "* ]] || { args+=(--threads 2); torch_args+=(--threads 2); }

median() { sed -n 's/^median: \([0-9.]*\) ms.*/\1/p'; }
ours_all=() theirs_all=()
for ((r = 1; r <= rounds; r++)); do
  ours=$("$cli" bench "${args[@]}" | median)
  theirs=$(/usr/bin/python3 "$root/bench/compare_pytorch.py" "${torch_args[@]}" | median)
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
  echo "round $r: convscope median $ours ms, PyTorch median $theirs ms, ratio $ratio"
  ours_all+=("$ours") theirs_all+=("$theirs")
done
printf '%s\n' "${ours_all[@]}" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "convscope: median of round medians %.1f ms\n", m }'
printf '%s\n' "${theirs_all[@]}" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "PyTorch:   median of round medians %.1f ms\n", m }'
