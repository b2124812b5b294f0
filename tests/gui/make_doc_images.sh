#!/bin/sh
# Regenerates the screenshots in docs/images/ with the program itself (sessions + --screenshot).
#   tests/gui/make_doc_images.sh BUILD_DIR
# Uses a 1280 x 800 window so the PNGs stay small. Needs xvfb-run.
set -eu
build=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/docs/images"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/convscope-docs-XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME/convscope"
printf 'window_width=1280\nwindow_height=800\n' > "$XDG_CONFIG_HOME/convscope/settings.ini"
cd "$work"

shot() {  # NAME SESSION_JSON [extra args]
    name=$1
    json=$2
    shift 2
    printf '%s\n' "$json" > "$name.json"
    xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/gui/convscope" --session "$name.json" \
        --screenshot "$out/$name.png" "$@"
    echo "wrote docs/images/$name.png"
}

shot playground '{"convscope_session": 1, "panel": "playground", "image": "sample:astronaut",
  "playground": {"input_size": [600, 600], "filters": 16, "kernel_size": [3, 3], "strides": [2, 2],
                 "padding": "same", "kernel_source": "glorot_uniform", "seed": 1}}'
shot playground-sobel '{"convscope_session": 1, "panel": "playground", "image": "sample:coffee",
  "playground": {"input_size": [300, 300], "filters": 3, "kernel_size": [3, 3], "padding": "valid",
                 "kernel_source": "sobel_x"},
  "view": {"normalization": "symmetric", "colormap": "diverging"}}'
shot playground-error '{"convscope_session": 1, "panel": "playground", "image": "sample:astronaut",
  "playground": {"filters": 16, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same",
                 "dilation_rate": [2, 2]}}'
shot network '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
  "selected_node": "res3a_branch2b", "view": {"normalization": "symmetric", "colormap": "diverging", "channel": 5}}'
shot network-edit-error '{"convscope_session": 1, "panel": "network", "image": "sample:rocket",
  "selected_node": "res3a_add",
  "network": {"edits": {"res3a_branch2c": {"filters": 500, "kernel_size": [1, 1]}}}}'
shot export '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
  "selected_node": "res2b_relu", "view": {"normalization": "per-layer", "colormap": "viridis"}}' \
  --export block --export-dir "$work/exports"
shot steps '{"convscope_session": 1, "panel": "playground", "image": "sample:coffee",
  "playground": {"input_size": [48, 48], "filters": 8, "kernel_size": [3, 3], "padding": "same",
                 "dilation_rate": [2, 2], "kernel_source": "sobel_x"}}' --steps
shot compare '{"convscope_session": 1, "panel": "playground", "image": "sample:chelsea",
  "playground": {"input_size": [600, 600], "filters": 16, "kernel_size": [5, 5], "strides": [2, 2], "padding": "same",
                 "kernel_source": "sobel_x"},
  "compare": {"open": true, "pinned": {"input_size": [600, 600], "filters": 16, "kernel_size": [3, 3],
              "padding": "same", "kernel_source": "sobel_x"}}}'
shot cam '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
  "network": {"input_size": [224, 224], "last_stage": 5, "include_top": true}}' --sees cam
shot patches '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
  "network": {"input_size": [224, 224]}, "selected_node": "res3a_branch2a", "view": {"channel": 5}}' --sees patches
shot rpn '{"convscope_session": 1, "panel": "network", "image": "sample:rocket"}' --sees rpn
shot typo '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
  "network": {"input_size": [224, 224], "seed_identity_typo": true}, "selected_node": "res2b_branch2c"}'
# Projector: a classroom projector's 1280 x 720 at 150 % in the light theme.
printf 'window_width=1280\nwindow_height=720\n' > "$XDG_CONFIG_HOME/convscope/settings.ini"
shot projector '{"convscope_session": 1, "panel": "network", "image": "sample:chelsea",
  "selected_node": "res2a_relu", "view": {"colormap": "magma"}}' --ui-scale 1.5 --theme light
