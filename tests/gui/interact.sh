#!/bin/sh
# convscope driven like a user, with xdotool under Xvfb: mouse drags, double-clicks, typing, hovering.
#   interact.sh CONVSCOPE CASE
# CASE: splitter | typed-number | tab-tooltip | one-column
# Widgets are found in the program's own layout report (--layout-report), written when it quits.
# Exit 0 pass, 1 fail, 77 skipped (no Xvfb or xdotool).
set -eu
if [ -z "${CONVSCOPE_IN_XVFB:-}" ]; then
    command -v xvfb-run >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1 || { echo "no xvfb-run or xdotool: skipping"; exit 77; }
    CONVSCOPE_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x720x24" sh "$0" "$@"
fi
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
convscope=$(abspath "$1")
case_name=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-interact-XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$work/config/convscope"
printf 'window_width=1280\nwindow_height=720\nleft_fraction=0.4\n' > "$work/config/convscope/settings.ini"
cd "$work"

start() {  # ARGS...: start convscope and wait until its window is there and drawn
    "$convscope" --layout-report layout.txt "$@" &
    pid=$!
    wid=$(xdotool search --sync --name "^convscope" | head -1)
    sleep 2
    xdotool windowfocus --sync "$wid"  # no window manager gives it the keyboard
    sleep 1
}
quit() {  # as a session manager closes it (SIGTERM); it writes the layout report and the settings
    kill -TERM "$pid"
    wait "$pid" || { echo "convscope failed"; exit 1; }
    pid=""
}
centre_of() {  # KIND TEXT-PREFIX: "x y" of the first reported widget of that kind whose text starts so
    awk -F'\t' -v k="$1" -v t="$2" '$1 == "item" && $3 == k && $6 == 1 && index($7, t) == 1 {
        split($4, r, " "); printf "%d %d\n", (r[1] + r[3]) / 2, (r[2] + r[4]) / 2; exit }' "$3"
}
press() {  # KEYS: held for a moment, as a person does (ImGui 1.86 misses a press and release in one frame)
    xdotool keydown "$1"
    sleep 0.15
    xdotool keyup "$1"
    sleep 0.3
}
setting() { sed -n "s/^$1=//p" config/convscope/settings.ini; }
filters_in() { sed -n 's/.*"filters": *\([0-9]*\).*/\1/p' "$1" | head -1; }

case "$case_name" in
splitter)
    # Drag the boundary between the controls and the maps 200 pixels to the right.
    start --panel playground
    quit
    x=$(awk -F'\t' '$1 == "window" && $2 == "Controls" { split($3, r, " "); print int(r[3]); exit }' layout.txt)
    [ -n "$x" ] || { echo "no Controls window in the report"; cat layout.txt; exit 1; }
    start --panel playground
    xdotool mousemove "$x" 400
    sleep 0.5
    xdotool mousedown 1
    for dx in 20 40 80 120 160 200; do xdotool mousemove $((x + dx)) 400; sleep 0.2; done
    xdotool mouseup 1
    sleep 0.5
    quit
    x2=$(awk -F'\t' '$1 == "window" && $2 == "Controls" { split($3, r, " "); print int(r[3]); exit }' layout.txt)
    echo "controls' right edge: $x -> $x2, left_fraction $(setting left_fraction)"
    [ "$x2" -ge $((x + 150)) ] || { echo "the splitter did not move"; exit 1; }
    ;;
