#pragma once
// Everything the panels read and edit, in one explicit struct (no state hides in function statics).
//
//   Settings          persisted between runs (UI scale, theme, window size, panel visibility)
//   PlaygroundParams  the single Conv2D the playground shows: input size, Keras arguments, kernel source
//   NetworkParams     the ResNet50 options, per-node Conv2D edits, the seed and the weights file
//   ViewOptions       how feature maps are drawn: normalisation, colour map, page, enlarged channel
//   ShownMaps         the last complete render of a tensor, uploaded as GL textures (main thread only)
//   AppState          all of the above plus the UI's own graph copy for instant shape inference
//
//   job_request()     the request the worker should be working towards, built from the state
//   network_node_output()   the last complete output of a network node, or nullptr

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/gui/cam_view.hpp"
#include "app/gui/conv_steps.hpp"
#include "app/gui/feature_render.hpp"
#include "app/gui/gl_texture.hpp"
#include "app/gui/key_events.hpp"
#include "app/gui/network_model.hpp"
#include "app/gui/patch_service.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/weights_service.hpp"
#include "app/gui/worker.hpp"
#include "core/image/image.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/graph.hpp"
#include "core/model/receptive_field.hpp"
#include "core/model/resnet50.hpp"
#include "core/teach/quiz.hpp"

