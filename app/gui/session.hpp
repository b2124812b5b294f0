#pragma once
// Sessions: what the user is looking at, as JSON, so a lesson or a screenshot can be reproduced.
//
//   Session          image, playground parameters, network options and edits, selected node, panel, view
//   capture()        the session of the running app
//   save_session()   JSON, written atomically; throws InputError naming the file and the reason
//   load_session()   parses and checks everything first; throws InputError naming the file, the field and
//                    what is expected, and then the app is left untouched
//   apply()          puts a loaded session into the app (shapes re-infer, the worker gets the new request)
//
// Format (every field optional except the version):
//   {"convscope_session": 1, "panel": "network", "image": "sample:chelsea" | "/path/to.png",
//    "playground": {"input_size": [600, 600], "filters": 8, "kernel_size": [3, 3], "strides": [1, 1],
//                   "padding": "same", "dilation_rate": [1, 1], "use_bias": true, "activation": "linear",
//                   "kernel_source": "sobel_x", "seed": 1},
//    "network": {"input_size": [600, 600], "last_stage": 4, "include_top": false, "seed": 1,
//                "weights": "", "edits": {"res3a_branch2b": {"filters": 128, ...}}},
//    "selected_node": "res3a_branch2a",
//    "view": {"normalization": "per-channel", "colormap": "viridis", "page": 0, "channel": 0}}

#include <optional>
#include <string>

#include "app/gui/app_state.hpp"

namespace convscope::gui {

struct Session {
    Panel panel = Panel::playground;
    std::string image = "sample:chelsea";
    PlaygroundParams playground;
    NetworkParams network;
    std::string selected_node = "conv1";
    ViewOptions view;
};

Session capture(const AppState& app);
void save_session(const Session& s, const std::string& path);
Session load_session(const std::string& path);
void apply(AppState& app, const Session& s);

}  // namespace convscope::gui
