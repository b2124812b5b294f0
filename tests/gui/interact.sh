#!/bin/sh
# convscope driven like a user, with xdotool under Xvfb: mouse drags, double-clicks, typing, hovering.
#   interact.sh CONVSCOPE CASE [MAKE_TEST_WEIGHTS]
# CASE: splitter | typed-number | tab-tooltip | one-column | get-weights (needs MAKE_TEST_WEIGHTS) | cam | steps | quiz |
#       compare | fast-keys | sticky-header
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
make_weights=${3:+$(abspath "$3")}

work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-interact-XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"
# The weights caches are this test's own: nothing of the user's is found, nothing lands in their cache.
export XDG_CACHE_HOME="$work/cache" KERAS_HOME="$work/keras"
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
centre_in() {  # WINDOW KIND TEXT-PREFIX FILE: the same, among that window's widgets only
    awk -F'\t' -v w="$1" -v k="$2" -v t="$3" '$1 == "item" && $2 == w && $3 == k && $6 == 1 && index($7, t) == 1 {
        split($4, r, " "); printf "%d %d\n", (r[1] + r[3]) / 2, (r[2] + r[4]) / 2; exit }' "$4"
}
press() {  # KEYS: held for a moment, as a person does (ImGui 1.86 misses a press and release in one frame)
    xdotool keydown "$1"
    sleep 0.15
    xdotool keyup "$1"
    sleep 0.3
}
click_at() {  # X Y: move there, then press and release the left button a moment apart (as press() does keys)
    xdotool mousemove "$1" "$2"
    sleep 0.3
    xdotool mousedown 1
    sleep 0.15
    xdotool mouseup 1
    sleep 0.3
}
setting() { sed -n "s/^$1=//p" config/convscope/settings.ini; }
# find_filters_field ARGS...: start with ARGS, quit, and set xy to the playground's filters field's centre (the
# first run of a case that clicks or types there: the report says where it is at this size)
find_filters_field() {
    start "$@"
    quit
    xy=$(centre_of widget "filters: how many" layout.txt)
    [ -n "$xy" ] || { echo "no filters field in the report"; exit 1; }
}
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
    # Held still until a frame has seen the press on the grip (a few pixels wide): a frame drawn after the first
    # move would find the button down beside the grip and start no drag. Frames under the software renderer take
    # longer when another test runs beside this one (CI on a slower machine: the 0.2 s the first move came after
    # was not enough).
    sleep 1
    for dx in 20 40 80 120 160 200; do xdotool mousemove $((x + dx)) 400; sleep 0.2; done
    sleep 0.5
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
    find_filters_field --session a.json
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
    # Out of range: 0 filters is applied as 1, and the field says so with the allowed range.
    xdotool mousemove "$1" "$2"
    xdotool click --repeat 2 --delay 150 1
    sleep 0.3
    press ctrl+a
    xdotool type --delay 150 "0"
    press Return
    press ctrl+s
    sleep 0.5
    quit
    [ "$(filters_in a.json)" = 1 ] || { echo "0 filters was not limited to 1: $(filters_in a.json)"; exit 1; }
    grep -q "	label	.*	filters: 0 is outside the allowed 1 to 256, so 1 is used$" layout.txt ||
        { echo "no note that 0 filters was limited to 1"; grep label layout.txt | head -30; exit 1; }
    ;;
tab-tooltip)
    # Hovering a widget in the playground shows that widget's tooltip only, not the tab's as well.
    find_filters_field --panel playground
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
get-weights)
    # File > Get ImageNet weights from a lab's mirror, with the keyboard alone: Ctrl+G, the URL, Tab, the md5,
    # Enter. The file lands in convscope's cache and is in use; a mirror that is not there is one message.
    [ -n "$make_weights" ] || { echo "needs make_test_weights"; exit 2; }
    mkdir -p mirror
    "$make_weights" mirror/lab_resnet50.h5 7
    md5=$(md5sum mirror/lab_resnet50.h5 | cut -d' ' -f1)
    start --panel network
    press ctrl+g
    sleep 0.5
    xdotool type --delay 40 "file://$work/mirror/lab_resnet50.h5"
    press Tab
    xdotool type --delay 40 "$md5"
    press Return
    for i in $(seq 1 60); do [ -f cache/convscope/lab_resnet50.h5 ] && break; sleep 0.5; done
    sleep 2
    press ctrl+s  # File > Save session: the weights in use
    sleep 0.5
    quit
    [ "$(md5sum cache/convscope/lab_resnet50.h5 | cut -d' ' -f1)" = "$md5" ] || { echo "no verified file in the cache"; ls -la cache/convscope || true; exit 1; }
    [ ! -e cache/convscope/lab_resnet50.h5.part ] || { echo "a .part file was left"; exit 1; }
    grep -q "\"weights\": \"$work/cache/convscope/lab_resnet50.h5\"" convscope-session.json ||
        { echo "the downloaded file is not in use"; cat convscope-session.json; exit 1; }
    grep -q 'verified' layout.txt || { echo "no result line"; grep label layout.txt | head -40; exit 1; }
    # Nothing listens on port 9: a one-line message naming the URL, and nothing in the cache.
    start --panel network
    press ctrl+g
    sleep 0.5
    xdotool type --delay 40 "http://127.0.0.1:9/other.h5"
    press Tab
    xdotool type --delay 40 "$md5"
    press Return
    sleep 4
    quit
    grep -q '127.0.0.1:9' layout.txt || { echo "no message about the unreachable mirror"; grep label layout.txt | head -40; exit 1; }
    [ ! -e cache/convscope/other.h5 ] && [ ! -e cache/convscope/other.h5.part ] || { echo "an unverified file was left"; exit 1; }
    ;;
