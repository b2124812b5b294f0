#!/bin/bash
# convscope-cli's teaching commands: receptive fields, the seed's typo, anchors, --explain, the Conv2D
# arguments (data_format, initializers, regularizers, constraints) and the quiz, with the numbers they print.
# Usage (from CTest): teach.sh CLI FIXTURES_DIR ASSETS_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli_test.bash"

# Receptive fields: 291 x 291, jump 16, starting 143 pixels before the image at 600 x 600 (derived in
# tests/test_receptive_field.cpp); the stem conv sees 7 x 7 from -3.
"$cli" summary --receptive-field >"$work/rf.txt"
check "res4f_relu's receptive field" grep -qE "^ res4f_relu \(Activation\) +\(None, 38, 38, 1024\) +0 +[0-9,]+ +[0-9,]+ +291x291 +16x16 +\(-143, -143\)" "$work/rf.txt"
check "conv1's receptive field" grep -qE "^ conv1 \(Conv2D\) .* 7x7 +2x2 +\(-3, -3\)" "$work/rf.txt"
"$cli" summary --receptive-field --input-size 601,600 >"$work/rf601.txt"
check "an odd input size moves the start" grep -qE "^ res4f_relu .* 291x291 +16x16 +\(-145, -143\)" "$work/rf601.txt"

# The seed's identity_block typo: 10 identity blocks at stage 4, 6 dead layers each.
"$cli" summary --seed-typo >"$work/typo.txt"
check "60 dead layers are marked" test "$(grep -c "DEAD: no path to the output" "$work/typo.txt")" -eq 60
check "res2b_branch2a is dead" grep -qE "^ res2b_branch2a \(Conv2D\).*DEAD" "$work/typo.txt"
check "res2b_branch2c reads the block input" grep -qE "^ res2b_branch2c \(Conv2D\).*\['res2a_relu\[0\]\[0\]'\]" "$work/typo.txt"
check "the typo is explained" grep -q "feeds input_tensor instead of x" "$work/typo.txt"
check "the correct network has no dead layer" test "$(grep -c DEAD "$work/rf.txt")" -eq 0

# Anchors of cell (0, 0): centre (8, 8); the 128 x 128 square is (-56, -56, 72, 72).
"$cli" anchors --input-size 600 --cell 0,0 >"$work/anchors.txt"
check "the square anchor of cell (0, 0)" grep -qE "^ +128 +1 +128.00 +128.00 +-56.00 +-56.00 +72.00 +72.00" "$work/anchors.txt"
check "9 anchors" test "$(grep -cE "^ +(128|256|512) " "$work/anchors.txt")" -eq 9
check "the cell's receptive field" grep -q "receptive field of this cell: rows -143..147, cols -143..147 (291 x 291 pixels, jump 16)" "$work/anchors.txt"
# 227 rows make 15 cells of 16 (the last from row 224): cell row 14's centre, 232, is past the picture, and it
# says so; at 600 the last centre, 600, is on the edge, not past it.
"$cli" anchors --input-size 227,199 --cell 14,12 >"$work/anchors_odd.txt"
check "a centre past an odd-sized picture is explained" grep -q "^this centre lies outside the 227 x 199 image" "$work/anchors_odd.txt"
"$cli" anchors --cell 37,37 >"$work/anchors_edge.txt"
check "a centre on the edge is not called outside" test "$(grep -c "lies outside" "$work/anchors_edge.txt")" -eq 0
"$cli" anchors --cell 18,25 >"$work/anchors2.txt"
check "cell (18, 25) is centred at (408, 296)" grep -q "= (408, 296)" "$work/anchors2.txt"

# --explain ends with the value written to --out at that position (6 significant digits or better).
conv=$fixtures/layers/conv2d_k3_s2_same_odd
"$cli" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --bias "$conv/weight1.npy" --strides 2 \
    --padding same --activation elu --explain 6,7,4 --out "$work/y.npy" >"$work/explain.txt"
explained=$(sed -n 's/^output\[6, 7, 4\] = //p' "$work/explain.txt")
written=$(sed -n 's/^written to .* at \[6, 7, 4\]: //p' "$work/explain.txt")
check "explain prints the output ($explained) and the value written ($written)" test -n "$explained" -a -n "$written"
check "they agree to 1e-5" awk -v a="$explained" -v b="$written" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= 1e-5 * (m > 1e-3 ? m : 1e-3)) }'
check "the padded bottom row is marked" grep -q "pad 0" "$work/explain.txt"
check "the elu definition is printed" grep -q "elu(x) = x if x > 0, else alpha \* (exp(x) - 1)" "$work/explain.txt"
check "every input channel has its partial sum" test "$(grep -c "partial sum of channel" "$work/explain.txt")" -eq 3

# data_format, initializers, regularizers and constraints.
"$cli" shape --input 3,600,600 --filters 64 --kernel-size 3 --strides 2 --padding same --data-format channels_first \
    --kernel-initializer he_normal --bias-initializer "constant(0.1)" --kernel-regularizer "l2(0.01)" \
    --kernel-constraint "max_norm(0.5, axis=[0, 1, 2])" --seed 4 >"$work/cf.txt"
