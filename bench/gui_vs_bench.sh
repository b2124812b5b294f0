#!/usr/bin/env bash
# The GUI's own network run against `convscope-cli bench`, alternating so both see the same machine.
#
#   bench/gui_vs_bench.sh [--rounds N] [--build DIR]
#
# Each round runs, at 600 x 600 on the bundled chelsea picture's size:
#   bench         convscope-cli bench --input-size 600 --threads 2 --reps 5 --sample chelsea   (its median)
#   GUI hidden    convscope --panel network --hidden --frame-stats           (its first network run; the window
#                 never drawn)
#   GUI visible   the same GUI run with the window drawn by Mesa's software renderer under Xvfb, as a user sees it
# and prints each figure and the ratios of both GUI runs to bench; then the medians over the rounds. The GUI's
# figure is the engine's run as --frame-stats reports it; the preparation before it (kernels packed, output memory
# touched: bench makes it too, before timing) is printed beside it. The window drawn costs the run nothing
# while the user does not act: results that arrive during a run wait for the twice-a-second progress frame
# (app/gui/main.cpp), so both GUI figures are held to the same target.
# Needs xvfb-run (Debian's xvfb). Run from the repository's root after scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/timing.sh

rounds=3
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    *) echo "usage: bench/gui_vs_bench.sh [--rounds N] [--build DIR]" >&2; exit 2 ;;
  esac
done
cli="$build/app/convscope-cli"
gui="$build/app/gui/convscope"
require_built "$cli" "$gui"

# A home of its own, so the user's settings and weights cache do not change what runs.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/.config/convscope"
printf 'window_width=1280\nwindow_height=720\n' > "$home/.config/convscope/settings.ini"

gui_run() {  # [--hidden]: prints "RUN PREPARE" of the first network run
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" \
    xvfb-run -a -s "-screen 0 1280x720x24" "$gui" --sample chelsea --panel network --frame-stats \
    --timeout 120 "$@" 2>/dev/null |
    sed -n 's/^network run: \([0-9.]*\) ms (after \([0-9.]*\) ms of preparation).*/\1 \2/p' | head -1
}

all_b=() all_gh=() all_gv=() ratios_h=() ratios_v=()
printf '%-6s %12s %16s %10s %16s %10s\n' round "bench" "GUI hidden" ratio "GUI visible" ratio
for ((r = 1; r <= rounds; r++)); do
  b=$("$cli" bench --input-size 600 --threads 2 --reps 5 --sample chelsea | median)
  read -r gh gh_prep < <(gui_run --hidden)
  read -r gv gv_prep < <(gui_run --screenshot "$home/shot.png")
  all_b+=("$b") all_gh+=("$gh") all_gv+=("$gv")
  ratios_h+=("$(ratio "$gh" "$b")") ratios_v+=("$(ratio "$gv" "$b")")
  printf '%-6s %10s ms %8s ms (+%s) %10s %8s ms (+%s) %10s\n' "$r" "$b" "$gh" "$gh_prep" "$(ratio "$gh" "$b")" \
    "$gv" "$gv_prep" "$(ratio "$gv" "$b")"
done
m_b=$(printf '%s\n' "${all_b[@]}" | middle 2)
m_gh=$(printf '%s\n' "${all_gh[@]}" | middle 2)
m_gv=$(printf '%s\n' "${all_gv[@]}" | middle 2)
echo "medians: GUI hidden $m_gh ms, GUI visible $m_gv ms, bench (2 threads) $m_b ms:" \
  "hidden / bench $(ratio "$m_gh" "$m_b"), visible / bench $(ratio "$m_gv" "$m_b") (target <= 1.1)"
# Each round's figures saw the same minute of this machine: the median of the rounds' ratios is the paired
# figure, less moved by a busy spell than the ratio of the medians.
echo "median of the rounds' ratios: GUI hidden / bench $(printf '%s\n' "${ratios_h[@]}" | middle 3)," \
  "GUI visible / bench $(printf '%s\n' "${ratios_v[@]}" | middle 3)"