cam)
    # V opens "What the network sees" on the class activation map. Clicking the second class shows its map;
    # typing "tabby" and Enter shows the first match's (class 281); hovering the map shows a cell's sum; Export
    # writes the PNG and the raw map.
    printf '%s\n' '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
      "network": {"input_size": [160, 160], "last_stage": 5, "include_top": true, "seed": 1}}' > top.json
    start --session top.json
    press v
    sleep 2
    quit
    mv layout.txt first.txt
    sees="What the network sees"
    shown() { awk -F'\t' '$1 == "item" && $3 == "label" && $7 ~ /\(class [0-9]+\)/ { sub(/.*\(class /, "", $7); sub(/\).*/, "", $7); print $7; exit }' "$1"; }
    top1=$(shown first.txt)
    second=$(awk -F'\t' -v w="$sees" '$1 == "item" && $2 == w && $3 == "label" && $7 ~ / %$/ { n++; if (n == 2) { print $7; exit } }' first.txt)
    [ -n "$top1" ] && [ -n "$second" ] || { echo "V did not show the map and the top classes"; cat first.txt; exit 1; }
    start --session top.json  # the window stays open (settings)
    click_at $(centre_in "$sees" label "$second" first.txt)
    sleep 1.5
    quit
    mv layout.txt second.txt
    [ "$(shown second.txt)" != "$top1" ] || { echo "clicking \"$second\" did not change the class from $top1"; exit 1; }
    start --session top.json
    click_at $(centre_in "$sees" widget "other class" second.txt)
    xdotool type --delay 60 "tabby"
    press Return
    sleep 1.5
    click_at $(centre_in "$sees" button "Export PNG" second.txt)
    sleep 1.5
    xdotool mousemove $(centre_in "$sees" image "class activation map" second.txt)
    sleep 1.5
    quit
    [ "$(shown layout.txt)" = 281 ] || { echo "tabby + Enter did not show class 281"; grep label layout.txt | tail -30; exit 1; }
    [ -s exports/cam_281.png ] && [ -s exports/cam_281.npy ] || { echo "no cam_281.png / .npy exported"; ls -R; exit 1; }
    head -c 128 exports/cam_281.npy | grep -q "'shape': (5, 5)" || { echo "cam_281.npy is not the raw 5 x 5 map"; exit 1; }
    grep -q "	label	.*	CAM([0-9]*, [0-9]*) = sum over k of w\[k, 281\]" layout.txt || { echo "hovering the map showed no sum"; exit 1; }
    ;;
steps)
    # S opens "Step by step"; Play slides the window (the position explained moves along the first row); a click
    # on an output cell explains that cell.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
      "playground": {"input_size": [64, 64], "filters": 4, "kernel_size": [3, 3], "padding": "same"}}' > pg.json
    at() { sed -n 's/.*	the engine wrote .* at (\([0-9]*\), \([0-9]*\)).*/\1 \2/p' "$1" | head -1; }
    start --session pg.json
    press s
    sleep 1
    quit
    mv layout.txt first.txt
    [ "$(at first.txt)" = "0 0" ] || { echo "S did not explain output (0, 0)"; grep label first.txt | tail; exit 1; }
    steps="Step by step: one output value"
    start --session pg.json  # the window opens with the program now (settings): where its widgets are
    quit
    mv layout.txt first.txt
    start --session pg.json
    click_at $(centre_in "$steps" button "Play" first.txt)
    sleep 2.5
    quit
    moved=$(at layout.txt)
    echo "after playing: $moved"
    [ -n "$moved" ] && [ "$moved" != "0 0" ] || { echo "Play did not move the window"; exit 1; }
    # The output region shows cells around the position; its centre cell is the one below-right of the middle.
    box=$(awk -F'\t' -v w="$steps" '$1 == "item" && $2 == w && $3 == "image" && $7 == "output map being written" { print $4; exit }' first.txt)
    set -- $box
    start --session pg.json
    click_at $(( ($1 * 3 + $3) / 4 )) $(( ($2 + $4 * 3) / 4 ))  # a cell three quarters of the way down, a quarter across
    sleep 1
    quit
    clicked=$(at layout.txt)
    echo "after the click: $clicked"
    [ -n "$clicked" ] && [ "$clicked" != "0 0" ] && [ "${clicked% *}" -gt 0 ] || { echo "clicking an output cell did not explain it"; exit 1; }
    # Opening the window leaves the keyboard out of its fields: S, which does nothing while a field is typed in,
    # closes it again.
    start --session pg.json  # open (settings)
    press s
    press s
    sleep 0.5
    press s
    sleep 0.5
    quit
    if grep -q "^window	$steps	" layout.txt; then echo "S did not close the window it had just opened: a field has the keyboard"; exit 1; fi
    ;;
