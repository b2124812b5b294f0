#!/usr/bin/env bash
# The test command (README) and CI's only step (.ci/run): installs what is missing, then runs the stages
# named (by default those in all_stages below) in order and stops at the first failure. Each build has its
# own directory, so a sanitizer build never reuses objects compiled without it.
#
#   release  build/       Release build of everything, every CTest test: the Catch2 unit tests (with the
#                         check that CTest runs each of them once), the CLI tests, the GUI smoke tests
#                         under Xvfb
#   tsan     build-tsan/  clang with ThreadSanitizer (-DCONVSCOPE_SANITIZE=thread): the Catch2 tests but the long
#                         numeric sweeps named in tsan_skip (minutes each under TSan, and they run the same
#                         parallel_for paths as the tests kept), and the GUI's GL-free tests (the worker's
#                         jobs and the 4-thread request / cancel / render stress test); no window is opened.
#                         A data race or a lock-order inversion fails the test that shows it.
#   asan     build-asan/  clang with AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's coverage
#                         (-DCONVSCOPE_FUZZ=ON): the Catch2 tests, the CLI tests and the GUI tests but the
#                         pixel layout checks and the xdotool cases (asan_skip: they drive the same code as
#                         the GUI smoke tests kept, for pixels and clicks, and take minutes) and the GUI's
#                         replay of the shared hostile files (the readers it reaches are the fuzz harnesses'
#                         and cli.hostile_files', both run here; the GUI's handling of their errors runs in
#                         release), with the OpenGL driver's own leaks suppressed by tests/sanitizers/lsan.supp;
#                         then, from the same build, each reader fuzzed for 30 s (one per core at a time) and
#                         the seed corpus and ../shared/fuzz-reproducers replayed (tests/fuzz/run.sh). Memory
#                         errors, leaks and undefined behaviour fail it.
#   fuzz     build-fuzz/  only the fuzzing part of asan, in a build of its own (tests/fuzz/run.sh)
#
# Usage: scripts/test.sh [STAGE...]   (default: the stages in all_stages below; any stage above by name)
#
# Adding a stage: write a function stage_NAME below (configure, build, run_ctest do the common work); append
# NAME to all_stages once it is seen passing, so that CI runs it. Sanitizer builds keep assertions (no NDEBUG)
# and debug info at -O2.
# The time and CPU time of each stage are printed, to keep an eye on CI's budget (2 cores, 30 minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs=$(nproc)
sanitizers="$root/tests/sanitizers"
# What CI runs. From a cold cache on 2 cores (a fresh clone, nothing else running, 2026-12-06, with precompiled
# headers and Ninja): release about 10 minutes (its build about 5, its tests 4.7), tsan about 6 (build 2.5; clang:
# gcc took 2.6 times as long to compile the same sources under a sanitizer), asan about 11.5 (build 5.5, tests 4,
# fuzzing 2; the fuzz stage is only for running the fuzzers alone); 28 minutes in all, where the same run took 29
# before the precompiled headers and Ninja (the builds of the sanitizer stages were 1.5 to 2 minutes longer each).
# Then arm64 (scripts/test-arm64.sh quick: the AArch64 cross build and its kernel, layer, ResNet50 and CLI tests
# under qemu-aarch64, about 5 minutes from a cold cache) when the stages before it finished within 19 minutes, so
# that CI stays under its 30; else it says it was skipped (run scripts/test-arm64.sh itself).
all_stages=(release tsan asan arm64)
arm64_deadline_seconds=$((19 * 60))

# ccache (installed by install-deps.sh) only speeds up a second run; a fresh machine just fills its cache. Sources
# compiled with a precompiled header (cmake/PrecompiledHeaders.cmake) are cached only with the sloppiness below.
launcher=()
if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:+$CCACHE_SLOPPINESS,}pch_defines,time_macros"
fi

# Ninja (installed by install-deps.sh) schedules the whole build at once: the asan stage's build took 305 s with it
# against 359 s with make -j2 (cold cache, 2 cores, 2026-12-06). A build directory made before with another
# generator keeps it (CMake cannot switch one).
configure() {  # configure BUILD_DIR CMAKE_ARGS...
    local dir=$1
    shift
    local cache="$root/$dir/CMakeCache.txt" generator=()
    if command -v ninja >/dev/null && { [ ! -f "$cache" ] || grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; }; then
        generator=(-G Ninja)
    fi
    cmake "${generator[@]}" -S "$root" -B "$root/$dir" "${launcher[@]}" "$@" >/dev/null
}

