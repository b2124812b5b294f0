#include "app/gui/app_state.hpp"

#include "core/model/receptive_field.hpp"
#include "app/gui/panels.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <functional>

#include "core/errors.hpp"
#include "core/limits.hpp"
#include "core/layers/input_layer.hpp"

namespace convscope::gui {

const char* to_string(Panel p) { return p == Panel::playground ? "playground" : "network"; }

Panel parse_panel(const std::string& s) {
    if (s == "playground") return Panel::playground;
    if (s == "network") return Panel::network;
    throw ConfigError("panel \"" + s + "\" is not one of playground, network");
}

const RenderResult& ShownMaps::render() const {
    static const RenderResult empty;  // immutable: not state
    return result ? *result : empty;
}

double now_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void show_error(AppState& app, const std::string& message) {
    app.error_bar.message = printable(message);  // one line, whatever a file name or a file held
    app.error_bar.request = app.last_posted_request;
    // An error raised before the first job (a bad --session or --image at start) must outlive that job: the
    // first results are not a later action of the user's.
    app.error_bar.covers_next = app.last_posted_request == 0;
}

void set_notice(AppState& app, const std::string& message) {
    app.status_message = message;
    app.status_time = now_seconds();
    app.error_bar.message.clear();
}

// A job the user asked for after the error succeeded: the error is history.
static void success(AppState& app, std::uint64_t request) {
    if (error_outlived(app.error_bar.request, request)) app.error_bar.message.clear();
}

void refresh_network_structure(AppState& app) {
    const ResNet50Options& o = app.network.options;
    switch (app.ui_model.change(o)) {
    case NetworkModel::Change::none: break;
    case NetworkModel::Change::input_size:
        // Keep the rest (no 30 MB re-allocation while the user drags the size). Outputs on screen stay until
        // the worker replaces them.
        app.ui_model.resize_input(app.ui_graph, o);
        break;
    case NetworkModel::Change::rebuild: {
        // Keep the selection by name across a rebuild (stage 5 or the top added or removed).
        const std::string selected = app.selected_node >= 0 && app.selected_node < app.ui_graph.size()
                                         ? app.ui_graph.node(app.selected_node).name
                                         : std::string("conv1");
        app.ui_graph = app.ui_model.build(o, app.network.edits);
        const std::size_t n = std::size_t(app.ui_graph.size());
        app.network_outputs.assign(n, nullptr);
        app.network_stale.assign(n, 0);
        app.network_derivable.assign(n, 0);
        app.network_requested.assign(n, 0);
        app.network_reinitialised.assign(n, 0);
        app.network_node_ms.assign(n, 0.0);
        app.network_outcomes.assign(n, std::nullopt);
        app.network_structure_request = app.last_posted_request + 1;  // older node events do not fit
        app.steps.layer.reset();
        app.steps.layer_node = -1;
        app.steps.layer_requested = false;
        app.selected_node = app.ui_graph.find(selected);
        if (app.selected_node < 0) app.selected_node = app.ui_graph.output();  // it was in the removed part
        break;
    }
    }
    for (const ConvEdit& e : app.ui_model.edits_to_apply(app.ui_graph, app.network.edits))
        static_cast<Conv2D*>(app.ui_graph.node(e.node).layer.get())->set_config(e.config);
    app.ui_shapes = app.ui_graph.infer_shapes();
    app.ui_graph.build_weights();  // zero-filled, only so that parameter counts follow the edits
    // What the tree and the diagram teach about each node: its receptive field, and whether the output needs it.
    app.ui_fields = receptive_fields(app.ui_graph, app.ui_shapes);
    app.ui_dead.assign(std::size_t(app.ui_graph.size()), 0);
    for (int d : app.ui_graph.dead_nodes()) app.ui_dead[std::size_t(d)] = 1;
    app.request_dirty = true;
}

void refresh_playground_geometry(AppState& app) {
    const PlaygroundParams& p = app.playground;
    app.playground_over_limit = false;
    try {
        if (p.input_height < 1 || p.input_width < 1)
            throw ConfigError("input size " + std::to_string(p.input_height) + "x" + std::to_string(p.input_width) +
                              ": both sides must be at least 1 pixel");
        Conv2D conv(p.conv);
        const Shape in = Shape::image(p.input_height, p.input_width, 3);
        ConvGeometry g = conv.geometry(in);
        const Shape out = conv.output_shape({in});  // raises the "output dimension < 1" error with its rule
        // The playground keeps its whole output in memory (and the previous one on screen meanwhile). Keras has
        // no such rule: the message says whose limit it is.
        constexpr std::int64_t kMaxValues = 100'000'000;  // 400 MB of float32
        if (out.size() > kMaxValues) {
            app.playground_over_limit = true;
            throw ConfigError("output " + plain_shape(out) + " holds " + with_thousands(out.size()) +
                              " values, more than the " + with_thousands(kMaxValues) +
                              " (400 MB) convscope's playground keeps in memory. This is convscope's limit, not a "
                              "Keras rule: use a smaller input size, fewer filters or larger strides");
        }
        conv.build({in});  // sizes the kernel and bias, for the parameter count
        app.playground_geometry = g;
        app.playground_params = conv.param_count();
        app.playground_macs = conv.macs({in});
        app.playground_keras_line = playground_keras_code(p.conv, p.kernel_source, p.input_height, p.input_width);
        app.playground_error.clear();
    } catch (const std::exception& e) {
        app.playground_error = e.what();
    }
    app.request_dirty = true;
}

std::optional<Conv2DConfig> conv_config_of(const AppState& app, int node) {
    if (node < 0 || node >= app.ui_graph.size()) return std::nullopt;
    const auto* conv = dynamic_cast<const Conv2D*>(app.ui_graph.node(node).layer.get());
    if (!conv) return std::nullopt;
    return conv->config();
}

static bool network_shapes_ok(const AppState& app) {
    for (const NodeShape& s : app.ui_shapes)
        if (!s.ok()) return false;
    return !app.ui_shapes.empty();
}

static JobRequest build_request(const AppState& app) {
    JobRequest r;
    r.image_source = app.image_source;
    r.playground = app.playground;
    r.playground_valid = app.playground_error.empty();
    r.pinned = app.compare.pinned;
    r.network = app.network;
    r.network_valid = network_shapes_ok(app);
    r.priority = app.panel == Panel::network ? Job::network : Job::playground;
    r.want_network = app.network_wanted;
    return r;
}

void sync_worker(AppState& app) {
    if (app.panel == Panel::network) app.network_wanted = true;
    // What is on screen, told before a new request is posted, so that its run writes those convs (a conv left
    // to be recomputed would cost the view what the conv's pass did).
    if (std::vector<int> shown = shown_network_nodes(app); shown != app.shown_nodes_sent) {
        app.worker.show_nodes(shown);
        app.shown_nodes_sent = std::move(shown);
    }
    JobRequest r = build_request(app);
    if (app.last_posted_request != 0 && r == app.last_request) return;
    const bool playground_changed = app.last_posted_request == 0 || r.playground != app.last_request.playground ||
                                    r.image_source != app.last_request.image_source;
    app.last_posted_request = app.worker.post(r);
    if (app.error_bar.covers_next) {  // the revert's own results do not outlive the error
        app.error_bar.request = app.last_posted_request;
        app.error_bar.covers_next = false;
    }
    if (playground_changed && r.playground_valid) app.change_times[app.last_posted_request] = now_seconds();
    app.last_request = std::move(r);
}

namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Marks nodes as recomputing: their outputs on screen stay (dimmed) until the new ones arrive.
void mark_stale(AppState& app, const std::vector<int>& nodes) {
    for (int n : nodes) {
        if (n < 0 || std::size_t(n) >= app.network_stale.size()) continue;
        app.network_stale[std::size_t(n)] = 1;
        app.network_derivable[std::size_t(n)] = 0;
        app.network_requested[std::size_t(n)] = 0;
    }
}

// True when the event changes what the user sees now, so a frame is worth drawing at once. A network run
// reports every node; only the shown ones (and the end of the run) are worth a frame of their own, the rest
// show up with the next progress frame. On a software GL driver a frame per node costs more than the run.
bool worth_a_frame(const AppState& app, const WorkerEventData& e) {
    if (std::holds_alternative<Progress>(e) || std::holds_alternative<event::NetworkReset>(e)) return false;
    if (const auto* n = std::get_if<event::NetworkNode>(&e)) return app.panel == Panel::network && n->node == app.selected_node;
    return true;
}

}  // namespace

