#!/bin/sh
# GUI smoke tests: start convscope under Xvfb, let it save a screenshot, check the picture.
#   gui_smoke.sh CONVSCOPE PNG_CHECK CASE [MAKE_TEST_WEIGHTS]
# CASE: playground | network | projector | session | export | bad-image | weights | bad-weights | settings | typo | rpn | arguments |
#       usage | limit
# Exit 0 pass, 1 fail, 77 skipped (no xvfb-run).
set -eu
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
convscope=$(abspath "$1")
png_check=$(abspath "$2")
case_name=$3
make_weights=${4:+$(abspath "$4")}
command -v xvfb-run >/dev/null 2>&1 || { echo "xvfb-run not found: skipping"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-gui-XXXXXX")
trap 'rm -rf "$work"' EXIT
# The program's settings and ImGui layout go to a fresh folder, never the user's.
export XDG_CONFIG_HOME="$work/config"
cd "$work"

run() {
    # -a picks a free display; the screen is larger than the window so nothing is clipped.
    xvfb-run -a -s "-screen 0 1600x1000x24" "$convscope" --timeout 240 "$@"
}

shot_ok() {  # FILE: the window's size, and not blank
    "$png_check" "$1" --size 1600x1000 --min-colours 200
}

red_bar() {  # FILE: the red error bar (ImGui child background 140,15,15) is in the bottom part
    "$png_check" "$1" --has-colour 140,15,15,12 --region 0,700,1600,300
}

case "$case_name" in
limit)
    # Over the playground's memory cap: the message says it is convscope's limit, not Keras', and with nothing
    # computed yet the maps' header does not claim to show the last valid result.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
      "playground": {"input_size": [2048, 2048], "filters": 256}}' > big.json
    run --session big.json --frames 20 --layout-report big.txt
    grep -q "	error	.*	Too large for the playground: .*This is convscope's limit, not a Keras rule" big.txt ||
        { echo "the cap's message does not say whose limit it is"; grep error big.txt; exit 1; }
    grep -q "	label	.*	(too large for the playground: nothing to show)$" big.txt ||
        { echo "the maps' header is wrong"; grep "Feature maps" big.txt; exit 1; }
    if grep -q "showing the last valid result" big.txt; then echo "claims a last valid result it does not show"; exit 1; fi
    ;;
usage)
    # --help's synopsis lists every option the program accepts (each one, with a valid value, is accepted
    # before --help prints the usage and exits 0; no display needed).
    for opt in "--image x" "--sample chelsea" "--weights x.h5" "--panel network" "--session x.json" \
               "--screenshot x.png" "--layout-report x.txt" "--frames 1" --frame-stats "--ui-scale 2" "--theme light" \
               "--timeout 1" "--save-session x.json" "--threads 1" --hidden "--column maps" "--sees cam" --steps --quiz \
               --compare "--export grid" "--export-dir x" "--scripted-change seed"; do
        # shellcheck disable=SC2086  # the option and its value are two words
        "$convscope" $opt --help > usage.txt || { echo "convscope does not accept $opt"; exit 1; }
        name=${opt%% *}
        sed '/^  --/,$d' usage.txt | grep -q -- "\[$name[] ]" || { echo "the usage line omits $name"; cat usage.txt; exit 1; }
    done
    ;;
arguments)
    # The Conv2D arguments beyond the six: a session that sets them opens the section; each says what it does
    # with the numbers on screen, and a saved session keeps every one.
    cat > a.json <<'JSON'
{"convscope_session": 1, "panel": "playground", "image": "sample:coffee",
 "playground": {"input_size": [64, 64], "filters": 8, "kernel_size": [3, 3], "padding": "same", "activation": "gelu",
   "data_format": "channels_first", "kernel_initializer": "he_normal", "bias_initializer": "constant(0.1)",
   "kernel_regularizer": "l2(0.01)", "activity_regularizer": "l1(0.001)", "kernel_constraint": "max_norm(2)",
   "bias_constraint": "non_neg"}}
