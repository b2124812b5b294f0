#!/bin/bash
# convscope-cli run --weights with files that cannot be used: each must print one line on stderr that says
# what was wrong and what was expected, exit with status 2, and write no export folder.
# Usage (from CTest): weights_errors.sh CLI FIXTURES_DIR ASSETS_DIR
set -u
cli=$1
h5=$2/h5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect_failure FILE TEXT: run with --weights FILE; stderr must be one line containing TEXT.
expect_failure() {
    local file=$1 text=$2
    "$cli" run --sample chelsea --input-size 64 --weights "$file" --export-dir "$work/out" \
        >"$work/stdout" 2>"$work/stderr"
    local status=$?
    local lines
    lines=$(wc -l <"$work/stderr")
    if [ "$status" -ne 2 ]; then
        echo "FAIL $file: exit status $status, expected 2"; failures=$((failures + 1))
    elif [ "$lines" -ne 1 ]; then
        echo "FAIL $file: $lines lines on stderr, expected 1:"; cat "$work/stderr"; failures=$((failures + 1))
    elif ! grep -qF -- "$text" "$work/stderr"; then
        echo "FAIL $file: stderr does not contain \"$text\":"; cat "$work/stderr"; failures=$((failures + 1))
    elif [ -e "$work/out" ]; then
        echo "FAIL $file: the export folder was created"; failures=$((failures + 1))
    else
        echo "ok   $file: $(cat "$work/stderr")"
    fi
    rm -rf "$work/out"
}

expect_failure "$h5/not_hdf5.h5" "is not an HDF5 file; expected a Keras HDF5 weights file"
expect_failure "$h5/truncated.h5" "could not be opened as HDF5"
expect_failure "$h5/no_layer_names.h5" "is not a Keras HDF5 weights file (no layer_names attribute"
expect_failure "$h5/keras2.h5" "layer \"conv1\" kernel has shape (3, 3, 2, 3), the graph expects (7, 7, 3, 64)"
expect_failure "$work/no_such_file.h5" "cannot be read: No such file or directory"
expect_failure "$h5" "is a directory"

exit $((failures > 0))
