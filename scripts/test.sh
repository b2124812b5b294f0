#!/usr/bin/env bash
# One command for a new machine: install what is missing, build, and run every test through CTest
# (GUI smoke tests run under Xvfb, which the tests start themselves).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
