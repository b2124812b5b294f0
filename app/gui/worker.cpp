#include "app/gui/worker.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/engine/engine.hpp"
#include "core/errors.hpp"
#include "core/layers/input_layer.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"
#include "core/weights/restore_weights.hpp"

namespace convscope::gui {

bool PlaygroundParams::operator==(const PlaygroundParams& o) const {
    return input_height == o.input_height && input_width == o.input_width && conv == o.conv &&
           kernel_source == o.kernel_source && seed == o.seed;
}

bool NetworkParams::operator==(const NetworkParams& o) const {
    return options == o.options && edits == o.edits && seed == o.seed && weights_path == o.weights_path;
}

bool only_input_size_differs(const ResNet50Options& a, const ResNet50Options& b) {
    // Through ==, so that any other field, including one added later, counts as a change of structure.
    ResNet50Options resized = a;
    resized.height = b.height;
    resized.width = b.width;
    return a != b && resized == b;
}

constexpr std::string_view kSamplePrefix = "sample:";

std::string sample_source(const std::string& sample) { return std::string(kSamplePrefix) + sample; }

std::optional<std::string> sample_name(const std::string& source) {
    if (source.rfind(kSamplePrefix, 0) != 0) return std::nullopt;
    return source.substr(kSamplePrefix.size());
}

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Everything the engine thread owns. Lives on that thread's stack; nothing here is shared.
struct EngineSide {
    // Image
    std::shared_ptr<const RgbImage> image;
    std::string image_source;          // what `image` was loaded from
    std::string failed_image_source;   // the last source that failed, not retried until it changes
    int image_version = 0;

    // Playground: input -> conv
    std::unique_ptr<Engine> pg;
    int pg_h = 0, pg_w = 0, pg_image_version = -1;
    PlaygroundParams pg_done;
    bool pg_has_done = false;

    // Network
    std::unique_ptr<Engine> net;
    NetworkParams net_built;                          // options/seed/weights the engine was built with
    std::map<std::string, Conv2DConfig> original;     // each Conv2D's seed configuration
    std::map<std::string, Conv2DConfig> applied;      // current edits inside the engine
    int net_image_version = -1;
    std::string failed_weights_path;
    WeightShapes seed_shapes;            // every layer's weight shapes without edits: what edits re-size
    std::optional<Graph> file_weights;   // the loaded file in the unedited network, so undoing an edit restores it
    std::vector<int> reported_reinit;    // the re-initialised layers the UI was last told about
};

// Loads a Keras file into the network without edits (where it must fit), then gives every layer of `graph`
// whose shapes the edits kept the file's values. The others keep their re-initialised values.
LoadReport load_around_edits(Graph& graph, const ResNet50Options& options, const std::string& path,
                             std::optional<Graph>& file_weights) {
    Graph unedited = build_resnet50(options);
    LoadReport report = load_keras_weights(unedited, path);
    copy_matching_weights(graph, unedited);
    file_weights = std::move(unedited);
    return report;
}

}  // namespace

// The event that reports a failed job: what failed, for which request, on which file, and why.
static WorkerEvent failure(WorkerEvent::Kind kind, std::uint64_t request, std::string path, std::string message) {
    WorkerEvent e;
    e.kind = kind;
    e.request = request;
    e.path = std::move(path);
    e.message = std::move(message);
    return e;
}

// The event that reports a weights file in use, with the load report (what matched, what was skipped).
static WorkerEvent weights_loaded(std::uint64_t request, std::string path, const LoadReport& report) {
    WorkerEvent e;
    e.kind = WorkerEvent::Kind::weights_loaded;
    e.request = request;
    e.path = std::move(path);
    e.message = describe(report);
    e.label = short_label(report);
    return e;
}

// The event that marks every node as recomputing: new weights or a new input image touch them all.
static WorkerEvent all_nodes_reset(std::uint64_t request, const Graph& graph) {
    WorkerEvent e;
    e.kind = WorkerEvent::Kind::network_reset;
    e.request = request;
    for (int i = 0; i < graph.size(); ++i) e.nodes.push_back(i);
    return e;
}

Worker::~Worker() { stop(); }