bool drain_worker(AppState& app) {
    std::vector<WorkerEvent> events = app.worker.drain();
    bool important = false;
    for (WorkerEvent& ev : events) {
        if (worth_a_frame(app, ev.data)) important = true;
        else app.progress_changed = true;
        const bool current_structure = ev.request >= app.network_structure_request;
        std::visit(Overloaded{
            [&](event::ImageLoaded& e) {
                app.image = e.image;
                app.loaded_image_source = e.source;
                if (const auto sample = sample_name(e.source)) app.image_label = *sample + " (bundled sample)";
                else app.image_label = e.source;
                app.image_label += " - " + std::to_string(e.image->width) + "x" + std::to_string(e.image->height);
                app.image_texture.upload(e.thumb_width, e.thumb_height, e.rgba.data(), true);
                success(app, ev.request);
            },
            [&](event::ImageFailed& e) {
                const std::string shown = sample_name(e.source).value_or(e.source);
                // The decoder's messages mostly say what is expected already; say it once.
                const bool says_expected = e.message.find("expected") != std::string::npos;
                show_error(app, "Cannot use image \"" + shown + "\": " + e.message +
                                    (says_expected ? "" : ". Expected a PNG, JPEG, BMP or GIF picture") +
                                    (app.image ? "; the previous image stays." : "; showing the bundled sample instead."));
                app.image_source = app.loaded_image_source.empty() ? sample_source("chelsea") : app.loaded_image_source;
                app.error_bar.covers_next = true;
                app.request_dirty = true;
            },
            [&](event::WeightsLoaded& e) {
                app.weights_label = e.label;
                app.weights_report = e.report;
                app.loaded_weights_path = e.path;  // the layers edits re-sized stay marked (a Reinitialised event)
                success(app, ev.request);
            },
            [&](event::WeightsFailed& e) {
                show_error(app, "Cannot load weights \"" + e.path + "\": " + e.message +
                                    ". Expected a Keras HDF5 file (model.save_weights) for this network; the weights in "
                                    "use stay.");
                app.network.weights_path = app.loaded_weights_path;
                app.error_bar.covers_next = true;
                app.request_dirty = true;
            },
            [&](event::PlaygroundDone& e) {
                if (e.pinned) {
                    app.compare.pinned_output = e.output;
                    app.compare.pinned_error.clear();
                    return;
                }
                app.playground_output = e.output;
                app.playground_input = e.input;
                app.playground_layer = e.layer;
                app.playground_ms = e.milliseconds;
                success(app, ev.request);
                // The newest parameter change this result reflects starts the latency clock.
                auto it = app.change_times.upper_bound(ev.request);
                if (it != app.change_times.begin()) {
                    --it;
                    app.latency_start = it->second;
                    app.latency_tensor = e.output.get();
                    app.change_times.erase(app.change_times.begin(), std::next(it));
                }
            },
            [&](event::PlaygroundFailed& e) { (e.pinned ? app.compare.pinned_error : app.playground_error) = e.message; },
            [&](event::NetworkReset& e) {
                if (!current_structure) return;
                mark_stale(app, e.nodes);
                if (std::find(e.nodes.begin(), e.nodes.end(), app.steps.layer_node) != e.nodes.end()) {
                    app.steps.layer.reset();  // its weights may have changed with it
                    app.steps.layer_node = -1;
                }
            },
            [&](event::NetworkLayer& e) {
                if (!current_structure) return;
                app.steps.layer_node = e.node;
                app.steps.layer = e.layer;
                app.steps.layer_requested = false;
            },
            [&](event::NetworkNode& e) {
                if (!current_structure || e.node < 0 || std::size_t(e.node) >= app.network_outputs.size()) return;
                const std::size_t n = std::size_t(e.node);
                app.network_stale[n] = 0;
                app.network_requested[n] = 0;
                app.network_derivable[n] = e.output ? 0 : 1;
                // A folded node keeps showing its previous output until the UI asks for the new one.
                if (e.output || !app.network_outputs[n]) app.network_outputs[n] = e.output;
                else app.network_stale[n] = 1;
            },
            [&](event::Reinitialised& e) {
                if (!current_structure) return;
                // The whole set: an edit undone removes its mark as well as a new edit adding one.
                std::fill(app.network_reinitialised.begin(), app.network_reinitialised.end(), 0);
                for (int n : e.nodes)
                    if (n >= 0 && std::size_t(n) < app.network_reinitialised.size())
                        app.network_reinitialised[std::size_t(n)] = 1;
            },
            [&](event::NetworkDone& e) {
                if (current_structure) app.sees.classifier = e.classifier;
                app.network_ms = e.run_milliseconds;
                app.network_total_ms = e.total_milliseconds;
                app.network_runs.push_back({e.run_milliseconds, e.prepare_milliseconds});
                if (current_structure && e.node_outcomes.size() == app.network_outcomes.size()) {
                    for (std::size_t i = 0; i < e.node_outcomes.size(); ++i) {
                        const NodeOutcome o = e.node_outcomes[i];
                        app.network_outcomes[i] = o;
                        // A fused pass's time is on its first node, a Conv2D that may be derived (not written).
                        if (o != NodeOutcome::cached && i < e.node_milliseconds.size())
                            app.network_node_ms[i] = e.node_milliseconds[i];
                    }
                }
                success(app, ev.request);
            },
            [&](event::NetworkFailed& e) { show_error(app, "Network run failed: " + e.message); },
            [&](Progress& e) { app.progress = e; },
            [&](event::Idle&) {
                app.progress.busy = false;
                // Whatever was asked and not answered (no network yet) is not waited for.
                std::fill(app.network_requested.begin(), app.network_requested.end(), 0);
                app.steps.layer_requested = false;
            },
        }, ev.data);
    }
    return important;
}

