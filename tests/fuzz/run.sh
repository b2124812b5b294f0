#!/usr/bin/env bash
# Fuzzing: builds the libFuzzer harnesses with clang (AddressSanitizer + UndefinedBehaviorSanitizer), runs
# each for a bounded time, then replays the committed seed corpus and every hostile file of the shared
# reproducers folder through the harness of its kind. Exits non-zero on any crash, leak or trap.
#
#   tests/fuzz/run.sh [SECONDS]      SECONDS per harness (default 30); 0 only replays
# CONVSCOPE_FUZZ_BUILD names the build directory (default build-fuzz/); one already configured with
# -DCONVSCOPE_FUZZ=ON is used as it is.
# The reproducers are looked for in shared/fuzz-reproducers beside the clone (or beside the folder that
# holds it); without them that part is skipped with a message. New inputs the fuzzer finds go to a
# temporary folder, never into the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds=${1:-30}
build=${CONVSCOPE_FUZZ_BUILD:-$root/build-fuzz}
harnesses=(npy image weights cli_args session)

if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz: clang++ not found (Debian package clang): skipping the fuzzing stage"
    exit 0
fi
if [ -f "$build/CMakeCache.txt" ] && grep -q '^CONVSCOPE_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
    :  # a fuzzing build configured before (scripts/test.sh asan: the same build also has the tests)
else
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
          -DCMAKE_CXX_COMPILER=clang++ -DCONVSCOPE_FUZZ=ON -DCONVSCOPE_BUILD_GUI=ON -DBUILD_TESTING=OFF >/dev/null  # the session harness links the GUI's objects
fi
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}" 2>&1 | tail -3

work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work  # the harnesses' input files
# Leaks are findings too; the decoder process is checked by the harnesses through what it returns.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# A reader that needs more than this for one input is a finding (the budgets are far below it).
flags=(-rss_limit_mb=3072 -malloc_limit_mb=2560 -timeout=60 -print_final_stats=0)

fuzzer() {  # HARNESS: the executable
    echo "$build/tests/fuzz/fuzz_$1"
}

fuzz_one() {  # HARNESS: fuzzes it for $seconds; its log is $work/HARNESS.log
    local h=$1
    mkdir -p "$work/corpus/$h"
    "$(fuzzer "$h")" "${flags[@]}" -max_total_time="$seconds" -max_len=65536 \
        -artifact_prefix="$work/$h-" "$work/corpus/$h" "$root/tests/fuzz/corpus/$h" >"$work/$h.log" 2>&1
}

# The harnesses run side by side, one per core: each is single-threaded, and CI's budget counts wall time.
if [ "$seconds" -gt 0 ]; then
    slots=$(nproc)
    pending=("${harnesses[@]}")
    declare -A pid_of=()
    failed=""
    while [ ${#pending[@]} -gt 0 ] || [ ${#pid_of[@]} -gt 0 ]; do
        while [ ${#pending[@]} -gt 0 ] && [ ${#pid_of[@]} -lt "$slots" ]; do
            h=${pending[0]}
            pending=("${pending[@]:1}")
            echo "fuzz: fuzz_$h for ${seconds}s"
            fuzz_one "$h" &
            pid_of[$h]=$!
        done
        wait -n || true
        for h in "${!pid_of[@]}"; do
            kill -0 "${pid_of[$h]}" 2>/dev/null && continue
            if wait "${pid_of[$h]}"; then
                echo "fuzz: fuzz_$h: $(grep -E "^(#[0-9]+|Done)" "$work/$h.log" | tail -1 || true)"
            else
                failed="$failed $h"
            fi
            unset "pid_of[$h]"
        done
    done
    if [ -n "$failed" ]; then
        for h in $failed; do
            tail -40 "$work/$h.log"
            echo "fuzz: fuzz_$h found a problem; the input is in the log above"
        done
        exit 1
    fi
fi

replay() {  # HARNESS FILES...: runs each file once
    local h=$1
    shift
    [ "$#" -gt 0 ] || return 0
    "$(fuzzer "$h")" "${flags[@]}" "$@" >"$work/replay.log" 2>&1 || {
        tail -40 "$work/replay.log"
        echo "fuzz: replaying through fuzz_$h failed"
        exit 1
    }
    echo "fuzz: replayed $# file(s) through fuzz_$h"
}

for h in "${harnesses[@]}"; do
    replay "$h" "$root"/tests/fuzz/corpus/"$h"/*
done

reproducers=""
for candidate in "$root/../shared/fuzz-reproducers" "$root/../../shared/fuzz-reproducers"; do
    if [ -d "$candidate" ]; then reproducers=$candidate; break; fi
done
if [ -z "$reproducers" ]; then
    echo "fuzz: no shared/fuzz-reproducers folder beside the clone: skipping their replay"
    exit 0
fi
shopt -s nullglob
replay npy "$reproducers"/*.npy
replay image "$reproducers"/*.jpg "$reproducers"/*.png "$reproducers"/*.pnm "$reproducers"/*.bmp "$reproducers"/*.gif
replay weights "$reproducers"/*.h5
replay session "$reproducers"/*.json
echo "fuzz: done"
