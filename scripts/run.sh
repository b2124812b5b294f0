#!/usr/bin/env bash
# One command for a new machine: install what is missing, build, and start convscope on a bundled image.
# Extra arguments go to the program, e.g. scripts/run.sh --sample coffee --ui-scale 2
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
if [ -x "$root/build/app/gui/convscope" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$root/build/app/gui/convscope" --sample chelsea "$@"
fi
# No display (or no GUI build): show the engine from the command line instead.
echo "convscope: no display found; running the command-line demo instead"
"$root/build/app/convscope-cli" run --sample chelsea --layers blocks --format npy,png --export-dir "$PWD/exports" "$@"
echo "convscope: the feature maps of every block are in $PWD/exports/ (.npy arrays and .png channel grids)"