compare)
    # P pins the playground's setting as A and opens Compare A / B; a new number of filters typed in the playground
    # is B; the window shows both, the session keeps A, and the export writes one PNG. Then the network: the first
    # edit of a Conv2D pins its output before the edit, A opens the window, both maps are drawn.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
      "playground": {"input_size": [64, 64], "filters": 4, "kernel_size": [3, 3], "padding": "same"}}' > c.json
    find_filters_field --session c.json
    start --session c.json
    press p
    sleep 1
    set -- $xy
    xdotool mousemove "$1" "$2"
    xdotool click --repeat 2 --delay 150 1
    sleep 0.3
    press ctrl+a
    xdotool type --delay 150 "8"
    press Return
    sleep 1.5
    press ctrl+s
    sleep 0.5
    quit
    grep -q "	filters: 4 | 8 (differs)$" layout.txt || { echo "Compare does not show filters 4 | 8"; grep "Compare A / B	label" layout.txt; exit 1; }
    grep -q "	parameters: 112 | 224 (differs)$" layout.txt || { echo "Compare does not show 112 | 224 parameters"; exit 1; }
    tr -d ' \n' < c.json | grep -q '"pinned":{"activation":"linear".*"filters":4' || { echo "the session lost A"; cat c.json; exit 1; }
    [ "$(tr -d ' \n' < c.json | sed -n 's/.*"playground":{[^}]*"filters":\([0-9]*\).*/\1/p')" = 8 ] ||
        { echo "B is not filters 8 in the session"; cat c.json; exit 1; }
    start --session c.json  # A comes back from the session; the window opens with it (the session says so)
    quit
    button=$(centre_in "Compare A / B" button "Export comparison PNG" layout.txt)
    [ -n "$button" ] || { echo "no export button after reloading the session"; grep "Compare A / B" layout.txt | head; exit 1; }
    start --session c.json
    click_at $button
    sleep 2
    quit
    [ -s exports/compare_playground_c0.png ] || { echo "the export wrote no PNG"; ls -R; exit 1; }
    grep -q "	export: Wrote exports/compare_playground_c0.png$" layout.txt || { echo "the export was not confirmed"; exit 1; }

    printf '%s\n' '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
      "network": {"input_size": [96, 96]}, "selected_node": "res2a_branch2a"}' > n.json
    # The layer editor lies between the diagram and the layer table, which scrolls with the panel: scrolling to the
    # end would pass it. A first, unscrolled run's report says how far down its filters field is; as many wheel
    # steps (ImGui's: 5 font heights, 80 px at 100 %) as bring it near the middle of the panel.
    start --session n.json
    quit
    field_y=$(awk -F'\t' '$1 == "item" && index($7, "Output channels of this Conv2D") == 1 { split($4, r, " "); print int(r[2]); exit }' layout.txt)
    [ -n "$field_y" ] || { echo "no filters field in the network editor's report"; exit 1; }
    clicks=$(( (field_y - 370 + 79) / 80 ))
    to_editor() {
        sleep 3
        xdotool mousemove 200 400
        i=0
        while [ "$i" -lt "$clicks" ]; do xdotool click 5; i=$((i + 1)); done
        sleep 1
    }
    start --session n.json
    to_editor
    quit
    xy=$(centre_of widget "Output channels of this Conv2D" layout.txt)
    [ -n "$xy" ] || { echo "no filters field in the network editor"; grep "Output channels" layout.txt; exit 1; }
    start --session n.json
    to_editor
    set -- $xy
    xdotool mousemove "$1" "$2"
    xdotool click --repeat 2 --delay 150 1
    sleep 0.3
    press ctrl+a
    xdotool type --delay 150 "32"
    press Return
    sleep 1
    xdotool mousemove 640 700
    press a
    sleep 3
    quit
    grep -q "	filters: 64 | 32 (differs)$" layout.txt || { echo "Compare does not show res2a_branch2a's 64 | 32 filters"; grep "Compare A / B" layout.txt; exit 1; }
    grep -q "	image	.*	map A: 24 x 24$" layout.txt && grep -q "	image	.*	map B: 24 x 24$" layout.txt ||
        { echo "the maps before and after the edit are not drawn"; grep "Compare A / B" layout.txt; exit 1; }
    ;;