JSON
    run --session a.json --screenshot a.png --layout-report a.txt --save-session b.json
    shot_ok a.png
    grep -q "	label	.*	(None, 8, 64, 64)$\|	widget	.*	The output shape as Keras prints it with data_format='channels_first'" a.txt ||
        { echo "channels_first does not write the shape as (None, 8, 64, 64)"; exit 1; }
    # The maps' header writes the same shape (it wrote the channels-last (None, 64, 64, 8)).
    grep -q "	Feature maps	label	.*	(None, 8, 64, 64)$" a.txt ||
        { echo "the feature maps' header does not write (None, 8, 64, 64)"; grep "Feature maps	.*(None" a.txt; exit 1; }
    grep -q "	label	.*	penalty: 0.01 \* sum(w^2) = " a.txt || { echo "no kernel_regularizer penalty"; exit 1; }
    grep -q "	label	.*	penalty: 0.001 \* sum(|y|) = .* over 32,768 values" a.txt || { echo "no activity penalty over the 64 x 64 x 8 output"; exit 1; }
    grep -q "	label	.*	constraint: non_neg would set" a.txt || { echo "no bias_constraint effect"; exit 1; }
    grep -q "	plot	.*	gelu(x), x from -4 to 4$" a.txt || { echo "no activation curve"; exit 1; }
    for kv in '"data_format": "channels_first"' '"kernel_initializer": "he_normal"' '"bias_initializer": "constant(0.1)"' \
              '"kernel_regularizer": "l2(0.01)"' '"activity_regularizer": "l1(0.001)"' '"kernel_constraint": "max_norm(2)"' \
              '"bias_constraint": "non_neg' '"bias_regularizer": "None"'; do
        grep -q "$kv" b.json || { echo "the saved session lost $kv"; cat b.json; exit 1; }
    done
    ;;