check "channels_first output shape" grep -qx "output shape: (None, 64, 300, 300)   (batch, channels, rows, cols)" "$work/cf.txt"
check "channels_first Keras line" grep -q "data_format=\"channels_first\", kernel_initializer=\"he_normal\", bias_initializer=initializers.Constant(value=0.1), kernel_regularizer=regularizers.l2(0.01), kernel_constraint=constraints.max_norm(0.5, axis=\[0, 1, 2\])) on input (None, 3, 600, 600)" "$work/cf.txt"
check "he_normal formula with the layer's numbers" grep -q "sqrt(2 / fan_in) / 0.87962566103423978 = sqrt(2 / 27) / 0.87962566103423978 = 0.3094106" "$work/cf.txt"
check "the l2 penalty is printed" grep -qE "kernel_regularizer l2\(0.01\) adds 0.01 \* sum\(w\^2\) = 0.01 \* [0-9.]+ = [0-9.]+ over 1,728 values" "$work/cf.txt"
check "the constraint's effect is printed" grep -qE "64 norms over axis \[0, 1, 2\].* of them exceed 0.5" "$work/cf.txt"
check "training only is said" grep -q "in training only (the forward pass, shapes and maps do not change)" "$work/cf.txt"
"$cli" shape --input 600,600,3 --filters 64 --kernel-size 3 >"$work/glorot.txt"
check "glorot_uniform's formula" grep -q "limit = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (27 + 576)) = 0.09975" "$work/glorot.txt"
"$cli" conv --input "$conv/input0.npy" --filters 4 --kernel-size 3 --kernel-initializer lecun_uniform --seed 2 \
    --activity-regularizer "l1(0.001)" --out "$work/drawn.npy" >"$work/drawn.txt"
check "conv draws the kernel when none is given" grep -q "kernel_initializer: lecun_uniform" "$work/drawn.txt"
check "the activity penalty is computed on the output" grep -qE "activity_regularizer l1\(0.001\) adds 0.001 \* sum\(\|y\|\)" "$work/drawn.txt"

# The quiz, scripted: the seed's first example right, the second wrong, then the input ends.
printf '(None, 600, 600, 64)\n256\n600,600,64\n832\n' | "$cli" quiz --seed 0 >"$work/quiz.txt"
check "a right answer is said so" grep -q "^RIGHT" "$work/quiz.txt"
check "a wrong answer shows the worked formula" grep -q "shape wrong: it is (None, 599, 599, 64)" "$work/quiz.txt"
check "the score at the end" grep -q "Score: 1 of 2 questions right (shapes 1, parameters 2); stopped after 2 of 18" "$work/quiz.txt"
check "the mistake to revisit" grep -q "2. Conv2D(64, (2, 2)) on an input of shape (None, 600, 600, 3): what comes out?" "$work/quiz.txt"

# Compare A / B: 3x3 'same' against 5x5 strides 2 (tests/test_conv_compare.cpp derives the same numbers).
A="--input 600,600,3 --filters 16 --kernel-size 3 --padding same"
B="--input 600,600,3 --filters 16 --kernel-size 5 --strides 2 --padding same"
"$cli" compare --a "$A" --b "$B" >"$work/compare.txt"
check "compare stars the changed arguments" grep -qE "^\* strides +\(1, 1\) +\(2, 2\)$" "$work/compare.txt"
check "compare leaves the shared ones unstarred" grep -qE "^  filters +16 +16$" "$work/compare.txt"
check "compare: the odd 'same' padding goes after" grep -qE "^\* padding rows +top 1, bottom 1 +top 1, bottom 2$" "$work/compare.txt"
check "compare: output shapes" grep -qE "^\* output shape +\(None, 600, 600, 16\) +\(None, 300, 300, 16\)$" "$work/compare.txt"
check "compare: counts as B / A" grep -q "^B / A: parameters 2.71x, MACs 0.69x$" "$work/compare.txt"
"$cli" compare --a "$A" --b "--input 600,600,3 --filters 16 --kernel-size 3 --padding same --dilation-rate 2" \
    --sample chelsea --channel 3 --normalization symmetric --out "$work/compare.png" >"$work/compare_maps.txt"