namespace convscope::gui {

enum class Panel { playground, network };
// What the window shows in the one-column layout (one_column_layout(): large UI scale, small window).
enum class Column { controls, maps, inspector };
const char* to_string(Panel p);
Panel parse_panel(const std::string& s);  // throws ConfigError naming the value

enum class Theme { dark, light };

struct Settings {
    float ui_scale = 1.0f;
    Theme theme = Theme::dark;
    int window_width = 1600;
    int window_height = 1000;
    float left_fraction = 0.40f;  // width share of the left (controls) column
    bool show_inspector = true;
    bool show_export = false;
    bool show_help = false;
    bool show_sees = false;  // the "What the network sees" window
    bool show_steps = false; // the "Step by step" window (the playground's convolution, one output at a time)
    bool show_compare = false;  // the "Compare A / B" window
    bool show_quiz = false;  // the "Predict the shape" quiz
};

struct ViewOptions {
    Normalization normalization = Normalization::per_channel;
    Colormap colormap = Colormap::viridis;
    int page = 0;              // grid page when a node has more channels than fit
    int per_page = 64;         // channels per grid page
    int selected_channel = 0;  // the enlarged channel
};

// Where the last complete render came from, so hover can map a pixel back to the input image.
struct ShownMaps {
    std::shared_ptr<const RenderResult> result;  // what the textures hold (stats, grid layout, values)
    GlTexture grid;             // the channel grid
    GlTexture enlarged;         // the selected channel at full resolution
    const RenderResult& render() const;  // *result, or an empty result (no tensor) before the first render
};

struct ErrorBar {
    std::string message;        // shown in red until dismissed, replaced, or outlived by a later success
    std::uint64_t request = 0;  // the newest posted request when it was raised (see error_outlived)
    bool covers_next = false;   // the failure reverts a choice: the request that reverts it is no later action
};

// The region of the input image (rows, cols, inclusive, may extend into padding) that one activation of
// the shown tensor depends on.
struct InputRegion {
    int row0 = 0, row1 = 0, col0 = 0, col1 = 0;
    int input_h = 0, input_w = 0;  // size of the model input it refers to
};

// The small "type a path" dialog behind File > Open image / Load weights / sessions.
struct PathPrompt {
    enum class Kind { none, open_image, load_weights, load_session, save_session };
    Kind kind = Kind::none;
    std::string text;
    bool open_requested = false;
    bool focus = false;
};

// The ImageNet weights files on this computer and their download (panel_weights.cpp).
struct ImageNetWeights {
    std::unique_ptr<WeightsService> service;  // started by main(); null in tests that need no scan
    WeightsSnapshot snapshot;                 // this frame's copy of the service's state
    bool use_found = false;    // the user named no weights on start: a verified file the scan finds is used
    bool using_found = false;  // the weights in use came from the scan (picked again when the top changes)
    struct Dialog {
        bool open_requested = false;
        bool focus = false;     // the mirror field takes the keyboard when the dialog opens
        bool top = false;       // the file with the classifier
        std::string mirror;     // a mirror URL instead of the official one ("": official)
        std::string md5;        // for a mirror file of another name
        std::string error;      // why the last "Download" did not start
    } dialog;
    std::string last_result;   // the last download's one-line result, shown under the button
    bool last_result_ok = false;
};

// The "What the network sees" window (panel_network_sees.cpp): the class activation map and a channel's top
// patches.
struct NetworkSees {
    enum class Tab { cam, patches, rpn };
    Tab tab = Tab::cam;
    bool select_tab = false;      // make `tab` the open tab next frame (a menu or --sees chose it)
    // Class activation map
    int cam_class = -1;           // the class shown; -1: the most probable one
    std::string class_query;      // a class name or index being typed
    float cam_opacity = 0.5f;     // 0: only the image, 1: only the map's colours
    std::shared_ptr<const ClassifierWeights> classifier;  // fc1000's weights of the last run (worker)
    std::optional<CamResult> cam;  // the map shown, made from the pointers below
    std::string cam_error;
    const void* cam_made_from[3] = {nullptr, nullptr, nullptr};  // features, classifier, image
    int cam_made_for = -1;        // class
    GlTexture cam_picture, cam_heat;
    std::string cam_notice;       // the last PNG export's result
    bool cam_notice_ok = true;
    // Top patches of the selected node's channel
    std::unique_ptr<PatchService> patches;  // made when the tab is first shown
    PatchSnapshot patch_snapshot;
    std::uint64_t patch_textures_version = 0;
    std::vector<std::unique_ptr<GlTexture>> patch_textures;  // one per patch of the snapshot
    int patch_count = 9;
    std::string patch_folder;     // "": the bundled samples
    std::string patch_folder_field;
    // Faster R-CNN grid: the feature cell explained (clicked; -1: the middle one) and the picture under it
    int grid_row = -1, grid_col = -1;
    GlTexture grid_picture;
    const void* grid_picture_of = nullptr;  // the image the texture was made from
    int grid_picture_h = 0, grid_picture_w = 0;
};

// A Keras argument typed as text (a regularizer or a constraint): what is in the field, and whether it is being
// edited (otherwise it shows the value in use).
struct TypedArgument {
    std::string text;
    bool editing = false;
};
struct PlaygroundArgumentFields {
    TypedArgument kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint;
    std::string error;  // why the last typed one was not taken
    // What the three regularizers and two constraints would do for the result on screen ("" : nothing to say),
    // worked out once per result and arguments: an activity penalty sums the whole output.
    struct Effects {
        const void* layer = nullptr;   // the playground layer and output they were computed from
        const void* output = nullptr;
        Conv2DConfig config;           // and the arguments
        // The penalties' formulas (kernel, bias, activity regularizer), then the constraints' effects (kernel, bias)
        std::string text[5];
    } effects;
};

// The "Step by step" window (panel_conv_steps.cpp): one Conv2D output value computed before the learner's eyes.
struct ConvSteps {
    StepPosition position;
    bool playing = false;
    float speed = 4.0f;          // output positions per second while playing
    double last_step_time = 0.0; // when playing last advanced
    int max_cells = 13;          // cells per side of the zoomed input region
    // In the network panel, a selected Conv2D is explained with its weights, copied from the engine on request
    // (Worker::request_layer) and dropped when that node recomputes (new weights or a new structure).
    int layer_node = -1;
    std::shared_ptr<const Layer> layer;
    bool layer_requested = false;
};

// The "Compare A / B" window (panel_compare.cpp): the playground's pinned setting A against the one being edited
// (B), or a network Conv2D's output before an in-place edit (A) against after it (B).
struct CompareState {
    std::optional<PlaygroundParams> pinned;        // the playground's A (saved in sessions; the worker computes it)
    std::shared_ptr<const Tensor3> pinned_output;  // A's output on the current image
    std::string pinned_error;                      // why A could not be computed
    // A network Conv2D as it was before the edit: a snapshot of its output (kept while the program runs, not
    // in sessions: it came from a network that no longer exists once edited).
    struct NetworkPin {
        int node = -1;
        std::string name;
        Conv2DConfig config;  // the layer's arguments then
        Shape input;          // its input shape (unchanged by the edit of this layer)
        std::shared_ptr<const Tensor3> output;
        std::string image_source;  // the picture it was computed on
    };
    std::optional<NetworkPin> network_pin;
    int channel = 0;                 // the channel both maps show
    Normalization normalization = Normalization::per_channel;  // of the shared range
    bool difference = true;          // draw B - A when the maps are the same size
    bool all_arguments = false;      // list the arguments A and B share too (else only those that differ)
    // The textures of the maps on screen (A, B, B - A) and what they were made from (held, so that a new output
    // can never take an old one's address and pass for it).
    GlTexture textures[3];
    std::shared_ptr<const Tensor3> made_from[2];
    int made_channel = -1;
    Normalization made_normalization = Normalization::per_channel;
    Colormap made_colormap = Colormap::viridis;
    ValueRange shared_range, difference_range;
    ValueRange own_range[2];         // A's and B's channel on its own (constant() marks a dead one)
    bool has_difference = false;
    std::string export_message;      // the last export's result
    bool export_ok = true;
};

// The "Predict the shape" quiz window (panel_quiz.cpp), driven by core/teach/quiz.hpp.
struct QuizState {
    std::uint64_t seed = 1;              // the same seed asks the same questions
    std::vector<QuizQuestion> questions;  // made when the window first opens
    int index = 0;                       // the question shown
    std::string shape_answer, params_answer;
    std::optional<QuizVerdict> verdict;  // of the question shown, once checked
    std::vector<int> answered;           // per question: -1 not yet, 0 wrong, 1 right (the first answer counts)
    int focus = 1;                       // the field that takes the keyboard next frame: 1 shape, 2 parameters;
                                         // 3 just checked (Enter or N goes on); 0 none
    bool has_focus = false;              // the quiz window had the keyboard last frame: its N is "next question",
                                         // so the maps' letter shortcuts (N: normalisation) stay out of its way
};

struct FrameStats {
    std::vector<double> frame_ms;           // per frame, poll to swap
    std::vector<double> busy_frame_ms;      // the same, only frames while the worker had a job
    std::vector<double> busy_interval_ms;   // start-to-start of consecutive frames while the worker had a job
    std::vector<double> change_to_maps_ms;  // playground parameter change -> its maps drawn
    std::vector<double> step_to_maps_frames;  // network node selected -> its maps drawn, in frames (0: same frame)
};

struct AppState {
    // --- settings and paths
    Settings settings;
    std::string assets_dir;
    std::string config_dir;      // $XDG_CONFIG_HOME/convscope or ~/.config/convscope
    std::string imgui_ini_path;  // ImGui's own layout file, kept there too
    float applied_ui_scale = 0.0f;  // the scale the font atlas was built for
    Theme applied_theme = Theme::light;
    bool quit_requested = false;
    bool screenshot_requested = false;  // F12: saved after this frame is drawn

