#!/usr/bin/env bash
# Times convscope and PyTorch on the same network, side by side, alternating so that both see the same
# machine: convscope, PyTorch (NCHW), PyTorch (channels_last), convscope ... and prints each round's medians
# and the ratio of ours to the faster PyTorch layout.
#
#   bench/compare.sh [--rounds N] [convscope-cli bench options: --input-size 600 --stages 4 --threads 2 ...]
#
# Needs a Release build (scripts/build.sh) and Debian's python3-torch. A developer tool, not a test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/timing.sh"
cli="$root/build/app/convscope-cli"
rounds=3
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage_of "$0"; exit 0 ;;
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
require_built "$cli"
[[ " ${args[*]-} " == *" --threads "* ]] || { args+=(--threads 2); torch_args+=(--threads 2); }

# PyTorch runs in both memory layouts each round; the faster one is the peer (oneDNN often prefers NHWC).
ours_all=() nchw_all=() nhwc_all=() ratio_all=()
for ((r = 1; r <= rounds; r++)); do
  ours=$("$cli" bench "${args[@]}" | median)
  nchw=$(/usr/bin/python3 "$root/bench/compare_pytorch.py" "${torch_args[@]}" | median)
  nhwc=$(/usr/bin/python3 "$root/bench/compare_pytorch.py" "${torch_args[@]}" --channels-last | median)
  ratio=$(ratio "$ours" "$(faster "$nchw" "$nhwc")")
  echo "round $r: convscope $ours ms | PyTorch NCHW $nchw ms, channels_last $nhwc ms | ratio to the faster $ratio"
  ours_all+=("$ours") nchw_all+=("$nchw") nhwc_all+=("$nhwc") ratio_all+=("$ratio")
done
echo "median over rounds: convscope $(printf '%s\n' "${ours_all[@]}" | middle) ms, PyTorch NCHW $(printf '%s\n' "${nchw_all[@]}" | middle) ms, channels_last $(printf '%s\n' "${nhwc_all[@]}" | middle) ms, ratio $(printf '%s\n' "${ratio_all[@]}" | middle 3)"
