#!/bin/bash
# convscope-cli's commands doing their jobs: the printed figures, the files written and their contents.
# Usage (from CTest): commands.sh CLI FIXTURES_DIR ASSETS_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"

"$cli" shape --input 600,600,3 --filters 64 --kernel-size 3 --strides 2 --padding same >"$work/shape.txt"
check "shape prints the Keras output shape" grep -qx "output shape: (None, 300, 300, 64)" "$work/shape.txt"
check "shape prints the padding split" grep -q "padding (top, bottom, left, right): (0, 1, 0, 1)" "$work/shape.txt"
check "shape prints the parameter count" grep -q "params: 1,792" "$work/shape.txt"
check "shape prints the MACs" grep -q "MACs: 155,520,000" "$work/shape.txt"
check "shape prints the height formula" grep -q "ceil(600 / 2) = 300" "$work/shape.txt"
"$cli" shape --input 600,600,3 --filters 64 --kernel-size 2 >"$work/shape2.txt"
check "kernel 2 valid gives 599" grep -qx "output shape: (None, 599, 599, 64)" "$work/shape2.txt"

"$cli" summary --input-size 224 --include-top >"$work/summary.txt"
check "summary total with top" grep -qx "Total params: 25,636,712" "$work/summary.txt"
check "summary trainable with top" grep -qx "Trainable params: 25,583,592" "$work/summary.txt"
check "summary non-trainable with top" grep -qx "Non-trainable params: 53,120" "$work/summary.txt"
# MACs by hand at 224: conv1 writes 112 x 112 x 64 values of 7 x 7 x 3 products each; res2a_branch2b 56 x 56 x 64
# of 3 x 3 x 64; fc1000 2048 x 1000; a BatchNormalization counts none (as in the usual MAC tables).
check "summary MACs of conv1" grep -q "^ conv1 (Conv2D) .* 9,472 *118,013,952 *3,211,264 " "$work/summary.txt"
check "summary MACs of res2a_branch2b" grep -q "^ res2a_branch2b (Conv2D) .* 115,605,504 " "$work/summary.txt"
check "summary MACs of fc1000" grep -q "^ fc1000 (Dense) .* 2,049,000 *2,048,000 *4,000 " "$work/summary.txt"
check "summary MACs of a BatchNormalization" grep -q "^ bn_conv1 (BatchNormalization) .* 256 *0 *3,211,264 " "$work/summary.txt"
check "summary total MACs (He et al. give 3.8e9 multiply-adds)" grep -qxE "Total MACs: 3,85[0-9],[0-9]{3},[0-9]{3}" "$work/summary.txt"
"$cli" summary >"$work/summary4.txt"
check "summary of the seed backbone" grep -qx "Total params: 8,589,184" "$work/summary4.txt"
check "summary lists res4f_relu at 38x38x1024" grep -q "res4f_relu (Activation) *(None, 38, 38, 1024)" "$work/summary4.txt"

# run: every requested node as .npy and .png, nothing else.
"$cli" run --sample coffee --input-size 67 --layers conv1,res2a_relu --format npy,png --export-dir "$work/out" >"$work/run.txt"
check "run exports the requested nodes" test "$(ls "$work/out" | tr '\n' ' ')" = "conv1.npy conv1.png res2a_relu.npy res2a_relu.png "
check "run prints every node with its shape" grep -q "res4f_relu *(None, 5, 5, 1024)" "$work/run.txt"
check "the .npy header is (H, W, C) float32" grep -qa "'descr': '<f4', 'fortran_order': False, 'shape': (34, 34, 64)" "$work/out/conv1.npy"
check "the .png is a PNG" grep -qa "PNG" "$work/out/conv1.png"

# run on a preprocessed array, with the top: fc1000 is a (1000,) vector.
"$cli" run --input-npy "$fixtures/resnet50/45x45_top/input.npy" --stages 5 --include-top --layers fc1000 --export-dir "$work/top" >/dev/null
check "fc1000 is saved as (1000,)" grep -qa "'shape': (1000,)" "$work/top/fc1000.npy"

# conv on arrays reproduces the PyTorch fixture to the last bits that matter (compared by the C++ tests too).
conv=$fixtures/layers/conv2d_k3_relu
"$cli" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --bias "$conv/weight1.npy" --padding same --activation relu --out "$work/y.npy" >/dev/null
check "conv writes an array of the fixture's shape" cmp -s <(head -c 128 "$work/y.npy") <(head -c 128 "$conv/output.npy")

finish