    // --- what the user chose
    Panel panel = Panel::playground;
    Panel tab_shown = Panel::playground;  // the tab ImGui has selected (synced when `panel` changes elsewhere)
    Column column = Column::controls;     // the one-column layout's column
    bool one_column = false;              // this frame's layout (set by layout_windows)
    std::string image_source = "sample:chelsea";  // "sample:NAME" or a file path
    PlaygroundParams playground;
    NetworkParams network;
    int selected_node = -1;  // in the network graph
    ViewOptions view;
    std::string image_path_field;    // the path typed in the playground
    std::string weights_path_field;  // the path typed in the network panel
    std::set<std::string> tree_open; // stages and blocks the user opened in the layer tree
    bool scroll_tree_to_selection = false;
    int last_selected_node = -1;
    struct Hover {
        bool valid = false;
        int channel = 0, row = 0, col = 0;
        std::optional<InputRegion> region;  // its receptive field, traced once when set (nullopt: untraceable)
    } hover;                         // the activation under the mouse (grid or enlarged view), this frame

    // --- the UI's structure copy of the network, for shape inference while the user types
    Graph ui_graph;
    std::vector<NodeShape> ui_shapes;
    std::vector<NodeField> ui_fields;  // per node: receptive field size, jump and start (receptive_field.hpp)
    std::vector<char> ui_dead;         // per node: 1 when no path leads from it to the output (the seed's typo)
    NetworkModel ui_model;           // what ui_graph was built with, and each Conv2D's seed configuration
    bool network_wanted = false;     // the network computes once its panel has been opened
    std::uint64_t network_structure_request = 0;  // node events of older requests belong to an old graph