typed-number)
    # Double-click the playground's filters field, type 15: nothing applies until Enter.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
      "playground": {"input_size": [120, 120], "filters": 16}}' > a.json
    start --session a.json
    quit
    xy=$(centre_of widget "filters: how many" layout.txt)
    [ -n "$xy" ] || { echo "no filters field in the report"; cat layout.txt; exit 1; }
    start --session a.json
    rm a.json  # Ctrl+S writes it again: proof that the saves below happen
    set -- $xy
    xdotool mousemove "$1" "$2"
    sleep 0.3
    xdotool click --repeat 2 --delay 150 1
    sleep 0.5
    press ctrl+s  # File > Save session: what the program uses now
    sleep 0.5
    [ "$(filters_in a.json)" = 16 ] || { echo "a double-click changed filters to $(filters_in a.json)"; exit 1; }
    press ctrl+a
    xdotool type --delay 150 "15"
    sleep 0.5
    press ctrl+s
    sleep 0.5
    [ "$(filters_in a.json)" = 16 ] || { echo "typing applied filters=$(filters_in a.json) before Enter"; exit 1; }
    press Return
    sleep 0.5
    press ctrl+s
    sleep 0.5
    [ "$(filters_in a.json)" = 15 ] || { echo "Enter did not apply 15: $(filters_in a.json)"; exit 1; }
    # Leaving the field applies too: type 21, then click on empty space.
    xdotool mousemove "$1" "$2"
    xdotool click --repeat 2 --delay 150 1
    sleep 0.3
    press ctrl+a
    xdotool type --delay 150 "21"
    xdotool mousemove 5 700 click 1
    sleep 0.5
    press ctrl+s
    sleep 0.5
    [ "$(filters_in a.json)" = 21 ] || { echo "leaving the field did not apply 21: $(filters_in a.json)"; exit 1; }
    quit
    ;;
tab-tooltip)
    # Hovering a widget in the playground shows that widget's tooltip only, not the tab's as well.
    start --panel playground
    quit
    xy=$(centre_of widget "filters: how many" layout.txt)
    start --panel playground
    set -- $xy
    xdotool mousemove "$1" "$2"
    sleep 1
    xdotool mousemove $(($1 + 1)) "$2"
    sleep 1
    quit
    grep '	tooltip	' layout.txt || true
    grep -q '	tooltip	.*filters: how many' layout.txt || { echo "no filters tooltip"; exit 1; }
    if grep -q '	tooltip	.*One Keras Conv2D' layout.txt; then echo "the tab's tooltip shows over the panel"; exit 1; fi
    ;;
one-column)
    # A 1280 x 720 projector at 300 %: one column fills the window; the menu bar's "Feature maps" and F6 switch.
    window_of() {  # NAME: "x1 y1 x2 y2" of that window in the report, empty when it was not drawn
        awk -F'\t' -v n="$1" '$1 == "window" && $2 == n { print $3; exit }' layout.txt
    }
    start --panel network --ui-scale 3
    quit
    [ -n "$(window_of Controls)" ] && [ -z "$(window_of 'Feature maps')" ] ||
        { echo "at 300 % the controls should fill the window alone"; grep '^window' layout.txt; exit 1; }
    xy=$(centre_of menu "Feature maps" layout.txt)
    [ -n "$xy" ] || { echo "no 'Feature maps' in the menu bar"; cat layout.txt; exit 1; }
    start --panel network --ui-scale 3
    set -- $xy
    xdotool mousemove "$1" "$2"
    sleep 0.3
    xdotool click 1
    sleep 1
    quit
    set -- $(window_of 'Feature maps')
    [ "${3:-0}" -eq 1280 ] && [ -z "$(window_of Controls)" ] ||
        { echo "clicking 'Feature maps' did not give the maps the window"; grep '^window' layout.txt; exit 1; }
    start --panel network --ui-scale 3 --column maps
    press F6
    sleep 0.5
    quit
    [ -n "$(window_of Inspector)" ] && [ -z "$(window_of 'Feature maps')" ] ||
        { echo "F6 did not go from the maps to the inspector"; grep '^window' layout.txt; exit 1; }
    # The same window at 200 % has room for both columns.
    start --panel network --ui-scale 2
    quit
    [ -n "$(window_of Controls)" ] && [ -n "$(window_of 'Feature maps')" ] ||
        { echo "at 200 % controls and maps should be side by side"; grep '^window' layout.txt; exit 1; }
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "ok: $case_name"
