#!/bin/bash
# convscope-cli against hostile files and command lines: every case must exit with status 2 and one
# printable line on stderr, under a 4 GB address-space limit (a file or option that makes the program
# allocate gigabytes fails the case), and leave no folder behind. The files of shared/fuzz-reproducers
# (beside the clone, or beside the folder holding it) are replayed with the command lines their README
# gives; without that folder those cases are skipped with a message.
# Usage (from CTest): hostile_files.sh CLI FIXTURES_DIR ASSETS_DIR
set -u
cli="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
failures=0
# Each command's wall-clock limit: a hang fails its case. Under emulation (an AArch64 build run by qemu-aarch64,
# scripts/test-arm64.sh) the same run takes several times as long.
command_seconds=60
[ -n "${CONVSCOPE_EMULATED:-}" ] && command_seconds=300

# expect_refusal TEXT ARGS...   (LIMIT_KB=N for another address-space limit than 4 GB)
expect_refusal() {
    local text=$1
    shift
    # A sanitizer build reserves terabytes of address space for its shadow memory: no limit there.
    (if [ -z "${CONVSCOPE_SANITIZED:-}" ]; then ulimit -v "${LIMIT_KB:-4194304}"; fi
     cd "$work" && timeout "$command_seconds" "$cli" "$@") >"$work/stdout" 2>"$work/stderr"
    local status=$? lines
    lines=$(wc -l <"$work/stderr")
    if [ "$status" -ne 2 ]; then
        echo "FAIL [$*]: exit status $status, expected 2"; head -c 2000 "$work/stderr"; failures=$((failures + 1))
    elif [ "$lines" -ne 1 ]; then
        echo "FAIL [$*]: $lines lines on stderr, expected 1:"; head -c 2000 "$work/stderr"; failures=$((failures + 1))
    elif LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$work/stderr"); then
        echo "FAIL [$*]: control characters on stderr:"; cat -v "$work/stderr"; failures=$((failures + 1))
    elif ! grep -qF -- "$text" "$work/stderr"; then
        echo "FAIL [$*]: stderr does not contain \"$text\":"; cat "$work/stderr"; failures=$((failures + 1))
    elif [ -e "$work/out" ] || [ -e "$work/exports" ] || [ -e "$work/y.npy" ]; then
        echo "FAIL [$*]: output was left behind"; ls -la "$work"; failures=$((failures + 1))
    else
        echo "ok   $(cat "$work/stderr")"
    fi
    rm -rf "$work/out" "$work/exports" "$work/y.npy"
}

# expect_small_success TEXT ARGS...: exit status 0 and TEXT on stdout under a 512 MB address-space limit
expect_small_success() {
    local text=$1
    shift
    (if [ -z "${CONVSCOPE_SANITIZED:-}" ]; then ulimit -v 524288; fi
     cd "$work" && timeout "$command_seconds" "$cli" "$@") >"$work/stdout" 2>"$work/stderr"
    local status=$?
    if [ "$status" -ne 0 ] || ! grep -qF -- "$text" "$work/stdout"; then
        echo "FAIL [$*]: exit status $status, stdout without \"$text\":"; tail -3 "$work/stdout" "$work/stderr"
        failures=$((failures + 1))
    else
        echo "ok   $*: $(grep -F -- "$text" "$work/stdout")"
    fi
}

# Command lines (no file needed).
# shape's numbers come from the shapes: a kernel within the weights budget but of 822 MB is not allocated.
expect_small_success "not drawn: 205,520,896 kernel values" shape --input 32,32,2048 --filters 2048 --kernel-size 7 \
    --kernel-regularizer 'l2(0.01)'
expect_refusal "more than 8 EiB" bench --input 1,1,65536 --filters 65536 --kernel-size 32768 --padding same
expect_refusal "more than 8 EiB" shape --input 1,1,65536 --filters 65536 --kernel-size 32768 --padding same
expect_refusal "spans (9 - 1) * 536870912 + 1" shape --input 5,5,1 --filters 1 --kernel-size 9 --dilation-rate 536870912
expect_refusal "weights budget" shape --input 600,600,3 --filters 400000 --kernel-size 30
expect_refusal "expected a whole number from 1 to 256" run --sample chelsea --threads 100000
expect_refusal "expected a whole number from 1 to 256" bench --threads 0
expect_refusal "activations budget" bench --input 1000000,1000000,3 --filters 1 --kernel-size 1
expect_refusal "unknown option --\\x1b[31m" run --$'\e[31m'red
expect_refusal "more bytes)" run --image "$(printf 'x%.0s' $(seq 1 3000)).png" --export-dir out

# Files that are not files.
mkfifo "$work/pipe.npy" "$work/pipe.png" "$work/pipe.h5"
expect_refusal "is a FIFO (named pipe)" run --input-npy "$work/pipe.npy" --export-dir out
expect_refusal "is a FIFO (named pipe)" run --image "$work/pipe.png" --export-dir out
expect_refusal "is a FIFO (named pipe)" run --sample chelsea --weights "$work/pipe.h5" --export-dir out
expect_refusal "is a character device" run --input-npy /dev/zero --export-dir out
expect_refusal "is a character device" run --image /dev/urandom --export-dir out
# A sparse 2 GB .npy whose header promises a (1, 1, 3) array: only the array is read.
printf "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 3), }" >"$work/sparse.npy"
printf '%*s\n' $((0x76 - 62)) '' | tr -d '\n' >>"$work/sparse.npy"; printf '\n' >>"$work/sparse.npy"
truncate -s 2G "$work/sparse.npy"
expect_refusal "sparse.npy: the array is (1, 1, 3)" run --input-npy "$work/sparse.npy" --export-dir out --input-size 64
# A run that fails after its export folder was made (out of memory under a 1.2 GB limit) leaves no folder.
if [ -z "${CONVSCOPE_SANITIZED:-}" ]; then
    LIMIT_KB=1200000 expect_refusal "out of memory" run --sample chelsea --export-dir out/deeper
else
    echo "skipped under a sanitizer (no address-space limit): the run that fails for lack of memory"
fi

reproducers=""
for candidate in "$root/../shared/fuzz-reproducers" "$root/../../shared/fuzz-reproducers"; do
    if [ -d "$candidate" ]; then reproducers=$(cd "$candidate" && pwd); break; fi
done
if [ -z "$reproducers" ]; then
    echo "skipped: no shared/fuzz-reproducers folder beside the clone"
else
    r=$reproducers
    expect_refusal "has an empty axis" run --input-npy "$r/npy-memcpy-null-empty-array.npy" --export-dir out
    expect_refusal "\\n'fortran_order'" conv --input "$r/npy-header-newlines-escape.npy" --kernel "$r/conv-kernel-9x9x1x1.npy" --out y.npy
    expect_refusal "spans (9 - 1) * 536870912 + 1" conv --input "$r/conv-input-5x5x1.npy" --kernel "$r/conv-kernel-9x9x1x1.npy" --dilation-rate 536870912 --out y.npy
    for f in "$r"/stb-*; do
        expect_refusal "$f: " run --image "$f" --export-dir out --input-size 64
    done
    cp "$r/stb-pnm16-heap-overread.pnm" "$work/renamed.png"
    expect_refusal "not a PNG, JPEG, BMP or GIF file" run --image "$work/renamed.png" --export-dir out
    for f in "$r"/hdf5-*; do
        expect_refusal "weights file $f" run --sample chelsea --weights "$f" --export-dir out --input-size 64
    done
fi
[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