std::vector<int> shown_network_nodes(const AppState& app) {
    std::vector<int> nodes;
    // The class activation map reads the last block's output, whichever panel is shown.
    if (app.settings.show_sees && app.sees.tab == NetworkSees::Tab::cam)
        nodes.push_back(cam_features_node(app.ui_graph));
    if (app.panel != Panel::network) return nodes;
    nodes.push_back(app.selected_node);
    // Compare A / B: the pinned Conv2D as it is now (B).
    if (app.settings.show_compare && app.compare.network_pin) nodes.push_back(app.compare.network_pin->node);
    // Step by step on a network Conv2D: its input.
    if (app.settings.show_steps && conv_config_of(app, app.selected_node))
        nodes.push_back(app.ui_graph.node(app.selected_node).inputs.at(0));
    // The neighbours the arrow keys step to next, so a step shows them at once.
    for (int n : step_neighbours(app.ui_graph, app.selected_node)) nodes.push_back(n);
    // The export window offers the whole block (or stem, or top).
    if (app.settings.show_export)
        for (int n : export_group(app.ui_graph, app.selected_node).nodes) nodes.push_back(n);
    return nodes;
}

void request_shown_nodes(AppState& app) {
    for (int n : app.shown_nodes_sent) {  // shown_network_nodes(), as sync_worker() found it this frame
        if (n < 0 || std::size_t(n) >= app.network_derivable.size()) continue;
        const std::size_t i = std::size_t(n);
        if (!app.network_derivable[i] || app.network_requested[i]) continue;
        app.network_requested[i] = 1;
        app.worker.request_node(n);
    }
    // Step by step on a network Conv2D: its layer with the engine's weights.
    if (app.panel == Panel::network && app.settings.show_steps && conv_config_of(app, app.selected_node) &&
        app.steps.layer_node != app.selected_node && !app.steps.layer_requested &&
        network_node_ready(app, app.selected_node)) {
        app.steps.layer_requested = true;
        app.worker.request_layer(app.selected_node);
    }
}

