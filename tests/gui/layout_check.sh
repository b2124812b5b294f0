#!/bin/sh
# Projector layouts: convscope at a window size and UI scale writes its layout report with a screenshot; no
# label may be cut, no window or widget may lie outside the window, and map tiles keep a readable size.
#   layout_check.sh CONVSCOPE PNG_CHECK PANEL WIDTHxHEIGHT SCALE
# Exit 0 pass, 1 fail, 77 skipped (no xvfb-run).
set -eu
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
convscope=$(abspath "$1")
png_check=$(abspath "$2")
panel=$3
size=$4
scale=$5
w=${size%x*}
h=${size#*x}
command -v xvfb-run >/dev/null 2>&1 || { echo "xvfb-run not found: skipping"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-layout-XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$work/config/convscope"
printf 'window_width=%s\nwindow_height=%s\n' "$w" "$h" > "$work/config/convscope/settings.ini"
cd "$work"

# The network panel at its fullest: stage 5 and the classifier top (the top-5 and its caution), inside an
# edited block (re-initialised layers are marked '*', the longest diagram labels).
cat > net.json <<'JSON'
{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
 "network": {"input_size": [160, 160], "last_stage": 5, "include_top": true, "seed": 1, "weights": "",
             "edits": {"res3b_branch2b": {"filters": 96, "kernel_size": [3, 3], "strides": [1, 1],
                                          "padding": "same", "dilation_rate": [1, 1]}}},
 "selected_node": "res3b_branch2b"}
JSON
cat > pg.json <<'JSON'
{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
 "playground": {"input_size": [300, 300], "filters": 64, "kernel_size": [3, 3], "kernel_source": "sobel_x"}}
JSON
session=pg.json
[ "$panel" = network ] && session=net.json

xvfb-run -a -s "-screen 0 ${w}x${h}x24" "$convscope" --timeout 240 --session "$session" --ui-scale "$scale" \
    --screenshot shot.png --layout-report layout.txt
"$png_check" shot.png --size "${w}x${h}" --min-colours 100
if [ -n "${CONVSCOPE_KEEP_SCREENSHOTS:-}" ]; then
    cp shot.png "$CONVSCOPE_KEEP_SCREENSHOTS/layout-$panel-$size-$scale.png"
    cp layout.txt "$CONVSCOPE_KEEP_SCREENSHOTS/layout-$panel-$size-$scale.txt"
fi

fail=0
problem() { echo "FAIL: $*"; fail=1; }
grep -q "^viewport	$w	$h	" layout.txt || problem "the report is not for a ${w}x${h} window: $(head -1 layout.txt)"
[ "$(grep -c '^item' layout.txt)" -gt 20 ] || problem "the report lists too few widgets"
# Windows: inside the screen, and nothing in them that cannot be scrolled to.
out=$(awk -F'\t' -v W="$w" -v H="$h" '$1 == "window" {
        split($3, r, " ");
        if (r[1] < -0.5 || r[2] < -0.5 || r[3] > W + 0.5 || r[4] > H + 0.5) print "outside the window: " $0;
        if ($6 != 0) print "content cut: " $0 }' layout.txt)
[ -z "$out" ] || problem "$out"
# Widgets and labels: none cut, none outside the screen.
out=$(awk -F'\t' -v W="$w" -v H="$h" '$1 == "item" {
        split($4, r, " ");
        if ($6 == 1 && (r[1] < -0.5 || r[2] < -0.5 || r[3] > W + 0.5 || r[4] > H + 0.5)) print "outside the window: " $0;
        if ($5 != 0) print "cut: " $0 }' layout.txt)
[ -z "$out" ] || problem "$out"
# Map tiles: at least 48 pixels on their shorter side.
tiles=$(awk -F'\t' '$1 == "item" && $3 == "grid" { print $7 }' layout.txt)
[ -n "$tiles" ] || problem "no feature-map grid in the report"
echo "$tiles" | awk '{ if ($2 < 47.5 || $4 < 47.5) { print "tiles too small: " $0; exit 1 } }' || fail=1
# Both tabs' labels are there.
grep -q "	tab	.*	0	1	Conv2D" layout.txt && grep -q "	tab	.*	0	1	ResNet50" layout.txt || problem "the tabs are missing"
if [ "$panel" = network ]; then
    grep -q "	node	.*	0	[01]	conv 2b\*" layout.txt || problem "the diagram's re-initialised conv 2b* is missing or cut"
    grep -q "mean nothing" layout.txt || problem "the random-weights caution beside the top-5 is missing"
fi
[ "$fail" -eq 0 ] || { echo "layout report:"; cat layout.txt; exit 1; }
echo "ok: $panel ${size} at ${scale}"
