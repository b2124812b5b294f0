#include "app/gui/network_job.hpp"

#include <chrono>

#include "core/errors.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"
#include "core/weights/restore_weights.hpp"

namespace convscope::gui {

bool NetworkParams::operator==(const NetworkParams& o) const {
    return options == o.options && edits == o.edits && seed == o.seed && weights_path == o.weights_path;
}

static double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Loads a Keras file into the network without edits (where it must fit), then gives every layer of `graph`
// whose shapes the edits kept the file's values. The others keep their re-initialised values.
static LoadReport load_around_edits(Graph& graph, const ResNet50Options& options, const std::string& path,
                                    std::optional<Graph>& file_weights) {
    Graph unedited = build_resnet50(options);
    LoadReport report = load_keras_weights(unedited, path);
    copy_matching_weights(graph, unedited);
    file_weights = std::move(unedited);
    return report;
}

// The event that reports a weights file in use: the load report (what matched, what was skipped) and the
// status line's short label (which names a tf.keras file's differences).
static event::WeightsLoaded weights_loaded(const std::string& path, const LoadReport& report) {
    return event::WeightsLoaded{path, describe(report), short_label(report)};
}

void NetworkJob::report_all_reset(const JobContext& ctx) const {
    event::NetworkReset e;
    for (int i = 0; i < engine_->graph().size(); ++i) e.nodes.push_back(i);
    ctx.send(std::move(e));
}

void NetworkJob::build(const NetworkParams& p, const JobContext& ctx) {
    ctx.progress("building ResNet50", 0, 1);
    // Sized first without the edits: the layers whose shapes the edits change are the re-initialised ones.
    Graph g = model_.build(p.options, {});
    g.build_weights();
    seed_shapes_ = weight_shapes(g);
    for (const ConvEdit& e : model_.edits_to_apply(g, p.edits))
        static_cast<Conv2D*>(g.node(e.node).layer.get())->set_config(e.config);
    g.build_weights();
    initialize_graph(g, p.seed);
    file_weights_.reset();
    reported_reinit_.clear();
    // The requested file, unless it just failed: then what was in use before.
    std::string weights = p.weights_path;
    if (!p.weights_path.empty() && p.weights_path == failed_weights_path_) weights = built_.weights_path;
    if (!weights.empty()) {
        try {
            ctx.send(weights_loaded(weights, load_around_edits(g, p.options, weights, file_weights_)));
        } catch (const std::exception& ex) {
            if (weights == p.weights_path) failed_weights_path_ = weights;
            ctx.send(event::WeightsFailed{weights, ex.what()});
            weights.clear();
        }
    }
    engine_ = std::make_unique<Engine>(std::move(g), ctx.engine_options);
    built_ = p;
    built_.weights_path = weights;
    image_version_ = -1;
    wanted_.clear();  // indices of the old graph
}

void NetworkJob::load_weights(const NetworkParams& p, const JobContext& ctx) {
    // A new weights file on the same structure: the graph is untouched if it does not fit.
    ctx.progress("loading weights", 0, 1);
    try {
        if (p.weights_path.empty()) {
            initialize_graph(engine_->mutable_graph(), p.seed);
            file_weights_.reset();
        } else {
            ctx.send(weights_loaded(p.weights_path, load_around_edits(engine_->mutable_graph(), built_.options,
                                                                      p.weights_path, file_weights_)));
        }
        built_.weights_path = p.weights_path;
        engine_->invalidate_all();
        report_all_reset(ctx);
    } catch (const std::exception& ex) {
        failed_weights_path_ = p.weights_path;
        ctx.send(event::WeightsFailed{p.weights_path, ex.what()});
    }
}

void NetworkJob::apply_edits(const NetworkParams& p, const JobContext& ctx) {
    // Only the difference: the edited node and what follows recompute.
    for (const ConvEdit& e : model_.edits_to_apply(engine_->graph(), p.edits)) {
        // Re-sized layers get seeded values; those back at their original shapes get the file's again (the
        // seed's are already the original ones).
        const std::vector<int> rebuilt = engine_->set_conv_config(e.node, e.config, p.seed);
        if (file_weights_) copy_matching_weights(engine_->mutable_graph(), *file_weights_, &rebuilt);
        ctx.send(event::NetworkReset{engine_->graph().downstream(e.node)});
    }
    built_.edits = p.edits;
    // The whole set, when it changed: undoing an edit removes marks as well as a new edit adding them.
    if (std::vector<int> reinit = resized_nodes(engine_->graph(), seed_shapes_); reinit != reported_reinit_) {
        reported_reinit_ = reinit;
        ctx.send(event::Reinitialised{std::move(reinit)});
    }
}

void NetworkJob::run(const NetworkParams& p, const InputImage& image, const JobContext& ctx) {
    if (!image.image) return;
    if (p.weights_path != failed_weights_path_) failed_weights_path_.clear();
    const auto start = std::chrono::steady_clock::now();
    try {
        const NetworkModel::Change change = engine_ && p.seed == built_.seed ? model_.change(p.options)
                                                                             : NetworkModel::Change::rebuild;
        if (change == NetworkModel::Change::input_size) {
            // Weights do not depend on the input size: swap the input layer and recompute.
            model_.resize_input(engine_->mutable_graph(), p.options);
            engine_->invalidate_all();
            built_.options = p.options;
            image_version_ = -1;  // the image is resized to the new size below
        } else if (change == NetworkModel::Change::rebuild) {
            build(p, ctx);
        } else if (p.weights_path != built_.weights_path && p.weights_path != failed_weights_path_) {
            load_weights(p, ctx);
        }
        apply_edits(p, ctx);
        if (image_version_ != image.version) {
            ctx.progress("preprocessing image", 0, 1);
            engine_->set_input(caffe_preprocess(resize_image(*image.image, p.options.height, p.options.width)));
            image_version_ = image.version;
            report_all_reset(ctx);
        }
        Engine& engine = *engine_;
        // The convs the UI shows are written by the run rather than recomputed after it.
        if (ctx.shown_nodes) engine.set_shown(ctx.shown_nodes());
        // Packing kernels and touching new output memory before the run, as bench does before timing: the run
        // then costs what bench measures. Most of it on a first run or a new input size; almost nothing after
        // an edit (the nodes downstream reuse their buffers).
        ctx.progress("preparing ResNet50 (packing kernels, reserving output memory)", 0, 1);
        const PrepareStats prepared = engine.prepare(ctx.cancel);
        const RunStats stats = engine.run(ctx.cancel, [&](const NodeProgress& np) {
            // What the run stored, not output(): that would make every folded node the run skipped.
            std::shared_ptr<const Tensor3> out = engine.peek(np.node);
            const bool asked = wanted_.erase(np.node) > 0;  // the UI shows it now: wake it
            if (!out && asked) out = engine.output(np.node, ctx.cancel);
            if (asked) ctx.send(event::NetworkNode{np.node, std::move(out)});
            else ctx.send_quietly(event::NetworkNode{np.node, std::move(out)});
            ctx.progress("ResNet50: " + engine.graph().node(np.node).name, np.done, np.total);
            serve_node_requests(ctx, false);
        });
        if (stats.computed > 0)
            ctx.send(event::NetworkDone{stats.milliseconds, prepared.milliseconds, ms_since(start), stats.computed,
                                        stats.node_milliseconds, stats.node_outcomes, classifier()});
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& ex) {
        ctx.send(event::NetworkFailed{ex.what()});
    }
}

std::shared_ptr<const ClassifierWeights> NetworkJob::classifier() {
    const int fc = engine_->graph().find("fc1000");
    if (fc < 0) return nullptr;
    const Layer& dense = *engine_->graph().node(fc).layer;
    // A new copy only when the weights changed (a new file, the seed, an edit that re-sized fc1000).
    if (!classifier_ || classifier_version_ != dense.version()) {
        classifier_ = std::make_shared<const ClassifierWeights>(
            ClassifierWeights{dense.weights().at(0).values, dense.weights().at(1).values});
        classifier_version_ = dense.version();
    }
    return classifier_;
}

void NetworkJob::serve_node_requests(const JobContext& ctx, bool between_runs) {
    if (ctx.take_node_requests)
        for (const NodeRequest& r : ctx.take_node_requests()) {
            if (!r.layer) {
                wanted_.insert(r.node);
            } else if (engine_ && r.node >= 0 && r.node < engine_->graph().size()) {
                // The weights do not change during a run (edits and files come with a new request).
                ctx.send(event::NetworkLayer{r.node, std::shared_ptr<const Layer>(engine_->graph().node(r.node).layer->clone())});
            }
        }
    if (!engine_) return;
    for (auto it = wanted_.begin(); it != wanted_.end();) {
        const int n = *it;
        if (n < 0 || n >= engine_->graph().size()) {
            it = wanted_.erase(it);
            continue;
        }
        // During a run, nullptr means "not up to date yet": the run reaching it answers. Between runs every
        // node is up to date, and compute() makes it whatever the engine kept of it.
        std::shared_ptr<const Tensor3> out = between_runs ? engine_->compute(n, ctx.cancel) : engine_->output(n, ctx.cancel);
        if (out) {
            ctx.send(event::NetworkNode{n, std::move(out)});
            it = wanted_.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace convscope::gui
