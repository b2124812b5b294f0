#!/bin/bash
# convscope-cli run with the classifier: the top-5 lines, and the class activation map files.
# Usage (from CTest): classifier.sh CLI FIXTURES_DIR ASSETS_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"

# run with the classifier: five prediction lines, and the class activation map files.
"$cli" run --sample chelsea --input-size 64 --include-top --layers fc1000 --cam top1 --export-dir "$work/run" >"$work/run.txt"
check "run prints five predictions (rank, index, name, probability)" \
    test "$(grep -cE '^ [1-5]  [ 0-9]{3}  .+  0\.[0-9]{6}$' "$work/run.txt")" -eq 5
first=$(grep -E '^ 1  ' "$work/run.txt" | awk '{print $2}')
check "the CAM of the top class is written" test -s "$work/run/cam_$first.npy" -a -s "$work/run/cam_$first.png"
check "the CAM .npy is the raw 2x2 map of res5c at 64x64" grep -qa "'shape': (2, 2)" "$work/run/cam_$first.npy"
check "the CAM .png has the input's 64x64 pixels" \
    test "$(od -An -tu1 -j16 -N8 "$work/run/cam_$first.png" | tr -s ' ')" = " 0 0 0 64 0 0 0 64"
"$cli" run --sample chelsea --input-size 64 --include-top --layers fc1000 --cam 285 --export-dir "$work/run285" >/dev/null
check "--cam INDEX writes that class's map" test -s "$work/run285/cam_285.npy"
fails_with "--cam needs the classifier" run --sample chelsea --input-size 64 --stages 5 --cam top1 --export-dir "$work/nocam"
fails_with "expected top1 ... top5 or a class index 0 to 999" run --sample chelsea --input-size 64 --include-top --cam 1000 --export-dir "$work/nocam"
check "a refused --cam writes nothing" test ! -e "$work/nocam"

finish
