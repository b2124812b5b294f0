#pragma once
// Decisions the panels make, kept free of ImGui and GL so that tests can check them.
//
//   ui_scales() / step_ui_scale()  the one list of UI scales: the View menu and Ctrl+= / Ctrl+- use it
//   block_stop()                   where "next / previous block" (Down / Up) goes from a node
//   export_group()                 the nodes "every node of this block" exports, and its folder
//   add_fix_hint()                 why a block's Add fails and what fixes it, right for the block's kind
//   predictions_caveat()           what to say beside the top-5 when the weights are not ImageNet's
//   playground_keras_code()        Keras code that reproduces the playground's layer, kernel values included
//   error_outlived() / notice_expired() / ExportNotice   when a message on screen has become stale
//   user_acting() / spare_cpu_now() / result_frame_due()   when the UI may spend CPU beside a run (a frame, a
//                                  render ahead), and when a result that arrived is drawn
//   limited_note()                 what a number field says when a typed value was outside its range
//   constant_label() / constant_description()   how a constant channel (a dead ReLU) is named on screen
//   one_column_layout()            whether the window is too small at this font size for controls and maps
//                                  side by side (a 1280 x 720 projector at 250 or 300 %)

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/gui/classic_kernels.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/graph.hpp"

namespace convscope::gui {

const std::vector<float>& ui_scales();  // 1.0 ... 3.0, ascending

// Side by side, the controls want about 20 characters' width and the maps 16 (four tiles a row at their
// readable minimum); below that, or below 14 lines of height, one column is shown at a time, chosen from a bar.
// Sizes in pixels, font_size the UI's (16 px at 100 %): on a 1280 x 720 projector, one column from 250 %.
bool one_column_layout(float width, float body_height, float font_size);
// The next (delta > 0) or previous scale of the list from `current` (which may lie between two); stays at
// the ends.
float step_ui_scale(float current, int delta);

// The stops of block stepping are the input, the stem's output (pool1), every block's output and the last
// node. Down goes to the first stop after `node`, Up to the last one before it; at the ends it stays.
int block_stop(const Graph& g, int node, int delta);

struct ExportGroup {
    std::string folder;      // the block's name, "stem" or "top"
    std::vector<int> nodes;  // in graph order
};
// A block: main path, shortcut, Add and output. Outside blocks, every node of the stem or of the top.
ExportGroup export_group(const Graph& g, int node);

// For a block whose Add fails: both shapes and what to change, "" when both paths have no shape.
std::string add_fix_hint(const Graph& g, const std::vector<NodeShape>& shapes,
                         const std::map<std::string, Conv2DConfig>& edits, const Block& b);

// "" when the classes can be trusted: ImageNet weights from a file and no layer re-initialised by an edit.
std::string predictions_caveat(bool weights_from_file, int reinitialised_layers);

// Python for Keras that builds the playground's layer with the values on screen. For glorot_uniform the
// layer's own initialiser (values differ from convscope's, the distribution is the same).
std::string playground_keras_code(const Conv2DConfig& conv, KernelSource source, int input_h, int input_w);

// A typed number outside [min, max] is applied as the nearest bound; the field says so, with the range:
// "filters: 0 is outside the allowed 1 to 256, so 1 is used". `name` is the field's label.
std::string limited_note(const std::string& name, int typed, int min, int max);

// A channel whose values are all one number (a ReLU channel that never fires is all zeros): what the grid
// writes on it ("constant 0") and the inspector's line ("every value is 0: a constant channel (after a ReLU, a
// dead one)"). The maps paint it in the colour map's "nothing" colour (core/render/colormap.hpp flat_position).
std::string constant_label(float value);
std::string constant_description(float value);

// A red error bar raised while request `error_request` was the newest is outlived by a later success.
bool error_outlived(std::uint64_t error_request, std::uint64_t success_request);
// Confirmations in the status bar ("Session loaded from ...") fade after a while.
constexpr double kNoticeSeconds = 8.0;
bool notice_expired(double shown_at, double now);

// Under a software GL driver (Mesa's llvmpipe: Xvfb, virtual machines, many classroom PCs) a frame of this
// window costs tens of milliseconds of CPU that the engine would rather have: at 600 x 600 the first network run
// with the window drawn took 1.3-1.9x what bench does while every streamed result drew a frame. So while the
// engine works, progress is drawn every kProgressFrameSeconds, and a result that arrives (a node of the run, its
// maps) waits for that frame, unless the user acted (clicked, scrolled, typed) in the last kActingSeconds:
// stepping through nodes during a run wants each one at once.
constexpr double kProgressFrameSeconds = 0.5;
constexpr double kActingSeconds = 1.0;
bool user_acting(double last_input, double now);
// Whether the UI may spend CPU the engine would pay for (a frame for a result, a render ahead): the engine idle,
// or the user acting.
bool spare_cpu_now(bool engine_busy, double last_input, double now);
bool result_frame_due(bool engine_busy, double last_input, double last_frame, double now);

// The export window's last message belongs to the node and folder it was about.
struct ExportNotice {
    bool ok = true;
    std::string text;
    std::string node, folder;  // what it was about
    bool applies_to(const std::string& shown_node, const std::string& shown_folder) const {
        return !text.empty() && node == shown_node && folder == shown_folder;
    }
};

}  // namespace convscope::gui