quiz)
    # With the keyboard alone: F5 opens the quiz on the seed's first example, Conv2D(64, (1, 1)) on (600, 600, 3):
    # (None, 600, 600, 64) and 3 x 64 + 64 = 256 parameters, typed with Enter between; N goes on (and only that:
    # the maps' normalisation, N elsewhere, stays); a wrong answer to the second is told wrong, counts in the
    # score and is listed to revisit.
    start --panel playground
    press F5
    sleep 1
    xdotool type --delay 60 "(None, 600, 600, 64)"
    press Return
    xdotool type --delay 60 "256"
    press Return
    sleep 0.5
    press n
    sleep 0.5
    xdotool type --delay 60 "1, 1, 1"
    press Return
    xdotool type --delay 60 "5"
    press Return
    sleep 1
    quit
    grep -q "	label	.*	question 2 of 18   score 1 / 2$" layout.txt ||
        { echo "the score is not 1 / 2 on question 2"; grep "question\|verdict\|prompt" layout.txt; exit 1; }
    grep -q "	label	.*	verdict: Not quite:$" layout.txt || { echo "the wrong answer was not told wrong"; exit 1; }
    grep -q "	combo	.*	normalise: per-channel$" layout.txt ||
        { echo "N in the quiz changed the maps' normalisation"; grep "normalise" layout.txt; exit 1; }
    ;;
fast-keys)
    # Keys pressed and released faster than a frame (xdotool key, on-screen and remote keyboards) all count: three
    # Ctrl+= taps raise the UI scale three steps (1 -> 1.75), and a number typed and entered at once is applied.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
      "playground": {"input_size": [64, 64], "filters": 4}}' > f.json
    find_filters_field --session f.json
    start --session f.json
    for _ in 1 2 3; do xdotool key ctrl+equal; done  # as the audit typed them: each down and up within a frame
    sleep 1.5
    quit
    [ "$(setting ui_scale)" = 1.75 ] || { echo "three fast Ctrl+= gave ui_scale $(setting ui_scale), not 1.75"; exit 1; }
    printf 'window_width=1280\nwindow_height=720\nleft_fraction=0.4\n' > config/convscope/settings.ini
    start --session f.json
    set -- $xy
    xdotool mousemove "$1" "$2"
    xdotool click --repeat 2 --delay 150 1
    sleep 0.3
    press ctrl+a
    xdotool type "12"
    xdotool key Return
    xdotool key ctrl+s
    sleep 1
    quit
    [ "$(filters_in f.json)" = 12 ] || { echo "a fast Return did not apply 12: $(filters_in f.json)"; exit 1; }
    ;;
sticky-header)
    # The layer table scrolls with the network panel; once its header row has scrolled away, the column names are
    # drawn again at the top of the panel, where a learner looking at stage 4's rows still sees which column is
    # params and which is MACs. Not before: at the top of the panel the real header is in view.
    # At 150 % (a projector) with res4c's rows open the table is taller than the panel.
    printf '%s\n' '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
      "network": {"input_size": [224, 224]}, "selected_node": "res4c_branch2b"}' > s.json
    start --session s.json --ui-scale 1.5
    quit
    ! grep -q "	sticky header	" layout.txt || { echo "a sticky header while the real one is in view"; exit 1; }
    panel=$(awk -F'\t' '$1 == "window" && $2 ~ /^Controls\/network_scroll_[^\/]*$/ { split($3, r, " "); print int((r[1] + r[3]) / 2), int((r[2] + r[4]) / 2), int(r[2]); exit }' layout.txt)
    [ -n "$panel" ] || { echo "no network panel in the report"; exit 1; }
    set -- $panel
    start --session s.json --ui-scale 1.5
    xdotool mousemove "$1" "$2"
    sleep 0.3
    xdotool click --repeat 60 --delay 40 5  # the wheel, down: well past the table's header
    sleep 1
    quit
    for column in layer params MACs; do
        awk -F'\t' -v c="$column" -v top="$3" '$1 == "item" && $3 == "sticky header" && $6 == 1 && $7 == c {
                split($4, r, " "); found = 1
                if ($5 != 0 || r[2] < top - 1 || r[2] > top + 40) { print "cut or not at the panel top: " $0; bad = 1 } }
                END { exit !found || bad }' layout.txt || { echo "no sticky '$column' header after scrolling"; grep "sticky" layout.txt; exit 1; }
    done
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "ok: $case_name"