compare)
    # Compare A / B from a session: A (3x3, strides 1) pinned, B (5x5, strides 2) in the playground. The rows that
    # differ say so, the shapes are Keras' (64 -> 32 with strides 2 'same'), and the maps share one range. The
    # saved session keeps A and where the learner was in the other teaching windows.
    cat > c.json <<'JSON'
{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
 "playground": {"input_size": [64, 64], "filters": 16, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same"},
 "compare": {"open": true, "channel": 2, "all_arguments": true, "normalization": "symmetric",
             "pinned": {"input_size": [64, 64], "filters": 16, "kernel_size": [3, 3], "padding": "same"}},
 "steps": {"row": 5, "col": 7, "speed": 8},
 "quiz": {"seed": 3, "question": 2, "answered": [1, 0, -1]},
 "sees": {"tab": "rpn", "cam_class": 281, "cam_opacity": 0.25}}
JSON
    run --session c.json --screenshot c.png --layout-report c.txt --save-session c2.json
    shot_ok c.png
    for row in "strides: (1, 1) | (2, 2) (differs)" "filters: 16 | 16" \
               "output shape: (None, 64, 64, 16) | (None, 32, 32, 16) (differs)" \
               "padding rows: top 1, bottom 1 | top 1, bottom 2 (differs)" "parameters: 448 | 1,216 (differs)" \
               "B / A: parameters 2.71x, MACs 0.69x"; do
        grep -qF "	$row" c.txt || { echo "the comparison does not show: $row"; grep "Compare A / B	label" c.txt; exit 1; }
    done
    grep -q "Compare A / B	label	.*	shared range \[-" c.txt || { echo "no shared symmetric range"; exit 1; }
    # A is 64 x 64 and B 32 x 32: B - A is ticked (the default) but cannot be drawn, and the window says why.
    grep -qF "	B - A is not drawn: A is 64 x 64 and B 32 x 32, " c.txt || { echo "no reason for the missing B - A"; grep "Compare A / B	label" c.txt; exit 1; }
    cut=$(awk -F'\t' '$1 == "item" && $2 == "Compare A / B" && $5 == 1' c.txt)
    [ -z "$cut" ] || { echo "text cut in the Compare window:"; echo "$cut"; exit 1; }
    tr -d ' \n' < c2.json > c2.flat
    for kv in '"pinned":{' '"kernel_size":[3,3]' '"channel":2' '"normalization":"symmetric"' '"open":true' \
              '"row":5' '"col":7' '"speed":8' '"question":2' '"answered":[1,0,-1' '"seed":3' '"tab":"rpn"' \
              '"cam_class":281' '"cam_opacity":0.25'; do
        grep -qF "$kv" c2.flat || { echo "the saved session lost $kv"; cat c2.json; exit 1; }
    done
    run --session c2.json --frames 3 --save-session c3.json
    cmp c2.json c3.json || { echo "saving the loaded session again changed it"; diff c2.json c3.json; exit 1; }
    # B's kernel all zeros under a ReLU: every channel of B is 0, which the window names as a constant (dead)
    # channel, not a flat map left to puzzle over; A's channel varies and is not marked.
    cat > dead.json <<'JSON'
{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
 "playground": {"input_size": [64, 64], "filters": 4, "kernel_size": [3, 3], "padding": "same",
                "activation": "relu", "kernel_initializer": "zeros"},
 "compare": {"open": true, "channel": 1, "pinned": {"input_size": [64, 64], "filters": 4, "kernel_size": [3, 3], "padding": "same"}}}
JSON
    run --session dead.json --screenshot dead.png --layout-report dead.txt
    shot_ok dead.png
    grep -qF "	B, channel 1: every value is 0: a constant channel (after a ReLU, a dead one" dead.txt || { echo "B's constant channel is not named"; grep "Compare A / B	label" dead.txt; exit 1; }
    ! grep -qF "	A, channel 1: every value" dead.txt || { echo "A's channel is called constant"; exit 1; }
    # A pinned setting Keras would refuse is reported (the red bar, naming the field) and changes nothing.
    printf '%s\n' '{"convscope_session": 1, "compare": {"pinned": {"filters": 0}}}' > bad.json
    run --session bad.json --screenshot bad.png --layout-report bad.txt
    red_bar bad.png
    grep -q 'compare.pinned.filters' bad.txt || { echo "the error does not name compare.pinned.filters"; grep -i error bad.txt; exit 1; }
    ;;
rpn)
    # The Faster R-CNN grid at the seed's 600 x 600: res4f_relu's 38 x 38 cells, the middle one's anchor centre
    # and its 9 anchors, each recomputed here from the RPN's geometry (centre ((col + 0.5) * 16, (row + 0.5) * 16),
    # width = scale / sqrt(ratio), height = scale * sqrt(ratio)) and compared with what the window shows.
    printf '%s\n' '{"convscope_session": 1, "panel": "network", "image": "sample:rocket"}' > r.json
    run --session r.json --sees rpn --screenshot r.png --layout-report r.txt
    shot_ok r.png
    grep -q "	label	.*	cell (19, 19) of res4f_relu's 38 x 38 grid, anchor centre (312, 312)$" r.txt ||
        { echo "the grid's middle cell is not (19, 19) centred at (312, 312)"; grep "cell (" r.txt; exit 1; }
    awk 'BEGIN { for (s = 128; s <= 512; s *= 2) for (i = 0; i < 3; i++) { r = (i == 0 ? 0.5 : i == 1 ? 1 : 2);
                 w = s / sqrt(r); h = s * sqrt(r); printf "%.2f %.2f %.2f %.2f\n", 312 - w / 2, 312 - h / 2, 312 + w / 2, 312 + h / 2 } }' > expected.txt
    awk -F'\t' '$1 == "item" && $3 == "anchor" { print $7 }' r.txt > shown.txt
    diff expected.txt shown.txt || { echo "the anchors shown differ from the RPN's geometry"; exit 1; }
    ;;
typo)
    # The seed's identity_block as written: res2b's 2a and 2b units are dead (struck through, "(dead)" in the
    # table), the paragraph says why nothing complains, and the session keeps the switch. The receptive field of
    # res4f_relu at 600 x 600 (the seed's feature map) is 291 pixels with jump 16, as derived by hand in
    # tests/test_receptive_field.cpp (35 after stage 2, 99 after stage 3, + 6 x 32 for stage 4's 3 x 3s).
    cat > t.json <<'JSON'
{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
 "network": {"input_size": [224, 224], "seed_identity_typo": true}, "selected_node": "res2b_branch2a"}