    // --- worker and results
    Worker worker;
    int engine_threads = 0;  // --threads (0: every hardware thread), for engines made outside the worker
    std::shared_ptr<const RgbImage> image;  // the image in use (decoded on the worker)
    std::string image_label;                // what the status bar calls it
    std::string loaded_image_source;        // the source `image` came from (restored after a failure)
    std::string loaded_weights_path;        // "" : seeded weights
    GlTexture image_texture;
    std::shared_ptr<const Tensor3> playground_output;  // (H, W, filters), last complete
    std::shared_ptr<const Tensor3> playground_input;   // the (H, W, 3) input that output was made from
    std::shared_ptr<const Layer> playground_layer;     // the Conv2D (with its weights) that made it
    std::optional<ConvGeometry> playground_geometry;   // of the shown output
    // The current parameters' layer in numbers, worked out with the geometry rather than every frame.
    std::int64_t playground_params = 0;                // kernel and bias values
    std::int64_t playground_macs = 0;                  // multiply-accumulates of one forward pass
    std::string playground_keras_line;                 // Keras code reproducing the layer and its kernel values
    std::string playground_error;                      // of the current parameters, empty if valid
    bool playground_over_limit = false;                // the error is convscope's memory cap, not a Keras rule
    PlaygroundArgumentFields playground_fields;        // the typed regularizers and constraints
    double playground_ms = 0.0;
    std::vector<std::shared_ptr<const Tensor3>> network_outputs;  // per node, last complete
    std::vector<char> network_stale;                              // 1: being recomputed
    // 1: up to date but not written by the run (a folded BatchNormalization or Add): asked for when shown
    std::vector<char> network_derivable;
    std::vector<char> network_requested;                          // 1: asked the worker for it
    std::vector<char> network_reinitialised;                      // 1: weights re-initialised by an edit
    std::vector<double> network_node_ms;          // per node: its time when it was last computed (ms)
    std::vector<std::optional<NodeOutcome>> network_outcomes;  // per node: what the last run did (none yet: nullopt)
    std::vector<std::string> class_names;  // ImageNet labels for fc1000 (assets/imagenet_classes.txt)
    std::string weights_label = "seeded glorot_uniform (seed 1)";
    ImageNetWeights imagenet;
    NetworkSees sees;
    ConvSteps steps;
    QuizState quiz;
    CompareState compare;
    std::string weights_report;
    Progress progress;
    bool progress_changed = false;
    KeyEventQueue key_events;  // keys and characters on their way to ImGui, a tap's release a frame after its press
    int input_events = 0;  // counted by GLFW callbacks: a frame is drawn only when something changed
    double last_input_seconds = -1e9;  // now_seconds() at the last click, scroll or key
    double network_ms = 0.0;      // the last network run: the engine's run alone
    double network_total_ms = 0.0;  // the same with building, weights and preprocessing
    struct NetworkRunTime {
        double run_ms = 0.0;      // the engine's run alone
        double prepare_ms = 0.0;  // the Engine::prepare() before it
    };
    std::vector<NetworkRunTime> network_runs;  // every network run since start (--frame-stats)

