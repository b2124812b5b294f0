#!/usr/bin/env bash
# Installs the Debian packages convscope needs, and only those that are missing.
# Works as root and through sudo. Nothing else is downloaded.
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # compiler and build (gcc's sanitizer runtimes come with it)
  ninja-build                               # scripts/test.sh's builds (faster than make on 2 cores)
  ccache                                    # scripts/test.sh's builds: fast when run again
  xtensor-dev libxsimd-dev xtl-dev           # tensors and SIMD
  libhdf5-dev                               # Keras .h5 weights
  libstb-dev                                # image decode, resize, PNG write
  libcurl4-openssl-dev                      # downloading weights when the user asks
  libssl-dev                                # MD5 of weights files (OpenSSL's libcrypto)
  libimgui-dev libglfw3-dev libgl-dev       # the desktop GUI
  fonts-dejavu-core                         # (the font is bundled too; this keeps Debian's copy handy)
  nlohmann-json3-dev                        # GUI session files (JSON)
  catch2                                    # unit tests
  clang libclang-rt-dev                     # libFuzzer with ASan + UBSan (tests/fuzz/run.sh)
  xvfb xauth libgl1-mesa-dri                # headless GUI tests (Xvfb + Mesa software OpenGL)
  xdotool procps                            # GUI tests driven by mouse and keyboard; pgrep (tests/gui)
)

# Installed for this machine's architecture: a foreign-architecture copy (e.g. libhdf5-dev:arm64 for a
# cross build) has no headers or libraries the native build can use.
arch=$(dpkg --print-architecture)
installed() {
  dpkg-query -W -f='${Status} ${Architecture}\n' "$1" 2>/dev/null | grep -qE "^install ok installed ($arch|all)$"
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "convscope: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