void Worker::start(std::string assets_dir, std::function<void()> wake_ui, int threads) {
    assets_dir_ = std::move(assets_dir);
    if (threads > 0) engine_options_.threads = threads;
    wake_ui_ = std::move(wake_ui);
    stopping_ = false;
    engine_thread_ = std::thread([this] { engine_loop(); });
    render_thread_ = std::thread([this] { render_loop(); });
}

void Worker::stop() {
    if (!engine_thread_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        cancel_ = true;
    }
    wake_.notify_all();
    {
        std::lock_guard<std::mutex> lock(render_mutex_);
    }
    render_wake_.notify_all();
    engine_thread_.join();
    render_thread_.join();
}

std::uint64_t Worker::post(const JobRequest& request) {
    std::uint64_t id;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = request;
        id = pending_id_ = next_id_++;
        cancel_ = true;  // a newer request cancels the running one; the engine keeps what is complete
    }
    wake_.notify_all();
    return id;
}

std::vector<WorkerEvent> Worker::drain() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<WorkerEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
    events_.clear();
    return out;
}

bool Worker::busy() const {
    std::lock_guard<std::mutex> lock(mutex_);
    // Events the UI has not drained yet are work in flight too: otherwise a job that finishes between the
    // UI's drain() and its "are results complete?" check looks done before its result has arrived (an
    // automated --export or --screenshot then saw no output).
    return busy_ || pending_.has_value() || !events_.empty();
}

void Worker::emit(WorkerEvent event) {
    const bool is_progress = event.kind == WorkerEvent::Kind::progress;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // Progress events replace each other: the UI only ever shows the newest one.
        if (event.kind == WorkerEvent::Kind::progress && !events_.empty() &&
            events_.back().kind == WorkerEvent::Kind::progress)
            events_.back() = std::move(event);
        else
            events_.push_back(std::move(event));
    }
    // Progress alone does not wake the UI: it looks every 100 ms while a job runs. Results wake it at once.
    if (wake_ui_ && !is_progress) wake_ui_();
}

// Lowers this thread's priority; threads it creates later (the engines' pools) inherit it on Linux.
// The UI thread (and the GL driver's threads) then get the CPU first, so frames keep coming while a
// network run uses every core.
static void lower_priority(int nice_value) {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice_value);
#else
    (void)nice_value;
#endif
}