JSON
    run --session t.json --screenshot t.png --layout-report t.txt --save-session t2.json
    shot_ok t.png
    grep -q "	label	.*	As the seed's text wrote it" t.txt || { echo "no explanation of the typo"; exit 1; }
    grep -q "res2b_branch2a (dead)" t.txt || { echo "res2b_branch2a is not marked dead in the table"; grep res2b t.txt; exit 1; }
    # The block diagram's crossed edges into 2b and 2c say what those units read instead: the block's input,
    # 56 x 56 x 256 at 224 (drawn text, reported by where it was drawn), whole and not cut.
    [ "$(grep -c "	edge	.*	0	1	 input_tensor 56x56x256$" t.txt)" -eq 2 ] ||
        { echo "the crossed edges do not say input_tensor 56x56x256"; grep "	edge	" t.txt; exit 1; }
    grep -q '"seed_identity_typo": true' t2.json || { echo "the session lost the switch"; cat t2.json; exit 1; }
    cat > f.json <<'JSON'
{"convscope_session": 1, "panel": "network", "image": "sample:chelsea", "selected_node": "res4f_relu"}
JSON
    run --session f.json --screenshot f.png --layout-report f.txt
    # Without the typo every edge of the block carries the shape that flows along it, none says input_tensor.
    [ "$(grep -c "	edge	" f.txt)" -ge 5 ] || { echo "the block diagram's edges are not labelled"; exit 1; }
    ! grep -q "	edge	.*input_tensor" f.txt || { echo "an input_tensor edge without the typo"; exit 1; }
    grep -q "	plot	.*	receptive field 291 x 291 px, jump 16$" f.txt ||
        { echo "res4f_relu's receptive field is not 291 x 291, jump 16"; grep "receptive field" f.txt; exit 1; }
    ;;
playground)
    run --panel playground --sample coffee --screenshot pg.png
    shot_ok pg.png
    ;;
network)
    run --panel network --screenshot net.png
    shot_ok net.png
    ;;
projector)
    run --panel playground --ui-scale 2 --theme light --screenshot big.png
    shot_ok big.png
    ;;
session)
    cat > a.json <<'JSON'
{"convscope_session": 1, "panel": "network", "image": "sample:astronaut",
 "playground": {"input_size": [300, 200], "filters": 16, "kernel_size": [5, 3], "strides": [2, 1],
                "padding": "valid", "dilation_rate": [1, 1], "use_bias": false, "activation": "relu",
                "kernel_source": "gaussian", "seed": 7},
 "network": {"input_size": [224, 224], "last_stage": 4, "include_top": false, "seed": 3, "weights": "",
             "edits": {"res3a_branch2b": {"filters": 96, "kernel_size": [5, 5], "strides": [1, 1],
                                          "padding": "same", "dilation_rate": [1, 1]}}},
 "selected_node": "res3a_branch2b",
 "view": {"normalization": "symmetric", "colormap": "diverging", "page": 1, "channel": 70}}
JSON
    run --session a.json --screenshot s1.png --save-session b.json
    shot_ok s1.png
    # Everything the first file said survives the round trip ...
    for want in '"panel": "network"' '"image": "sample:astronaut"' '"filters": 16' '"kernel_source": "gaussian"' \
                '"padding": "valid"' '"activation": "relu"' '"seed": 7' '"res3a_branch2b"' '"filters": 96' \
                '"selected_node": "res3a_branch2b"' '"normalization": "symmetric"' '"colormap": "diverging"' \
                '"page": 1' '"channel": 70' '"seed": 3'; do
        grep -q "$want" b.json || { echo "round trip lost $want"; cat b.json; exit 1; }
    done
    # ... and saving what was loaded again gives the same file.
    run --session b.json --frames 3 --save-session c.json
    cmp b.json c.json || { echo "b.json and c.json differ"; diff b.json c.json; exit 1; }
    # steps.filter and view.channel name one channel: steps.filter alone chooses it (it was overridden by the
    # view's default 0), two different values are refused with both named, and a save writes one value twice.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "playground": {"filters": 16},
      "steps": {"open": true, "row": 3, "col": 4, "filter": 5}}' > f.json
    run --session f.json --frames 3 --save-session f2.json
    tr -d ' \n' < f2.json > f2.flat
    grep -qF '"view":{"channel":5,' f2.flat && grep -qF '"filter":5,' f2.flat || { echo "steps.filter 5 was not kept"; cat f2.json; exit 1; }
    printf '%s\n' '{"convscope_session": 1, "view": {"channel": 2}, "steps": {"filter": 5}}' > g.json
    run --session g.json --screenshot g.png --layout-report g.txt
    red_bar g.png
    grep -qF 'field "steps.filter" must be the same as view.channel (2)' g.txt || { echo "unclear error"; grep -i error g.txt; exit 1; }
    ;;
