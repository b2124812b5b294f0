#!/bin/sh
# The GUI against the shared hostile files (shared/fuzz-reproducers beside the clone, or beside the folder
# holding it): each image, weights file and session must give the red error bar, and the state the
# program saves afterwards must be the state it had before (nothing half applied).
#   hostile_files.sh CONVSCOPE PNG_CHECK
# Exit 0 pass, 1 fail, 77 skipped (no xvfb-run, or no reproducers folder).
set -eu
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
convscope=$(abspath "$1")
png_check=$(abspath "$2")
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v xvfb-run >/dev/null 2>&1 || { echo "xvfb-run not found: skipping"; exit 77; }
reproducers=""
for candidate in "$root/../shared/fuzz-reproducers" "$root/../../shared/fuzz-reproducers"; do
    if [ -d "$candidate" ]; then reproducers=$(cd "$candidate" && pwd); break; fi
done
[ -n "$reproducers" ] || { echo "no shared/fuzz-reproducers folder beside the clone: skipping"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-gui-XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"
cd "$work"
run() {
    xvfb-run -a -s "-screen 0 1600x1000x24" "$convscope" --timeout 240 "$@"
}
red_bar() {  # FILE: the red error bar (ImGui child background 140,15,15) is in the bottom part
    "$png_check" "$1" --has-colour 140,15,15,12 --region 0,700,1600,300 >/dev/null
}
failures=0
# check NAME PANEL ARGS...: an error is shown and the saved state equals the one before
check() {
    name=$1
    panel=$2
    shift 2
    run "$@" --screenshot "$name.png" --save-session "$name.json" >"$name.log" 2>&1 || true
    if ! red_bar "$name.png"; then
        echo "FAIL $name: no error bar"; failures=$((failures + 1))
    elif ! cmp -s "before-$panel.json" "$name.json"; then
        echo "FAIL $name: the state changed"; diff "before-$panel.json" "$name.json" || true; failures=$((failures + 1))
    else
        echo "ok   $name"
    fi
}
# The network at 64 x 64 (a session sets it), so that each case costs seconds, not a 600 x 600 run.
net() {  # WEIGHTS: a session file for the network panel at 64 x 64 with these weights
    printf '{"convscope_session": 1, "panel": "network", "network": {"input_size": [64, 64], "weights": "%s"}}\n' "$1"
}
net "" >net.json
run --session net.json --frames 5 --save-session before-network.json >/dev/null 2>&1
run --panel playground --frames 5 --save-session before-playground.json >/dev/null 2>&1
for f in "$reproducers"/stb-*; do check "$(basename "$f")" playground --image "$f"; done
for f in "$reproducers"/hdf5-*; do
    net "$f" >"$(basename "$f").session.json"
    check "$(basename "$f")" network --session "$(basename "$f").session.json"
done
for f in "$reproducers"/session-*; do check "$(basename "$f")" playground --session "$f"; done
[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