void Worker::engine_loop() {
    lower_priority(10);
    EngineSide s;
    auto progress = [this](std::uint64_t id, std::string what, int done, int total) {
        WorkerEvent e;
        e.kind = WorkerEvent::Kind::progress;
        e.request = id;
        e.progress = Progress{std::move(what), done, total, true};
        emit(std::move(e));
    };

    for (;;) {
        JobRequest req;
        std::uint64_t id;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
            if (stopping_) return;
            req = std::move(*pending_);
            pending_.reset();
            id = pending_id_;
            cancel_ = false;
            busy_ = true;
        }
        try {
            // A failed source is not retried while the request still names it; once the UI has moved on
            // (it reverts to the previous image at once), the same file may be tried again later.
            if (req.image_source != s.failed_image_source) s.failed_image_source.clear();
            if (req.network.weights_path != s.failed_weights_path) s.failed_weights_path.clear();
            // 1. The image (decoded here, never on the UI thread).
            if (req.image_source != s.image_source && req.image_source != s.failed_image_source) {
                progress(id, "loading image", 0, 1);
                try {
                    const std::optional<std::string> sample = sample_name(req.image_source);
                    const std::string path = sample ? sample_path(*sample, assets_dir_) : req.image_source;
                    auto image = std::make_shared<const RgbImage>(load_image(path));
                    s.image = image;
                    s.image_source = req.image_source;
                    s.failed_image_source.clear();
                    ++s.image_version;
                    WorkerEvent e;
                    e.kind = WorkerEvent::Kind::image_loaded;
                    e.request = id;
                    e.path = req.image_source;
                    e.image = image;
                    // The UI only shows a thumbnail: a huge photo must not become a huge texture.
                    const int longest = std::max(image->width, image->height);
                    const RgbImage thumb = longest > 1024
                                               ? resize_image(*image, std::max(1, image->height * 1024 / longest),
                                                              std::max(1, image->width * 1024 / longest),
                                                              ResizeFilter::smooth)
                                               : *image;
                    e.thumb_width = thumb.width;
                    e.thumb_height = thumb.height;
                    e.rgba.resize(std::size_t(thumb.width) * std::size_t(thumb.height) * 4);
                    for (std::size_t i = 0, n = e.rgba.size() / 4; i < n; ++i) {
                        e.rgba[i * 4 + 0] = thumb.pixels[i * 3 + 0];
                        e.rgba[i * 4 + 1] = thumb.pixels[i * 3 + 1];
                        e.rgba[i * 4 + 2] = thumb.pixels[i * 3 + 2];
                        e.rgba[i * 4 + 3] = 255;
                    }
                    emit(std::move(e));
                } catch (const std::exception& ex) {
                    s.failed_image_source = req.image_source;
                    emit(failure(WorkerEvent::Kind::image_failed, id, req.image_source, ex.what()));
                }
            }

            auto run_playground = [&] {
                if (!s.image || !req.playground_valid) return;
                const PlaygroundParams& p = req.playground;
                if (s.pg_has_done && p == s.pg_done && s.pg_image_version == s.image_version) return;
                const auto start = std::chrono::steady_clock::now();
                progress(id, "playground Conv2D", 0, 1);
                try {
                    if (!s.pg || s.pg_h != p.input_height || s.pg_w != p.input_width) {
                        Graph g;
                        g.add("input", std::make_unique<InputLayer>(Shape::image(p.input_height, p.input_width, 3)), {});
                        g.add("conv2d", std::make_unique<Conv2D>(p.conv), {"input"});
                        g.build_weights();
                        s.pg = std::make_unique<Engine>(std::move(g), engine_options_);
                        s.pg_h = p.input_height;
                        s.pg_w = p.input_width;
                        s.pg_image_version = -1;
                    }
                    if (s.pg_image_version != s.image_version) {
                        s.pg->set_input(unit_preprocess(resize_image(*s.image, p.input_height, p.input_width)));
                        s.pg_image_version = s.image_version;
                    }
                    auto* conv = dynamic_cast<Conv2D*>(s.pg->mutable_graph().node(1).layer.get());
                    if (conv->config() != p.conv) s.pg->set_conv_config(1, p.conv, p.seed);
                    s.pg->mutable_graph().build_weights();
                    // The kernel always comes from the chosen source, so a seed or source change shows at once.
                    if (p.kernel_source == KernelSource::glorot_uniform) {
                        initialize_layer(*conv, p.seed, "conv2d");
                    } else {
                        auto& w = conv->mutable_weights();
                        for (auto& weight : w) {
                            if (weight.name == "kernel") fill_classic_kernel(p.kernel_source, weight.values);
                            else weight.values.fill(0.0f);
                        }
                    }
                    s.pg->invalidate(1);
                    s.pg->run(&cancel_);
                    s.pg_done = p;
                    s.pg_has_done = true;
                    WorkerEvent e;
                    e.kind = WorkerEvent::Kind::playground_done;
                    e.request = id;
                    e.tensor = s.pg->output(1);
                    e.milliseconds = ms_since(start);
                    emit(std::move(e));
                } catch (const Cancelled&) {
                    throw;
                } catch (const std::exception& ex) {
                    s.pg_done = p;
                    s.pg_has_done = true;
                    emit(failure(WorkerEvent::Kind::playground_failed, id, std::string(), ex.what()));
                }
            };

            auto run_network = [&] {
                if (!s.image || !req.want_network || !req.network_valid) return;
                const NetworkParams& p = req.network;
                const auto start = std::chrono::steady_clock::now();
                try {
                    const bool resize_only = s.net && p.seed == s.net_built.seed &&
                                             only_input_size_differs(p.options, s.net_built.options);
                    if (resize_only) {
                        // Weights do not depend on the input size: swap the input layer and recompute.
                        s.net->mutable_graph().node(0).layer =
                            std::make_unique<InputLayer>(Shape::image(p.options.height, p.options.width, 3));
                        s.net->invalidate_all();
                        s.net_built.options = p.options;
                        s.net_image_version = -1;  // re-resize the image to the new size below
                    }
                    const bool rebuild = !s.net || p.options != s.net_built.options || p.seed != s.net_built.seed;
                    if (rebuild) {
                        progress(id, "building ResNet50", 0, 1);
                        Graph g = build_resnet50(p.options);
                        s.original.clear();
                        for (int i = 0; i < g.size(); ++i)
                            if (auto* c = dynamic_cast<Conv2D*>(g.node(i).layer.get()))
                                s.original[g.node(i).name] = c->config();
                        g.build_weights();
                        s.seed_shapes = weight_shapes(g);
                        for (const auto& [name, cfg] : p.edits) {
                            const int i = g.find(name);
                            if (auto* c = i >= 0 ? dynamic_cast<Conv2D*>(g.node(i).layer.get()) : nullptr)
                                c->set_config(cfg);
                        }
                        g.build_weights();
                        initialize_graph(g, p.seed);
                        s.file_weights.reset();
                        s.reported_reinit.clear();
                        // The requested file, unless it just failed: then what was in use before.
                        std::string weights = p.weights_path;
                        if (!p.weights_path.empty() && p.weights_path == s.failed_weights_path)
                            weights = s.net_built.weights_path;
                        if (!weights.empty()) {
                            try {
                                emit(weights_loaded(id, weights, load_around_edits(g, p.options, weights, s.file_weights)));
                            } catch (const std::exception& ex) {
                                if (weights == p.weights_path) s.failed_weights_path = weights;
                                emit(failure(WorkerEvent::Kind::weights_failed, id, weights, ex.what()));
                                weights.clear();
                            }
                        }
                        s.net = std::make_unique<Engine>(std::move(g), engine_options_);
                        s.net_built = p;
                        s.net_built.weights_path = weights;
                        s.applied = p.edits;
                        s.net_image_version = -1;
                    } else if (p.weights_path != s.net_built.weights_path && p.weights_path != s.failed_weights_path) {
                        // A new weights file on the same structure: the graph is untouched if it does not fit.
                        progress(id, "loading weights", 0, 1);
                        try {
                            if (p.weights_path.empty()) {
                                initialize_graph(s.net->mutable_graph(), p.seed);
                                s.file_weights.reset();
                            } else {
                                emit(weights_loaded(id, p.weights_path,
                                                    load_around_edits(s.net->mutable_graph(), s.net_built.options,
                                                                      p.weights_path, s.file_weights)));
                            }
                            s.net_built.weights_path = p.weights_path;
                            s.net->invalidate_all();
                            emit(all_nodes_reset(id, s.net->graph()));
                        } catch (const std::exception& ex) {
                            s.failed_weights_path = p.weights_path;
                            emit(failure(WorkerEvent::Kind::weights_failed, id, p.weights_path, ex.what()));
                        }
                    }
                    // Conv2D edits: apply the difference, so only the edited node and what follows recompute.
                    const Graph& graph = s.net->graph();
                    std::vector<std::string> names;
                    for (const auto& [name, cfg] : p.edits) names.push_back(name);
                    for (const auto& [name, cfg] : s.applied)
                        if (!p.edits.count(name)) names.push_back(name);
                    for (const std::string& name : names) {
                        const int node = graph.find(name);
                        if (node < 0 || !s.original.count(name)) continue;
                        auto it = p.edits.find(name);
                        const Conv2DConfig want = it != p.edits.end() ? it->second : s.original[name];
                        const auto* conv = dynamic_cast<const Conv2D*>(graph.node(node).layer.get());
                        if (!conv || conv->config() == want) continue;
                        // Re-sized layers get seeded values; those back at their original shapes get the
                        // file's again (the seed's are already the original ones).
                        const std::vector<int> rebuilt = s.net->set_conv_config(node, want, p.seed);
                        if (s.file_weights) copy_matching_weights(s.net->mutable_graph(), *s.file_weights, &rebuilt);
                        WorkerEvent e;
                        e.kind = WorkerEvent::Kind::network_reset;
                        e.request = id;
                        e.nodes = graph.downstream(node);
                        emit(std::move(e));
                    }
                    s.applied = p.edits;
                    s.net_built.edits = p.edits;
                    if (std::vector<int> reinit = resized_nodes(graph, s.seed_shapes); reinit != s.reported_reinit) {
                        WorkerEvent r;  // the whole set: a reset removes marks as well as adding them
                        r.kind = WorkerEvent::Kind::reinitialised;
                        r.request = id;
                        r.nodes = reinit;
                        s.reported_reinit = reinit;
                        emit(std::move(r));
                    }
                    if (s.net_image_version != s.image_version) {
                        progress(id, "preprocessing image", 0, 1);
                        s.net->set_input(caffe_preprocess(resize_image(*s.image, p.options.height, p.options.width)));
                        s.net_image_version = s.image_version;
                        emit(all_nodes_reset(id, s.net->graph()));
                    }
                    Engine& engine = *s.net;
                    RunStats stats = engine.run(&cancel_, [&](const NodeProgress& np) {
                        WorkerEvent e;
                        e.kind = WorkerEvent::Kind::network_node;
                        e.request = id;
                        e.node = np.node;
                        e.tensor = engine.output(np.node);
                        emit(std::move(e));
                        progress(id, "ResNet50: " + engine.graph().node(np.node).name, np.done, np.total);
                    });
                    if (stats.computed > 0) {
                        WorkerEvent e;
                        e.kind = WorkerEvent::Kind::network_done;
                        e.request = id;
                        e.milliseconds = ms_since(start);
                        e.node_milliseconds = stats.node_milliseconds;
                        e.node_outcomes = stats.node_outcomes;
                        emit(std::move(e));
                    }
                } catch (const Cancelled&) {
                    throw;
                } catch (const std::exception& ex) {
                    emit(failure(WorkerEvent::Kind::network_failed, id, std::string(), ex.what()));
                }
            };

            if (req.priority == Job::network) {
                run_network();
                run_playground();
            } else {
                run_playground();
                run_network();
            }
        } catch (const Cancelled&) {
            // A newer request is pending; the loop picks it up and the engines resume from their caches.
        } catch (const std::exception& ex) {
            emit(failure(WorkerEvent::Kind::network_failed, id, std::string(), ex.what()));
        }
        bool idle;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            idle = !pending_.has_value();
            if (idle) busy_ = false;
        }
        if (idle) {
            WorkerEvent e;
            e.kind = WorkerEvent::Kind::idle;
            e.request = id;
            emit(std::move(e));
        }
    }
}

