#pragma once
// The panels: plain functions over the explicit application state, one file each.
//
//   draw_menu_bar()      File (open image, load weights, load/save session, quit), View, Help
//   draw_playground()    one Conv2D on an image: Keras arguments, live shape arithmetic, Keras line
//   draw_network()       ResNet50 stepper: options, weights, tree, block diagram, in-place Conv2D edits
//   draw_feature_maps()  every channel of the shown tensor as a grid, paging, normalisation, colour map
//   draw_inspector()     the enlarged channel, hover read-out, statistics, histogram, receptive field
//   draw_imagenet_weights()  the ImageNet files found here, "Get ImageNet weights" and its download progress
//   draw_download_dialog()   what the download will do, asked before it starts (modal)
//   draw_conv_steps()    the playground's convolution one output value at a time (sliding window, sums)
//   draw_compare()       "Compare A / B": a pinned Conv2D setting (or a network Conv2D before its edit) beside
//                        the current one: arguments, formulas, counts, maps with one shared range
//   draw_quiz()          "Predict the shape": Conv2D and network questions, answers checked with the formula
//   draw_network_sees()  what the trained network sees: a class activation map, a channel's top image patches
//   draw_export()        PNG / NPY export into a folder, all or nothing
//   draw_help()          shortcuts and what each panel teaches
//   draw_status_bar()    progress of the running job, the image and weights in use, the red error bar
//   handle_shortcuts()   the command table's keyboard shortcuts (commands.hpp; listed in the help window)
//   layout_windows()     places the panels for the current viewport (fixed, projector-friendly layout)

#include "app/gui/app_state.hpp"

namespace convscope::gui {

void draw_menu_bar(AppState& app);
void draw_playground(AppState& app);
// The playground's other Conv2D arguments (panel_playground_arguments.cpp); true when one changed.
bool draw_all_arguments(AppState& app);
void draw_network(AppState& app);
void draw_feature_maps(AppState& app);
void draw_inspector(AppState& app);
void draw_imagenet_weights(AppState& app);
void draw_download_dialog(AppState& app);
void draw_conv_steps(AppState& app);
void draw_quiz(AppState& app);
void draw_compare(AppState& app);
void draw_network_sees(AppState& app);
void draw_export(AppState& app);
void draw_help(AppState& app);
void draw_status_bar(AppState& app);
void handle_shortcuts(AppState& app);
void layout_windows(AppState& app);

// Shared actions (menus, shortcuts, drag and drop call these).
void open_image(AppState& app, const std::string& path_or_sample);
void load_weights(AppState& app, const std::string& path);
void save_session_to(AppState& app, const std::string& path);
void load_session_from(AppState& app, const std::string& path);
void step_layer(AppState& app, int delta);  // next/previous node in the network
void step_block(AppState& app, int delta);  // next/previous block (its output)
void open_path_prompt(AppState& app, PathPrompt::Kind kind, const std::string& initial);  // the "type a path" dialog
void open_download_dialog(AppState& app);  // "Get ImageNet weights"
// Once per frame: a finished scan (the startup choice of weights), a finished download. True if anything
// the UI draws changed.
bool poll_weights_service(AppState& app);
// Once per frame: the top-patches search's progress and answers (textures uploaded). True if anything changed.
bool poll_network_sees(AppState& app);
// True when the "What the network sees" window (if open) shows a complete answer (for --screenshot).
bool network_sees_complete(const AppState& app);
// Compare A / B (panel_compare.cpp): pin the playground's setting, or in the network panel the selected Conv2D's
// output, as A (opens the window); forget it; pin a network Conv2D (false if it is not a computed Conv2D).
void pin_current(AppState& app);
void unpin(AppState& app);
bool pin_network_node(AppState& app, int node);
// True when the Compare window (if open) shows its maps (for --screenshot).
bool compare_complete(const AppState& app);
// True while the step-by-step view plays: frames are due although nothing else changed.
bool conv_steps_animating(const AppState& app);

// Export the shown node on the render thread (the export window's buttons; --export). False if nothing
// could be started (the reason is in app.export_notice).
enum class ExportKind { channel, grid, channels, npy, block };
bool start_export(AppState& app, ExportKind kind);
ExportKind parse_export_kind(const std::string& s);  // "channel", "grid", "channels", "npy", "block"

// The input region (see InputRegion) one activation of the shown tensor depends on. False when it cannot be
// traced (a flat vector).
bool receptive_field(const AppState& app, int row, int col, InputRegion& out);
// Makes this activation the hovered one for this frame, with its receptive field traced once for both the
// tooltip and the inspector's outline.
void set_hover(AppState& app, int channel, int row, int col);

}  // namespace convscope::gui
