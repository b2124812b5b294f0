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
//    "view": {"normalization": "per-channel", "colormap": "viridis", "page": 0, "channel": 0},
//    the teaching windows, open or not, and where the learner was in them:
//    "compare": {"open": true, "pinned": {like "playground"} | null, "channel": 0, "normalization": "per-channel",
//                "difference": true, "all_arguments": false},
//    "steps": {"open": false, "row": 0, "col": 0, "filter": 0, "channel": 0, "speed": 4},
//    "quiz": {"open": false, "seed": 1, "question": 0, "answered": [1, 0, -1, ...]},
//    "sees": {"open": false, "tab": "cam", "cam_class": -1, "cam_opacity": 0.5}}
// (A network Conv2D pinned before an edit is not saved: its output came from the network before the edit.)

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
    // The teaching windows. Whether each is open: nullopt when the file does not say (the window stays as the
    // settings left it).
    std::optional<bool> compare_open;
    std::optional<PlaygroundParams> compare_pinned;
    int compare_channel = 0;
    Normalization compare_normalization = Normalization::per_channel;
    bool compare_difference = true;
    bool compare_all_arguments = false;
    std::optional<bool> steps_open;
    StepPosition steps_position;
    float steps_speed = 4.0f;
    std::optional<bool> quiz_open;
    std::uint64_t quiz_seed = 1;
    int quiz_question = 0;
    std::vector<int> quiz_answered;  // per question: -1 not yet, 0 wrong, 1 right
    std::optional<bool> sees_open;
    NetworkSees::Tab sees_tab = NetworkSees::Tab::cam;
    int cam_class = -1;              // -1: the most probable class
    float cam_opacity = 0.5f;
};

Session capture(const AppState& app);
void save_session(const Session& s, const std::string& path);
Session load_session(const std::string& path);
void apply(AppState& app, const Session& s);

}  // namespace convscope::gui