void Worker::post_render(RenderRequest request) {
    {
        std::lock_guard<std::mutex> lock(render_mutex_);
        render_pending_ = std::move(request);  // latest wins: an older view nobody looks at is dropped
    }
    render_wake_.notify_all();
}

void Worker::post_task(std::function<TaskResult()> task) {
    {
        std::lock_guard<std::mutex> lock(render_mutex_);
        tasks_.push_back(std::move(task));
    }
    render_wake_.notify_all();
}

std::optional<Worker::TaskResult> Worker::take_task_result() {
    std::lock_guard<std::mutex> lock(render_mutex_);
    if (task_results_.empty()) return std::nullopt;
    TaskResult r = std::move(task_results_.front());
    task_results_.pop_front();
    return r;
}

std::optional<RenderResult> Worker::take_render() {
    std::lock_guard<std::mutex> lock(render_mutex_);
    std::optional<RenderResult> out = std::move(render_done_);
    render_done_.reset();
    return out;
}

bool Worker::render_busy() const {
    std::lock_guard<std::mutex> lock(render_mutex_);
    return render_busy_ || render_pending_.has_value() || render_done_.has_value() || !tasks_.empty() ||
           !task_results_.empty();
}

void Worker::render_loop() {
    lower_priority(5);
    for (;;) {
        std::optional<RenderRequest> req;
        std::function<TaskResult()> task;
        {
            std::unique_lock<std::mutex> lock(render_mutex_);
            render_wake_.wait(lock, [this] { return stopping_.load() || render_pending_.has_value() || !tasks_.empty(); });
            if (stopping_) return;
            if (!tasks_.empty()) {
                task = std::move(tasks_.front());
                tasks_.pop_front();
            } else {
                req = std::move(render_pending_);
                render_pending_.reset();
            }
            render_busy_ = true;
        }
        if (task) {
            TaskResult result;
            try {
                result = task();
            } catch (const std::exception& ex) {
                result = TaskResult{false, ex.what()};
            }
            std::lock_guard<std::mutex> lock(render_mutex_);
            task_results_.push_back(std::move(result));
            render_busy_ = false;
        } else {
            RenderResult result;
            try {
                result = render_view(*req);
            } catch (const std::exception& ex) {
                result.key = req->key;
                result.signature = req->signature;
                result.error = ex.what();
            }
            std::lock_guard<std::mutex> lock(render_mutex_);
            render_done_ = std::move(result);
            render_busy_ = false;
        }
        if (wake_ui_) wake_ui_();
    }
}

}  // namespace convscope::gui
