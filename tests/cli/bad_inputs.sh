#!/bin/bash
# convscope-cli with input it cannot use: each case must exit with status 2, print exactly one line on
# stderr that names what was wrong and what is expected, and leave no output file or folder behind.
# Usage (from CTest): bad_inputs.sh CLI FIXTURES_DIR ASSETS_DIR
set -u
cli=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect_failure TEXT ARGS...: the command must fail as described above, with TEXT in its message.
expect_failure() {
    local text=$1
    shift
    "$cli" "$@" >"$work/stdout" 2>"$work/stderr"
    local status=$? lines
    lines=$(wc -l <"$work/stderr")
    if [ "$status" -ne 2 ]; then
        echo "FAIL [$*]: exit status $status, expected 2"; cat "$work/stderr"; failures=$((failures + 1))
    elif [ "$lines" -ne 1 ]; then
        echo "FAIL [$*]: $lines lines on stderr, expected 1:"; cat "$work/stderr"; failures=$((failures + 1))
    elif ! grep -qF -- "$text" "$work/stderr"; then
        echo "FAIL [$*]: stderr does not contain \"$text\":"; cat "$work/stderr"; failures=$((failures + 1))
    elif [ -e "$work/out" ] || [ -e "$work/y.npy" ] || ls "$work"/*.tmp* >/dev/null 2>&1; then
        echo "FAIL [$*]: output was left behind"; ls -la "$work"; failures=$((failures + 1))
    else
        echo "ok   $(cat "$work/stderr")"
    fi
    rm -rf "$work/out" "$work/y.npy"
}

# Bad files to feed it.
printf 'this is not an image' >"$work/text.png"
: >"$work/empty.jpg"
head -c 300 "$3/chelsea.png" >"$work/truncated.png"
conv=$fixtures/layers/conv2d_k3_relu
head -c 100 "$conv/input0.npy" >"$work/truncated.npy"
# Same header length, float64 instead of float32.
sed 's/<f4/<f8/' "$conv/input0.npy" >"$work/float64.npy"
printf 'plain text, not numpy' >"$work/text.npy"

# Images.
expect_failure "cannot open the image file" run --image "$work/missing.png" --export-dir "$work/out"
expect_failure "not a PNG, JPEG, BMP or GIF file" run --image "$work/text.png" --export-dir "$work/out"
expect_failure "the file is empty" run --image "$work/empty.jpg" --export-dir "$work/out"
expect_failure "the PNG file is truncated or damaged" run --image "$work/truncated.png" --export-dir "$work/out"
expect_failure "no bundled sample named \"dog\"" run --sample dog --export-dir "$work/out"

# Arrays.
expect_failure "float32" run --input-npy "$work/float64.npy" --export-dir "$work/out"
expect_failure "truncated" run --input-npy "$work/truncated.npy" --export-dir "$work/out"
expect_failure "expected 3 (H, W, C)" run --input-npy "$conv/weight1.npy" --export-dir "$work/out"
expect_failure "64 channels, expected 3" run --input-npy "$fixtures/layers/conv2d_k3_s2_same_cin64/input0.npy" --export-dir "$work/out"
expect_failure "not a NumPy .npy file" conv --input "$work/text.npy" --kernel "$conv/weight0.npy" --out "$work/y.npy"
expect_failure "expected 4 (kh, kw, in, out)" conv --input "$conv/input0.npy" --kernel "$conv/input0.npy" --out "$work/y.npy"
expect_failure "input channels" conv --input "$fixtures/layers/conv2d_k3_s2_same_cin64/input0.npy" --kernel "$conv/weight0.npy" --out "$work/y.npy"
expect_failure "bias has" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --bias "$fixtures/layers/conv2d_k3_s2_same_cin64/weight1.npy" --out "$work/y.npy"

# Impossible parameters.
expect_failure "Keras allows only one of them to exceed 1" shape --input 600,600,3 --filters 64 --kernel-size 3 --strides 2 --dilation-rate 2
expect_failure "filters=0" shape --input 600,600,3 --filters 0 --kernel-size 3
expect_failure "kernel_size=(0, 3)" shape --input 600,600,3 --filters 8 --kernel-size 0,3
expect_failure "output height would be -1" shape --input 5,5,3 --filters 8 --kernel-size 7
expect_failure "padding=\"full\"" shape --input 5,5,3 --filters 8 --kernel-size 3 --padding full
expect_failure "expected H,W,C" shape --input 5,5 --filters 8 --kernel-size 3
expect_failure "expected a whole number" shape --input 5,5,3 --filters eight --kernel-size 3
expect_failure "unknown option --filter" shape --input 5,5,3 --filter 8 --kernel-size 3
expect_failure "include_top needs stage 5" summary --stages 4 --include-top
expect_failure "height and width must be at least 1" summary --input-size 0
expect_failure "height and width must be at least 1" run --sample chelsea --input-size 64,0 --export-dir "$work/out"
expect_failure "unknown command" frobnicate
expect_failure "no node named \"res9a\"" run --sample chelsea --input-size 64 --layers res9a --export-dir "$work/out"

# Weights files that cannot be used.
h5=$fixtures/h5
expect_weights_failure() {  # TEXT FILE: run with --weights FILE must fail with TEXT
    expect_failure "$1" run --sample chelsea --input-size 64 --weights "$2" --export-dir "$work/out"
}
expect_weights_failure "is not an HDF5 file; expected a Keras HDF5 weights file" "$h5/not_hdf5.h5"
expect_weights_failure "could not be opened as HDF5" "$h5/truncated.h5"
expect_weights_failure "is not a Keras HDF5 weights file (no layer_names attribute" "$h5/no_layer_names.h5"
expect_weights_failure "layer \"conv1\" kernel has shape (3, 3, 2, 3), the graph expects (7, 7, 3, 64)" "$h5/keras2.h5"
expect_weights_failure "cannot be read: No such file or directory" "$work/no_such_file.h5"
expect_weights_failure "is a directory" "$h5"

# Unwritable destinations: a regular file where a folder should be (root may write anywhere else).
touch "$work/file"
expect_failure "$work/file" run --sample chelsea --input-size 64 --export-dir "$work/file/out"
expect_failure "$work/file" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --out "$work/file/y.npy"
# A named pipe (or a device) is refused, never replaced by the output, as is a link to nothing (the rename that
# makes writes atomic would put a plain file in its place); a link to a regular file is written through.
mkdir -p "$work/special" && mkfifo "$work/special/pipe.npy" && ln -s missing.npy "$work/special/dangling.npy"
expect_failure "it is a named pipe (FIFO)" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --out "$work/special/pipe.npy"
expect_failure "symbolic link to a missing file" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --out "$work/special/dangling.npy"
if [ ! -p "$work/special/pipe.npy" ] || [ ! -L "$work/special/dangling.npy" ] || [ "$(ls "$work/special" | wc -l)" -ne 2 ]; then
    echo "FAIL: the pipe or the link was replaced, or something was left beside them"; ls -la "$work/special"
    failures=$((failures + 1))
fi

# The teaching commands and the Conv2D arguments.
expect_failure "row must be 0..5" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --strides 2 --padding same --explain 6,0,0 --out "$work/y.npy"
expect_failure "expected ROW,COL,FILTER" conv --input "$conv/input0.npy" --kernel "$conv/weight0.npy" --explain 1,2 --out "$work/y.npy"
expect_failure "initializer \"he_gaussian\": expected glorot_uniform" shape --input 5,5,3 --filters 8 --kernel-size 3 --kernel-initializer he_gaussian
expect_failure "regularizer \"l3(0.1)\"" shape --input 5,5,3 --filters 8 --kernel-size 3 --kernel-regularizer "l3(0.1)"
expect_failure "axis 5 does not exist" shape --input 5,5,3 --filters 8 --kernel-size 3 --kernel-constraint "unit_norm(axis=5)"
expect_failure "data_format=\"nchw\"" shape --input 5,5,3 --filters 8 --kernel-size 3 --data-format nchw
expect_failure "activation=\"leaky\"" shape --input 5,5,3 --filters 8 --kernel-size 3 --activation leaky
expect_failure "ROW must be 0..37" anchors --cell 38,0
expect_failure "give --filters and --kernel-size" conv --input "$conv/input0.npy" --out "$work/y.npy"

exit $((failures > 0))