build() {  # build BUILD_DIR [TARGET...]
    local dir=$1
    shift
    local targets=()
    for t in "$@"; do targets+=(--target "$t"); done
    cmake --build "$root/$dir" -j"$jobs" "${targets[@]}"
}

run_ctest() {  # run_ctest BUILD_DIR CTEST_ARGS...
    local dir=$1
    shift
    (cd "$root/$dir" && ctest --output-on-failure -j"$jobs" "$@")
}

# -O2 with line tables and assertions: fast enough for the ResNet50 tests, and reports name source lines.
sanitizer_build_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1"
                       "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1")

stage_release() {
    configure build -DCMAKE_BUILD_TYPE=Release
    build build
    run_ctest build --timeout 600
}

# Numeric sweeps over many sizes and every ISA, and the PyTorch comparisons of the whole network: under
# ThreadSanitizer they are the slowest tests by far, and their threading is the engine's and the kernels'
# parallel_for, which the thread-count, cancellation and engine tests run too.
tsan_skip='randomised sweep|larger than the streaming threshold|matches PyTorch at every node'

stage_tsan() {
    configure build-tsan "${sanitizer_build_flags[@]}" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCONVSCOPE_SANITIZE=thread -DCONVSCOPE_BUILD_GUI=ON
    build build-tsan convscope_tests convscope_gui_tests convscope-decode
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$sanitizers/tsan.supp" \
        run_ctest build-tsan -L '^(catch2|gui_model)$' -E "$tsan_skip" --timeout 1200
}

asan_skip='^gui_layout_|^gui_interact_|^gui_hostile_files$'

stage_asan() {
    if ! command -v clang++ >/dev/null; then
        echo "asan: clang++ not found (Debian package clang, which install-deps.sh installs)" >&2
        return 1
    fi
    configure build-asan "${sanitizer_build_flags[@]}" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCONVSCOPE_FUZZ=ON -DCONVSCOPE_BUILD_GUI=ON -DBUILD_TESTING=ON
    build build-asan convscope_tests convscope-cli convscope convscope_gui_tests make_test_weights png_check \
        fuzz_npy fuzz_image fuzz_weights fuzz_cli_args fuzz_session
    ASAN_OPTIONS="detect_leaks=1 strict_string_checks=1 check_initialization_order=1" \
    LSAN_OPTIONS="suppressions=$sanitizers/lsan.supp print_suppressions=0" \
    UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1" \
        run_ctest build-asan -L '^(catch2|cli|gui|gui_model)' -E "$asan_skip" --timeout 1200
    CONVSCOPE_FUZZ_BUILD="$root/build-asan" "$root/tests/fuzz/run.sh" 30
}

stage_arm64() {
    if [ "$default_stages" = 1 ] && [ "$SECONDS" -gt "$arm64_deadline_seconds" ]; then
        echo "arm64: skipped: the stages before it took $((SECONDS / 60)) minutes (the budget leaves room for it" \
             "only within $((arm64_deadline_seconds / 60))); run scripts/test-arm64.sh for the ARM64 check"
        return 0
    fi
    "$root/scripts/test-arm64.sh" quick
}

stage_fuzz() {
    CONVSCOPE_FUZZ_BUILD="$root/build-fuzz" "$root/tests/fuzz/run.sh" 30
}

stages=("$@")
default_stages=0
[ ${#stages[@]} -eq 0 ] && stages=("${all_stages[@]}") && default_stages=1
for s in "${stages[@]}"; do
    if ! declare -F "stage_$s" >/dev/null; then
        echo "scripts/test.sh: unknown stage \"$s\"; the stages are: $(compgen -A function stage_ | sed 's/^stage_//' | paste -sd ' ')" >&2
        exit 2
    fi
done

"$root/scripts/install-deps.sh"
for s in "${stages[@]}"; do
    echo "== convscope test stage: $s"
    TIMEFORMAT="== stage $s took %0R s (CPU %0U s user + %0S s system)"
    time "stage_$s"
done
