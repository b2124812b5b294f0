#include "core/engine/engine.hpp"

#include <algorithm>

#include "core/errors.hpp"
#include "core/weights/initializers.hpp"

namespace convscope {

using Clock = std::chrono::steady_clock;

static double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Engine::Engine(Graph graph, EngineOptions options)
    : graph_(std::move(graph)), options_(options), pool_(options.threads) {
    cache_.resize(std::size_t(graph_.size()));
    valid_.assign(std::size_t(graph_.size()), 0);
    executions_.assign(std::size_t(graph_.size()), 0);
}

void Engine::set_input(Tensor3 input) {
    input_ = std::move(input);
    has_input_ = true;
    invalidate_all();
}

void Engine::invalidate(int node) {
    for (int i : graph_.downstream(node)) {
        cache_[std::size_t(i)].reset();
        valid_[std::size_t(i)] = 0;
    }
}

void Engine::invalidate_all() {
    for (auto& c : cache_) c.reset();
    std::fill(valid_.begin(), valid_.end(), 0);
}

std::vector<int> Engine::set_conv_config(int node, const Conv2DConfig& config, std::uint64_t seed) {
    auto* conv = dynamic_cast<Conv2D*>(graph_.node(node).layer.get());
    if (!conv) throw ConfigError("node \"" + graph_.node(node).name + "\" is not a Conv2D");
    conv->set_config(config);
    invalidate(node);
    // Downstream weights (this conv's kernel, the next BN's statistics, the next conv's kernel) may no
    // longer fit; Keras would rebuild those layers with fresh initial values, and so do we.
    std::vector<int> changed = graph_.build_weights();
    for (int i : changed) {
        initialize_layer(*graph_.node(i).layer, seed, graph_.node(i).name);
        invalidate(i);
    }
    return changed;
}

bool Engine::keeps(int node) const {
    if (options_.keep == KeepPolicy::all_nodes) return true;
    const int block = graph_.block_of(node);
    return block < 0 || graph_.blocks[std::size_t(block)].output == node;  // stem, top and block outputs
}

std::size_t Engine::cached_bytes() const {
    std::size_t bytes = 0;
    for (const auto& c : cache_)
        if (c) bytes += c->size() * sizeof(float);
    return bytes;
}

void Engine::note_memory(const std::vector<std::shared_ptr<const Tensor3>>& scratch) {
    std::size_t bytes = cached_bytes();
    for (const auto& t : scratch)
        if (t) bytes += t->size() * sizeof(float);
    peak_bytes_ = std::max(peak_bytes_, bytes);
}

// Computes node `i` into the cache (or into `scratch` when the keep policy drops it), assuming its
// inputs are available in the cache or scratch. The output is published only once complete.
void Engine::execute(int i, const Context& ctx, std::vector<std::shared_ptr<const Tensor3>>& scratch) {
    const Node& node = graph_.node(i);
    std::shared_ptr<Tensor3> out;
    if (node.inputs.empty()) {
        if (!has_input_) throw InputError("no input image has been set");
        const Shape want = shapes_[std::size_t(i)];
        if (shape_of(input_) != Shape::image(want.h, want.w, want.c))
            throw InputError("the input is " + plain_shape(shape_of(input_)) + ", the network expects " +
                             plain_shape(want));
        out = std::make_shared<Tensor3>(input_);
    } else {
        std::vector<const Tensor3*> inputs;
        for (int j : node.inputs) {
            const auto& t = cache_[std::size_t(j)] ? cache_[std::size_t(j)] : scratch[std::size_t(j)];
            inputs.push_back(t.get());
        }
        out = std::make_shared<Tensor3>(make_tensor(shapes_[std::size_t(i)]));
        node.layer->forward(inputs, *out, ctx);
    }
    ++executions_[std::size_t(i)];
    valid_[std::size_t(i)] = 1;
    if (keeps(i)) cache_[std::size_t(i)] = std::move(out);
    else scratch[std::size_t(i)] = std::move(out);
}

std::vector<char> Engine::needed_for(const std::vector<int>& targets) const {
    // Walk back from the targets through inputs that are not cached: those must be (re)computed too.
    std::vector<char> needed(std::size_t(graph_.size()), 0);
    for (int t : targets) needed[std::size_t(t)] = 1;
    for (int i = graph_.size() - 1; i >= 0; --i) {
        if (!needed[std::size_t(i)]) continue;
        for (int j : graph_.node(i).inputs)
            if (!cache_[std::size_t(j)]) needed[std::size_t(j)] = 1;
    }
    return needed;
}

RunStats Engine::run(const std::atomic<bool>* cancel, const ProgressFn& progress) {
    std::vector<int> stale;
    for (int i = 0; i < graph_.size(); ++i)
        if (!valid_[std::size_t(i)]) stale.push_back(i);
    return run_nodes(stale, false, cancel, progress);
}

RunStats Engine::run_nodes(const std::vector<int>& targets, bool hold_targets, const std::atomic<bool>* cancel,
                           const ProgressFn& progress) {
    const Context ctx{&pool_, cancel, options_.kernels};
    RunStats stats;
    stats.node_milliseconds.assign(std::size_t(graph_.size()), 0.0);
    const auto start = Clock::now();
    shapes_ = graph_.shapes_or_throw();  // a shape error is reported before any work is done

    const std::vector<char> needed = needed_for(targets);
    NodeProgress p;
    p.total = int(std::count(needed.begin(), needed.end(), 1));
    // Outputs the keep policy does not cache live here until the run ends.
    std::vector<std::shared_ptr<const Tensor3>> scratch(std::size_t(graph_.size()));
    // How many needed nodes still have to read each output; an uncached output is freed at zero.
    std::vector<int> readers(std::size_t(graph_.size()), 0);
    for (int i = 0; i < graph_.size(); ++i)
        if (needed[std::size_t(i)])
            for (int j : graph_.node(i).inputs) ++readers[std::size_t(j)];
    if (hold_targets)
        for (int t : targets) ++readers[std::size_t(t)];  // compute() hands the target to its caller
    for (int i = 0; i < graph_.size(); ++i) {
        if (!needed[std::size_t(i)]) continue;
        ctx.throw_if_cancelled();
        const auto node_start = Clock::now();
        execute(i, ctx, scratch);
        for (int j : graph_.node(i).inputs)
            if (--readers[std::size_t(j)] == 0) scratch[std::size_t(j)].reset();
        stats.node_milliseconds[std::size_t(i)] = milliseconds_since(node_start);
        ++stats.computed;
        note_memory(scratch);
        p.node = i;
        ++p.done;
        if (progress) progress(p);
    }
    last_scratch_ = std::move(scratch);
    stats.milliseconds = milliseconds_since(start);
    return stats;
}

std::shared_ptr<const Tensor3> Engine::output(int node) const { return cache_.at(std::size_t(node)); }

std::shared_ptr<const Tensor3> Engine::compute(int node, const std::atomic<bool>* cancel) {
    if (cache_.at(std::size_t(node))) return cache_[std::size_t(node)];
    run_nodes({node}, true, cancel, {});
    std::shared_ptr<const Tensor3> result = last_scratch_[std::size_t(node)];
    last_scratch_.clear();
    return result;
}

}  // namespace convscope