    // --- feature map view
    ShownMaps shown;
    std::uint64_t next_render_key = 1;
    std::uint64_t pending_render_key = 0;  // 0: nothing pending
    std::uint64_t wanted_render_signature = 0;
    std::uint64_t pending_render_signature = 0;
    std::uint64_t shown_render_signature = 0;
    std::deque<std::pair<std::uint64_t, std::shared_ptr<const RenderResult>>> render_cache;  // newest first
    float grid_area_w = 800, grid_area_h = 500;  // screen pixels the grid had last frame

    // --- messages
    ErrorBar error_bar;
    std::string status_message;  // last confirmation (session saved ...), shown in the status bar a while
    double status_time = 0.0;    // when it was set (now_seconds)
    PathPrompt path_prompt;
    ExportNotice export_notice;  // last export confirmation or failure, and the node and folder it was about
    std::string export_dir = "exports";

    // --- session file (File menu)
    std::string session_path = "convscope-session.json";

    // --- automation and measurement
    int frame_index = 0;
    FrameStats frame_stats;
    // Playground request id -> when the parameter change that caused it happened.
    std::map<std::uint64_t, double> change_times;
    double latency_start = 0.0;              // when the change behind the newest playground result happened
    const Tensor3* latency_tensor = nullptr; // that result, until its maps are uploaded
    bool latency_pending = false;            // its maps are drawn this frame: record after the swap
    std::uint64_t last_posted_request = 0;
    JobRequest last_request;
    std::vector<int> shown_nodes_sent;  // what the worker was last told the UI shows (Worker::show_nodes())
    bool request_dirty = true;
};

double now_seconds();
void show_error(AppState& app, const std::string& message);
// A confirmation for the status bar; a success also ends an earlier error's time on screen.
void set_notice(AppState& app, const std::string& message);

// Rebuilds the UI's graph when the network options changed, re-applies edits, re-infers shapes.
void refresh_network_structure(AppState& app);
// Re-infers the playground's shape, parameter count, MACs and Keras line; sets playground_error when the
// combination is impossible.
void refresh_playground_geometry(AppState& app);
// The Conv2D config this node has in the UI graph (with edits), or nullopt if it is not a Conv2D.
std::optional<Conv2DConfig> conv_config_of(const AppState& app, int node);

// Tells the worker which network nodes are shown (if that changed), then posts the current choices to it if they
// changed since the last post.
void sync_worker(AppState& app);
// The network nodes on screen, or a step away: the selected one, its step neighbours, the block when the export
// window is open, the Compare pin, the class activation map's features.
std::vector<int> shown_network_nodes(const AppState& app);
// Asks the worker for the shown network nodes the run did not write (the list sync_worker() made: call it after).
void request_shown_nodes(AppState& app);
// Up to date: its output is here, or the worker makes it on request.
bool network_node_ready(const AppState& app, int node);
// Applies everything the worker finished since the last frame. Returns true if anything other than a
// progress update arrived (progress only sets progress_changed).
bool drain_worker(AppState& app);
// Takes a finished render: uploads it as textures when it is what the panel wants (main thread), else keeps it
// for a step to it. Returns true if what is on screen changed (a frame is due).
bool take_render(AppState& app);
// Asks the render thread for the view of the tensor the feature-map panel shows, if it changed.
void request_render(AppState& app);
// Renders the selected network node's step neighbours ahead, one per call, so that stepping to one shows it in
// the next frame. Called on every pass of the main loop, drawn or not: a finished neighbour is no reason to draw.
void render_neighbours_ahead(AppState& app);
// The tensor the feature-map panel shows now (playground output or the selected network node).
std::shared_ptr<const Tensor3> current_tensor(const AppState& app, std::string* title = nullptr);
// True when nothing is pending: no worker job, no render, textures uploaded (for --screenshot).
bool results_complete(const AppState& app);

}  // namespace convscope::gui
