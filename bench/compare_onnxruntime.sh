#!/usr/bin/env bash
# Times convscope against ONNX Runtime (the strongest CPU inference engine that installs here) on the same
# network, alternating so that both see the same machine: convscope, ORT with thread spinning, ORT without,
# convscope ... Before each run it waits for a quiet machine (other processes under half a core, read from
# /proc/stat), and prints every round and the ratio of ours to the faster ORT variant of the same round.
#
#   bench/compare_onnxruntime.sh [--rounds N] [--quiet-wait SECONDS] [convscope-cli bench options:
#                                --input-size 600 --stages 4|5 --include-top --threads 2 --reps 5]
#
# Needs a Release build (scripts/build.sh), Debian's python3-torch (to export the network with
# bench/export_onnx.py, opset 13) and Node.js with npm: ONNX Runtime's npm package onnxruntime-node is
# installed on first use into ${CONVSCOPE_PEERS:-~/.cache/convscope-peers}. A developer tool, not a test:
# convscope itself never needs Node.js or Python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/timing.sh"
cli="$root/build/app/convscope-cli"
peers="${CONVSCOPE_PEERS:-$HOME/.cache/convscope-peers}"
rounds=3 quiet_wait=120
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage_of "$0"; exit 0 ;;
    --rounds) rounds=$2; shift 2 ;;
    --quiet-wait) quiet_wait=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
require_built "$cli"
[[ " ${args[*]-} " == *" --threads "* ]] || args+=(--threads 2)
opt() {  # the value of bench option $1 in args, or $2
  local i
  for ((i = 0; i < ${#args[@]} - 1; i++)); do [ "${args[$i]}" = "$1" ] && { echo "${args[$((i + 1))]}"; return; }; done
  echo "$2"
}
size=$(opt --input-size 600) stages=$(opt --stages 4) threads=$(opt --threads 2) reps=$(opt --reps 5)
top=(); [[ " ${args[*]} " == *" --include-top "* ]] && top=(--include-top) && stages=5

if [ ! -d "$peers/node_modules/onnxruntime-node" ]; then
  echo "installing onnxruntime-node 1.30.0 into $peers (once)"
  mkdir -p "$peers"
  # The package's install script would download a GPU add-on, which fails offline; the CPU library is in the tarball.
  (cd "$peers" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --silent onnxruntime-node@1.30.0)
fi
model="$peers/models/seed-${size/,/x}-s$stages${top:+-top}"
if [ ! -f "$model/model.onnx" ]; then
  /usr/bin/python3 "$root/bench/export_onnx.py" --input-size "$size" --stages "$stages" "${top[@]}" --out "$model" 2>/dev/null
fi

# Waits until the other processes use under half a core over a 1 s look, at most quiet_wait seconds; prints the
# load it saw (in cores) so a round run on a busy machine can be recognised.
busy_cores() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  awk -v u="$(( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) ))" \
      -v t="$(( (b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[4]+a[5]+a[6]+a[7]) ))" \
      -v n="$(nproc)" 'BEGIN { printf "%.2f", (t > 0) ? n * u / t : 0 }'
}
wait_quiet() {
  local load deadline=$((SECONDS + quiet_wait))
  while :; do
    load=$(busy_cores)
    if awk -v l="$load" 'BEGIN { exit !(l < 0.5) }' || [ $SECONDS -ge $deadline ]; then echo "$load"; return; fi
  done
}
ort() { NODE_PATH="$peers/node_modules" node "$root/bench/ort_bench.cjs" "$model" --threads "$threads" --reps "$reps" --spin "$1"; }

echo "workload: seed ResNet50 stages 1-$stages${top:+ + top} at $size, $threads threads, $reps reps per run"
ours_all=() spin_all=() nospin_all=() ratio_all=()
for ((r = 1; r <= rounds; r++)); do
  l1=$(wait_quiet); ours=$("$cli" bench "${args[@]}" | median)
  l2=$(wait_quiet); spin=$(ort 1 | median)
  l3=$(wait_quiet); nospin=$(ort 0 | median)
  ratio=$(ratio "$ours" "$(faster "$spin" "$nospin")")
  echo "round $r: convscope $ours ms | ORT spinning $spin ms, not spinning $nospin ms | ratio to the faster $ratio" \
       "(other load before each run: $l1, $l2, $l3 cores)"
  ours_all+=("$ours") spin_all+=("$spin") nospin_all+=("$nospin") ratio_all+=("$ratio")
done
echo "median over rounds: convscope $(printf '%s\n' "${ours_all[@]}" | middle) ms, ORT spinning" \
     "$(printf '%s\n' "${spin_all[@]}" | middle) ms, not spinning $(printf '%s\n' "${nospin_all[@]}" | middle) ms," \
     "ratio $(printf '%s\n' "${ratio_all[@]}" | middle 3)"