check "compare writes one PNG" test -s "$work/compare.png"
check "compare prints the shared range" grep -qE "^  shared range \(both painted with it\): \[-[0-9.e+-]+, [0-9.e+-]+\]$" "$work/compare_maps.txt"
check "compare prints B - A for maps of one size" grep -qE "^  B - A: \[" "$work/compare_maps.txt"
# The shared symmetric range is the wider of the two layers' symmetric ranges.
lo=$(sed -n 's/^  shared range.*\[\(.*\), .*/\1/p' "$work/compare_maps.txt")
a_lo=$(sed -n 's/^  A channel 3: .*symmetric range \[\(.*\), .*/\1/p' "$work/compare_maps.txt")
b_lo=$(sed -n 's/^  B channel 3: .*symmetric range \[\(.*\), .*/\1/p' "$work/compare_maps.txt")
check "the shared range is the wider of A's and B's" awk -v s="$lo" -v a="$a_lo" -v b="$b_lo" 'BEGIN { m = a < b ? a : b; exit !(s == m) }'
# Each side's channel line is that channel's own values whatever the normalisation (per-layer and symmetric
# printed the layer's range as the channel's), the same as per-channel prints, and inside its layer's range.
"$cli" compare --a "$A" --b "$B" --sample chelsea --channel 3 --normalization per-channel >"$work/compare_own.txt"
"$cli" compare --a "$A" --b "$B" --sample chelsea --channel 3 --normalization per-layer >"$work/compare_layer.txt"
own=$(sed -n 's/^  A channel 3: \(\[[^]]*\]\)$/\1/p' "$work/compare_own.txt")
check "per-layer prints A's own channel range first" grep -qF "  A channel 3: $own; its layer's per-layer range [" "$work/compare_layer.txt"
check "the channel's range lies inside its layer's" awk '/^  A channel 3:/ { gsub(/[][;,]/, " "); exit !($4 >= $10 && $5 <= $11 && ($4 != $10 || $5 != $11)) }' "$work/compare_layer.txt"
# Maps of different sizes (600 against 300): no B - A, and the line says why with both sizes.
check "compare says why B - A is missing" grep -qx "  B - A is not drawn: A is 600 x 600 and B 300 x 300, .*" "$work/compare_own.txt"
# A constant channel says so: a ReLU layer whose kernel and bias are zeros outputs 0 everywhere.
"$cli" compare --a "$A" --b "--input 600,600,3 --filters 16 --kernel-size 3 --padding same --activation relu --kernel-initializer zeros" \
    --sample chelsea --channel 3 >"$work/compare_dead.txt"
check "compare marks B's constant channel" grep -qx "  B channel 3: \[0, 0\] (constant: every value is 0)" "$work/compare_dead.txt"
check "and not A's, which varies" grep -q "^  A channel 3: \[[^]]*\]$" "$work/compare_dead.txt"
fails_with "B is impossible" compare --a "$A" --b "--input 4,4,3 --filters 2 --kernel-size 5"
fails_with "--out needs an image" compare --a "$A" --b "$B" --out "$work/x.png"
fails_with "--b: " compare --a "$A" --b "--input 600,600,3 --filters 16 --kernel-size 3 --bogus 1"
check "a failed compare leaves no file" test ! -e "$work/x.png"

# The inspector's statistics (run --stats) on an input whose numbers are known by construction: 32 x 32 pixels
# alternating (0, 1, 2) and (1, 1, 4), so channel 0 is half 0s and half 1s (mean 0.5, std 0.5, the two end
# bins of the histogram 512 each), channel 1 all 1s (std 0, every value in the first bin), channel 2 half 2s
# and half 4s (mean 3, std 1).
{
    header="{'descr': '<f4', 'fortran_order': False, 'shape': (32, 32, 3), }"
    printf '\x93NUMPY\x01\x00\x76\x00%s' "$header"
    printf '%*s\n' $((118 - ${#header} - 1)) ''  # the header padded to 128 bytes in all
    for _ in $(seq 512); do
        printf '\x00\x00\x00\x00\x00\x00\x80\x3f\x00\x00\x00\x40'  # 0, 1, 2 as little-endian float32
        printf '\x00\x00\x80\x3f\x00\x00\x80\x3f\x00\x00\x80\x40'  # 1, 1, 4
    done
} >"$work/known.npy"
"$cli" run --input-npy "$work/known.npy" --stages 4 --layers input --stats --export-dir "$work/stats" >"$work/stats.txt"
zeros30=$(printf ' 0%.0s' $(seq 30))
check "channel 0: half 0, half 1" grep -qx "input channel 0: min 0, max 1, mean 0.5, std 0.5 over 1024 values; histogram: 512$zeros30 512" "$work/stats.txt"
check "channel 1: constant" grep -qx "input channel 1: min 1, max 1, mean 1, std 0 over 1024 values; histogram: 1024$zeros30 0" "$work/stats.txt"
check "channel 2: half 2, half 4" grep -qx "input channel 2: min 2, max 4, mean 3, std 1 over 1024 values; histogram: 512$zeros30 512" "$work/stats.txt"

# shape only does arithmetic: an output far over the activations budget (298 GiB) still gets its numbers.
"$cli" shape --input 100000,100000,3 --filters 8 --kernel-size 3 >"$work/huge_shape.txt"
check "shape of a 100000 x 100000 input" grep -qx "output shape: (None, 99998, 99998, 8)" "$work/huge_shape.txt"
check "its MACs (99998 * 99998 * 8 * 27)" grep -q "^MACs: 2,159,913,600,864 = " "$work/huge_shape.txt"

finish
