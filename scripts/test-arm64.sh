#!/usr/bin/env bash
# ARM64 without an ARM machine: cross-builds the core library, convscope-cli and the unit tests for
# aarch64-linux-gnu with Debian's cross compiler and runs them under qemu-aarch64 (user-mode emulation).
#
#   scripts/test-arm64.sh          everything: the unit tests (the fast-vs-reference sweeps on the NEON kernel,
#                                  the ResNet50 fixtures ...) and the CLI tests, in build-arm64/
#   scripts/test-arm64.sh quick    a subset: the kernels against the reference, the layer fixtures, ResNet50
#                                  end to end and the teaching CLI (about a minute of tests)
#
# Debian's arm64 development packages cannot be installed beside the amd64 ones convscope's own build uses
# (libhdf5-dev:arm64 replaces libhdf5-dev), so they are not installed: apt downloads them (with the arm64
# libraries they need) and they are unpacked into build-arm64/sysroot, which the toolchain file searches. Host
# packages: g++-aarch64-linux-gnu, qemu-user. Emulation is slow: expect several times the native test time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
mode=${1:-full}
out=$root/build-arm64
sysroot=$out/sysroot

bash scripts/install-deps.sh
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in g++-aarch64-linux-gnu qemu-user; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64  # lets apt download arm64 packages; installs nothing
    "${sudo[@]}" apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "convscope: installing ${missing[*]}"
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The arm64 libraries: what installing the development packages would install, downloaded and unpacked; but not
# the C and C++ runtimes, which the cross compiler brings (libc6-dev's linker scripts name /lib paths).
if [ ! -e "$sysroot/.complete" ]; then
    rm -rf "$sysroot" "$out/debs"
    mkdir -p "$sysroot" "$out/debs"
    chmod a+rwx "$out/debs"  # apt downloads as its own user where it can
    mapfile -t debs < <(apt-get install -s -y --no-install-recommends \
        libhdf5-dev:arm64 libcurl4-openssl-dev:arm64 libssl-dev:arm64 libstb-dev:arm64 \
        | sed -n 's/^Inst \([^ ]*:arm64\) (\([^ ]*\) .*/\1=\2/p' \
        | grep -vE '^(libc6|libc6-dev|libc-dev-bin|linux-libc-dev|libgcc-s1|libstdc\+\+6):')
    [ ${#debs[@]} -gt 0 ] || { echo "scripts/test-arm64.sh: apt offers no arm64 packages" >&2; exit 1; }
    (cd "$out/debs" && apt-get download -qq "${debs[@]}")
    for d in "$out"/debs/*.deb; do dpkg-deb -x "$d" "$sysroot"; done
    touch "$sysroot/.complete"
fi

export PKG_CONFIG_LIBDIR="$sysroot/usr/lib/aarch64-linux-gnu/pkgconfig:$sysroot/usr/share/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$sysroot"
# xtensor and xsimd are headers only, but Debian files their CMake packages under the host's library folder.
package_dir() { dirname "$(dpkg -L "$1" | grep "/$2Config.cmake$" | head -1)"; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Sources compiled with a precompiled header are cached only with this (cmake/PrecompiledHeaders.cmake).
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:+$CCACHE_SLOPPINESS,}pch_defines,time_macros"
cmake -S . -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" \
    -DCONVSCOPE_ARM64_SYSROOT="$sysroot" -DCONVSCOPE_BUILD_GUI=OFF \
    -Dxtensor_DIR="$(package_dir libxtensor-dev xtensor)" -Dxsimd_DIR="$(package_dir libxsimd-dev xsimd)" \
    -DHDF5_C_COMPILER_EXECUTABLE=/nonexistent -DHDF5_ROOT="$sysroot/usr/lib/aarch64-linux-gnu/hdf5/serial" \
    "${launcher[@]}"
cmake --build "$out/build" -j"$(nproc)"

# The tests, each program started by qemu-aarch64 (CTest's emulator; the CLI scripts get wrappers, and the programs
# start the sandboxed decoder through it too).
cd "$out/build"
if [ "$mode" = quick ]; then
    # The NEON microkernel and elementwise kernels against the reference (the sweeps over odd sizes, strides,
    # dilations, Winograd, fused epilogues, thread invariance), the layers against the PyTorch fixtures and ResNet50
    # end to end: about a minute under emulation on 2 cores.
    qemu-aarch64 -L /usr/aarch64-linux-gnu tests/convscope_tests \
        "[conv2d_fast],[elementwise_fast],[dense_fast],[layers],[resnet50]"
    bash "$root/tests/cli/teach.sh" tests/emulated/convscope-cli "$root/tests/fixtures" "$root/assets"
else
    # Every unit test and CLI test (about 7 minutes under emulation on 2 cores).
    ctest -j"$(nproc)" --timeout 900 --output-on-failure
fi
echo "ok: aarch64 build and tests under qemu-aarch64 ($mode)"