std::shared_ptr<const Tensor3> current_tensor(const AppState& app, std::string* title) {
    if (app.panel == Panel::playground) {
        if (title) *title = "playground Conv2D output";
        return app.playground_output;
    }
    if (app.selected_node < 0 || std::size_t(app.selected_node) >= app.network_outputs.size()) return nullptr;
    if (title) *title = app.ui_graph.node(app.selected_node).name;
    return app.network_outputs[std::size_t(app.selected_node)];
}

// How a tensor's grid is laid out for the panel: the view's page and channel kept inside the tensor,
// the columns that make the cells largest in the panel's shape, and how large cells are rendered.
struct GridFit {
    int page = 0, channel = 0, columns = 1, max_cell = 64;
};

static GridFit fit_grid(const AppState& app, const Tensor3& t) {  // t: (H, W, C)
    GridFit f;
    const int channels = int(t.shape()[2]);
    const int per_page = std::max(1, app.view.per_page);
    f.channel = std::clamp(app.view.selected_channel, 0, channels - 1);
    f.page = std::clamp(app.view.page, 0, std::max(0, (channels - 1) / per_page));
    const int count = std::min(per_page, channels - f.page * per_page);
    const Shape ts = shape_of(t);
    const float aspect = float(ts.w) / float(std::max(1, ts.h));
    float best = 0.0f;
    for (int cols = 1; cols <= std::max(1, count); ++cols) {
        const int rows = (count + cols - 1) / cols;
        const float cell_h = std::min(app.grid_area_w / float(cols) / aspect, app.grid_area_h / float(rows));
        if (cell_h > best * 1.001f) {
            best = cell_h;
            f.columns = cols;
        }
    }
    // Cells are rendered about as large as they appear (larger only costs the render thread time), in
    // steps of 32 pixels so small layout changes do not re-render.
    const float per_cell = best * std::max(1.0f, aspect);
    f.max_cell = std::clamp(int(per_cell / 32.0f + 0.5f) * 32, 64, 640);
    return f;
}