export)
    # Every channel of the playground output as PNGs, then the same into a folder that cannot exist.
    printf '%s\n' '{"convscope_session": 1, "panel": "playground", "image": "sample:rocket",
      "playground": {"input_size": [200, 300], "filters": 5, "kernel_size": [3, 3], "padding": "valid", "kernel_source": "sobel_y"}}' > e.json
    run --session e.json --export channels --export-dir out --screenshot e1.png
    shot_ok e1.png
    n=$(ls out/playground_conv2d_channels/*.png | wc -l)
    [ "$n" -eq 5 ] || { echo "expected 5 channel PNGs, found $n"; exit 1; }
    # 'valid' 3x3 on 200 x 300: 198 x 298, one pixel per value.
    "$png_check" out/playground_conv2d_channels/playground_conv2d_ch004.png --size 298x198 --min-colours 20
    run --panel network --export block --export-dir out --screenshot e2.png
    # conv1 is in the stem: "every node" there is every node of the stem, in a folder named after it.
    for node in input conv1_pad conv1 bn_conv1 conv1_relu pool1; do
        [ -s out/stem/$node.npy ] && [ -s out/stem/$node.png ] || { echo "stem export lacks $node"; ls -R out; exit 1; }
    done
    # --export alone writes the files and exits (it used to wait for ever without --screenshot).
    run --panel network --export npy --export-dir alone --timeout 120 || { echo "--export alone failed"; exit 1; }
    [ -s alone/conv1.npy ] || { echo "--export alone wrote nothing"; ls -R alone; exit 1; }
    printf 'a file, not a folder' > blocker
    # The failure is reported in red in the export window, nothing was written, and the exit code says so.
    if run --panel playground --export grid --export-dir blocker/sub --screenshot e3.png; then
        echo "a failed export exited 0"; exit 1
    fi
    "$png_check" e3.png --has-colour 255,97,89,30
    [ ! -e blocker/sub ] || { echo "a partial export exists"; exit 1; }
    ;;
weights)
    [ -n "$make_weights" ] || { echo "needs make_test_weights"; exit 2; }
    "$make_weights" w.h5 42
    run --panel network --weights w.h5 --screenshot w.png --save-session w.json
    shot_ok w.png
    # Loaded: no error bar, and the session names the file in use.
    if red_bar w.png >/dev/null; then
        echo "an error bar is shown after loading a fitting weights file"; exit 1
    fi
    grep -q '"weights": "w.h5"' w.json || { echo "weights not in use"; cat w.json; exit 1; }
    ;;
bad-image)
    run --image "$work/no-such-picture.png" --screenshot bad.png
    shot_ok bad.png
    red_bar bad.png
    printf 'this is not an image' > fake.jpg
    run --image fake.jpg --screenshot bad2.png
    red_bar bad2.png
    ;;
bad-weights)
    printf 'not an HDF5 file' > fake.h5
    run --panel network --weights fake.h5 --screenshot badw.png
    shot_ok badw.png
    red_bar badw.png
    run --panel network --weights "$work/missing.h5" --screenshot badw2.png --save-session badw2.json
    red_bar badw2.png
    # The weights in use stay the seeded ones.
    grep -q '"weights": ""' badw2.json || { echo "a failed load changed the weights in use"; cat badw2.json; exit 1; }
    ;;
settings)
    # An interactive run (no --screenshot/--frames) remembers UI scale and theme when it is closed.
    xvfb-run -a -s "-screen 0 1600x1000x24" "$convscope" --ui-scale 1.5 --theme light &
    xpid=$!
    cpid=""
    for i in $(seq 1 40); do
        cpid=$(pgrep -P "$xpid" -x convscope || true)
        [ -n "$cpid" ] && break
        sleep 0.25
    done
    [ -n "$cpid" ] || { echo "convscope did not start"; exit 1; }
    sleep 4
    kill -TERM "$cpid"  # as a session manager closing it
    wait "$xpid" || true
    grep -q '^ui_scale=1.5$' config/convscope/settings.ini && grep -q '^theme=light$' config/convscope/settings.ini ||
        { echo "settings not saved"; cat config/convscope/settings.ini; exit 1; }
    # The next run starts light (the status bar's background is light grey).
    run --screenshot light.png
    shot_ok light.png
    "$png_check" light.png --has-colour 240,240,240,6 --region 0,985,40,10
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "ok: $case_name"