static std::uint64_t view_signature(const AppState& app, const Tensor3* t, const GridFit& f) {
    std::uint64_t h = std::hash<const void*>()(t);
    auto mix = [&h](std::uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    mix(std::uint64_t(app.view.normalization));
    mix(std::uint64_t(app.view.colormap));
    mix(std::uint64_t(f.page));
    mix(std::uint64_t(app.view.per_page));
    mix(std::uint64_t(f.channel));
    mix(std::uint64_t(f.max_cell));
    mix(std::uint64_t(f.columns));
    return h;
}

static void show_render(AppState& app, const std::shared_ptr<const RenderResult>& r, std::uint64_t sig) {
    app.shown.grid.upload(r->grid.width, r->grid.height, r->grid.pixels.data());
    app.shown.enlarged.upload(r->enlarged.width, r->enlarged.height, r->enlarged.pixels.data());
    if (app.latency_tensor && r->tensor.get() == app.latency_tensor) {
        app.latency_pending = true;  // recorded after this frame is on screen
        app.latency_tensor = nullptr;
    }
    app.shown.result = r;
    app.shown_render_signature = sig;
}

static std::shared_ptr<const RenderResult> cached_render(const AppState& app, std::uint64_t sig) {
    for (const auto& c : app.render_cache)
        if (c.first == sig) return c.second;
    return nullptr;
}

static void post_render(AppState& app, const std::shared_ptr<const Tensor3>& t, std::uint64_t sig, const GridFit& f) {
    RenderRequest r;
    r.key = app.next_render_key++;
    r.signature = sig;
    r.tensor = t;
    r.normalization = app.view.normalization;
    r.colormap = app.view.colormap;
    r.page = f.page;
    r.per_page = app.view.per_page;
    r.selected_channel = f.channel;
    r.max_cell = f.max_cell;
    r.columns = f.columns;
    app.pending_render_signature = sig;
    app.pending_render_key = r.key;
    app.worker.post_render(std::move(r));
}

void request_render(AppState& app) {
    std::shared_ptr<const Tensor3> t = current_tensor(app);
    if (!t) {
        app.wanted_render_signature = 0;
        return;
    }
    const GridFit fit = fit_grid(app, *t);
    app.view.selected_channel = fit.channel;  // keep the view inside the tensor
    app.view.page = fit.page;
    const std::uint64_t sig = view_signature(app, t.get(), fit);
    app.wanted_render_signature = sig;
    if (sig == app.shown_render_signature) return;
    if (auto c = cached_render(app, sig)) show_render(app, c, sig);  // a node rendered ahead or seen a moment ago
    else if (sig != app.pending_render_signature) post_render(app, t, sig, fit);
}

void render_neighbours_ahead(AppState& app) {
    // Only once what is wanted is on screen, one at a time, and while the engine works only for a user who is
    // stepping: else the render thread would take a core from the run for nodes nobody may step to.
    if (app.panel != Panel::network || app.wanted_render_signature == 0 ||
        app.wanted_render_signature != app.shown_render_signature || app.pending_render_key != 0 ||
        app.worker.render_busy() || !spare_cpu_now(app.worker.busy(), app.last_input_seconds, now_seconds()))
        return;
    for (int n : step_neighbours(app.ui_graph, app.selected_node)) {
        if (n < 0 || std::size_t(n) >= app.network_outputs.size()) continue;
        const auto& out = app.network_outputs[std::size_t(n)];
        if (!out || app.network_stale[std::size_t(n)]) continue;
        const GridFit f = fit_grid(app, *out);
        const std::uint64_t s = view_signature(app, out.get(), f);
        if (cached_render(app, s)) continue;
        post_render(app, out, s, f);
        return;
    }
}

bool take_render(AppState& app) {
    std::optional<RenderResult> r = app.worker.take_render();
    if (!r) return false;
    const std::uint64_t sig = r->signature;
    if (r->key == app.pending_render_key) {
        app.pending_render_key = 0;
        app.pending_render_signature = 0;
    }
    if (!r->error.empty()) {
        show_error(app, "Cannot draw the feature maps: " + r->error);
        app.shown_render_signature = sig;
        return true;
    }
    auto result = std::make_shared<const RenderResult>(std::move(*r));
    // Network renders are kept a while for stepping back and forth; a playground output is replaced by
    // the next parameter change, and keeping it would only hold its (large) tensor alive.
    if (app.panel == Panel::network) {
        app.render_cache.emplace_front(sig, result);
        if (app.render_cache.size() > 6) app.render_cache.pop_back();
    }
    // A neighbour rendered ahead changes nothing on screen: no frame for it (the next one is asked for when
    // the render thread is free, by the frame or the idle loop that follows).
    if (sig != app.wanted_render_signature) return false;
    show_render(app, result, sig);
    return true;
}

bool network_node_ready(const AppState& app, int node) {
    if (node < 0 || std::size_t(node) >= app.network_outputs.size()) return false;
    const std::size_t i = std::size_t(node);
    return !app.network_stale[i] && (app.network_outputs[i] || app.network_derivable[i]);
}

bool results_complete(const AppState& app) {
    if (!app.image || app.worker.busy() || app.worker.render_busy()) return false;
    if (app.imagenet.snapshot.scanning) return false;  // the weights on start depend on the cache scan
    if (!network_sees_complete(app)) return false;
    if (!compare_complete(app)) return false;
    if (std::find(app.network_requested.begin(), app.network_requested.end(), 1) != app.network_requested.end())
        return false;
    if (app.pending_render_key != 0) return false;
    if (app.wanted_render_signature != 0 && app.wanted_render_signature != app.shown_render_signature) return false;
    return true;
}

}  // namespace convscope::gui
