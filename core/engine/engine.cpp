#include "core/engine/engine.hpp"

#include <algorithm>

#include "core/aligned_memory.hpp"
#include "core/errors.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"
#include "core/layers/add.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/weights/initializers.hpp"

namespace convscope {

using Clock = std::chrono::steady_clock;

static double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

const char* to_string(NodeOutcome outcome) {
    switch (outcome) {
        case NodeOutcome::cached: return "cached";
        case NodeOutcome::computed: return "computed";
        case NodeOutcome::derived: return "derived";
        case NodeOutcome::dropped: return "dropped";
    }
    return "?";
}

Engine::Engine(Graph graph, EngineOptions options)
    : graph_(std::move(graph)),
      options_(std::move(options)),
      pool_(options_.pool ? options_.pool : std::make_shared<ThreadPool>(options_.threads)),
      recycler_(std::make_shared<BufferRecycler>(graph_.size())),
      records_(std::size_t(graph_.size())) {}

// Outputs still held elsewhere outlive the engine; their buffers are freed, not recycled, when let go.
Engine::~Engine() { recycler_->close(); }

Context Engine::context(const std::atomic<bool>* cancel) const {
    return Context{pool_.get(), cancel, options_.kernels, options_.before_tile ? &options_.before_tile : nullptr};
}

Engine::Where Engine::find(int i) const {
    const NodeRecord& r = records_[std::size_t(i)];
    return r.output ? Where::stored : r.recipe ? Where::derivable : Where::absent;
}

void Engine::set_input(Tensor3 input) {
    input_ = std::make_shared<const Tensor3>(std::move(input));
    invalidate_all();
}

void Engine::invalidate(int node) {
    for (int i : graph_.downstream(node)) forget(i);
}

void Engine::invalidate_all() {
    for (int i = 0; i < graph_.size(); ++i) forget(i);
}

// The node's packed kernel stays: it is keyed by the layer's version, which tells whether it still fits.
void Engine::forget(int i) {
    NodeRecord& r = records_[std::size_t(i)];
    if (r.output) {
        // Its buffer serves the node's next output, once every reader has let go of it.
        recycler_->on_return(i, BufferRecycler::Return::to_node);
        r.output.reset();
    }
    r.transient = false;
    r.recipe.reset();
    r.valid = false;
}

void Engine::forget_stale_layers() {
    for (int i = 0; i < graph_.size(); ++i) {
        const NodeRecord& r = records_[std::size_t(i)];
        if (r.valid && r.version != graph_.node(i).layer->version()) invalidate(i);
    }
}

bool Engine::up_to_date(int node) const {
    std::vector<char> seen(std::size_t(graph_.size()), 0);
    std::vector<int> todo{node};
    while (!todo.empty()) {
        const int i = todo.back();
        todo.pop_back();
        if (seen[std::size_t(i)]) continue;
        seen[std::size_t(i)] = 1;
        const NodeRecord& r = records_[std::size_t(i)];
        if (!r.valid || r.version != graph_.node(i).layer->version()) return false;
        for (int j : graph_.node(i).inputs) todo.push_back(j);
    }
    return true;
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

std::vector<int> Engine::execution_counts() const {
    std::vector<int> counts;
    counts.reserve(records_.size());
    for (const NodeRecord& r : records_) counts.push_back(r.executions);
    return counts;
}

bool Engine::is_derived(int node) const { return find(node) == Where::derivable; }

void Engine::set_shown(const std::vector<int>& nodes) { shown_ = nodes; }

// The Conv2Ds among the shown nodes, and those a shown BatchNormalization or Add is derived from (through its
// inputs), as held nodes for plan_fusion(): their passes write them. Only those the keep policy keeps: another
// would be written and freed by the same run.
std::vector<char> Engine::written_for_viewer() const {
    std::vector<char> convs(std::size_t(graph_.size()), 0);
    std::vector<int> todo;
    for (int n : shown_)
        if (n >= 0 && n < graph_.size()) todo.push_back(n);
    while (!todo.empty()) {
        const int n = todo.back();
        todo.pop_back();
        const Layer* layer = graph_.node(n).layer.get();
        if (dynamic_cast<const Conv2D*>(layer))
            convs[std::size_t(n)] = keeps(n);
        else if (dynamic_cast<const BatchNormalization*>(layer) || dynamic_cast<const Add*>(layer))
            for (int j : graph_.node(n).inputs) todo.push_back(j);
    }
    return convs;
}

std::size_t Engine::cached_bytes() const {
    std::size_t bytes = 0;
    for (const NodeRecord& r : records_)
        if (r.output && !r.transient) bytes += r.output->size() * sizeof(float);
    return bytes;
}

void Engine::note_memory() {
    std::size_t bytes = recycler_->bytes();
    for (const NodeRecord& r : records_)
        if (r.output) bytes += r.output->size() * sizeof(float);
    peak_bytes_ = std::max(peak_bytes_, bytes);
}

// A buffer for node i's output: its previous one once nobody reads it, else one of the same shape that this run
// dropped, else a new one.
std::unique_ptr<Tensor3> Engine::acquire(int i) {
    const Shape& s = shapes_[std::size_t(i)];
    if (auto reused = recycler_->take(i, Shape::image(s.h, s.w, s.c))) return reused;
    ++buffers_made_;
    return std::make_unique<Tensor3>(make_tensor(s));
}

// Node i is now up to date, whether it was written, left to be derived, or dropped.
void Engine::mark_executed(int i, NodeOutcome outcome) {
    NodeRecord& r = records_[std::size_t(i)];
    ++r.executions;
    r.valid = true;
    r.version = graph_.node(i).layer->version();
    r.last_run = NodeRun{outcome, 0.0};
}

// Stores a complete output; one the keep policy drops lives until its last reader in this run has run.
void Engine::publish(int i, std::unique_ptr<Tensor3> out) {
    NodeRecord& r = records_[std::size_t(i)];
    r.transient = !keeps(i);
    mark_executed(i, r.transient ? NodeOutcome::dropped : NodeOutcome::computed);
    r.output = BufferRecycler::publish(recycler_, i, std::move(out));
}

void Engine::publish_input() {
    NodeRecord& r = records_[0];
    r.transient = !keeps(0);
    mark_executed(0, NodeOutcome::computed);
    r.output = input_;
}

void Engine::release_transient(int i, bool wanted_later) {
    NodeRecord& r = records_[std::size_t(i)];
    recycler_->on_return(i, wanted_later ? BufferRecycler::Return::to_spares : BufferRecycler::Return::free);
    r.output.reset();
    r.transient = false;
}

// out_sum = a + b, each term an affine of its tensor or the tensor itself; out_relu = max(out_sum, 0). Either
// output may be nullptr.
static void add_terms(const Conv2DResidual& a, const Conv2DResidual& b, float* out_sum, float* out_relu,
                      std::size_t pixels, std::size_t channels, const Context& ctx) {
    affine_add_fast(a.shortcut, a.shortcut_scale, a.shortcut_shift, b.shortcut, b.shortcut_scale, b.shortcut_shift,
                    out_sum, out_relu, pixels, channels, ctx);
}

// Node i's whole output; it is stored or derivable (the caller made sure of it).
const Tensor3& Engine::available(int i, const std::atomic<bool>* cancel) {
    const NodeRecord& r = records_[std::size_t(i)];
    return r.output ? *r.output : materialise(i, cancel);
}

// Node i as an input of a fused elementwise pass: a derived BN stays an affine of its conv, not made.
Engine::Term Engine::term(int i, const std::atomic<bool>* cancel) {
    const NodeRecord& r = records_[std::size_t(i)];
    if (!r.output && r.recipe && r.recipe->kind == Derivation::Kind::affine)
        return Term{available(r.recipe->sources[0], cancel).data(), r.recipe->scale.data(), r.recipe->shift.data()};
    return Term{available(i, cancel).data(), nullptr, nullptr};
}

// Makes a derived output with the arithmetic of the pass that skipped writing it (batch_norm_fast() is the
// conv epilogue's multiply-then-add, affine_add_fast() the join's), so it has the bits a writing run gives.
const Tensor3& Engine::materialise(int i, const std::atomic<bool>* cancel) {
    const auto start = Clock::now();
    NodeRecord& r = records_[std::size_t(i)];
    const Derivation& how = *r.recipe;
    // A BN or an Add is a quick pass over memory; a conv's recompute takes what its pass did (ms at 600 x 600, more
    // after an edit to a large kernel) and stops between tiles when `cancel` is set, leaving the node derivable.
    const Context ctx{pool_.get(), cancel, options_.kernels};
    std::unique_ptr<Tensor3> out = acquire(i);                    // (H, W, C)
    const std::size_t channels = std::size_t(shapes_[std::size_t(i)].c);
    const std::size_t pixels = out->size() / channels;
    switch (how.kind) {
    case Derivation::Kind::affine: {
        const Tensor3& x = available(how.sources[0], cancel);  // (H, W, C)
        batch_norm_fast(x.data(), how.scale.data(), how.shift.data(), out->data(), nullptr, pixels, channels, ctx);
        break;
    }
    case Derivation::Kind::sum:
        add_terms(term(how.sources[0], cancel), term(how.sources[1], cancel), out->data(), nullptr, pixels, channels,
                  ctx);
        break;
    case Derivation::Kind::conv: {
        // The conv alone, with the packed kernel its pass used: every output element is the same sums in the same
        // order whichever outputs a call writes (the epilogue only reads the finished sums), so these are the bits
        // the pass would have written. Its input is cached (fusion_plan.hpp: only then is a conv left unwritten).
        const auto& conv = dynamic_cast<const Conv2D&>(*graph_.node(i).layer);
        const Tensor3& x = available(how.sources[0], cancel);  // (H, W, Cin)
        const Conv2DParams p = conv.params(shape_of(x));
        const float* bias = conv.config().use_bias ? conv.weights()[1].values.data() : nullptr;
        conv2d_fast_packed(p, x.data(), packed_kernel(i, p, ctx), bias, out->data(), nullptr, nullptr, nullptr,
                           nullptr, ctx);
        break;
    }
    }
    // Published only now, complete; the recipe goes (the output is cached until the next invalidation).
    r.output = BufferRecycler::publish(recycler_, i, std::move(out));
    r.recipe.reset();
    r.last_run.milliseconds = milliseconds_since(start);
    note_memory();
    return *r.output;
}

// Computes node i, assuming its inputs are available. The output is published only once complete.
void Engine::execute(int i, const Context& ctx) {
    const Node& node = graph_.node(i);
    if (node.inputs.empty()) {
        if (!input_) throw InputError("no input image has been set");
        const Shape want = shapes_[std::size_t(i)];
        if (shape_of(*input_) != Shape::image(want.h, want.w, want.c))
            throw InputError("the input is " + plain_shape(shape_of(*input_)) + ", the network expects " +
                             plain_shape(want));
        publish_input();
        return;
    }
    std::vector<const Tensor3*> inputs;
    for (int j : node.inputs) inputs.push_back(&available(j));
    std::unique_ptr<Tensor3> out = acquire(i);
    node.layer->forward(inputs, *out, ctx);
    publish(i, std::move(out));
}

// The prepared form of a Conv2D node's kernel (for 3x3 kernels its Winograd transform), made from the layer's
// current weights and remade when the layer has a new version or the geometry wants another form (another
// Winograd tile, or GEMM panels for another tile width: conv2d_packed_kernel_fits). It points into the layer's
// weights, which a new version may have moved.
const Conv2DPackedKernel& Engine::packed_kernel(int i, const Conv2DParams& p, const Context& ctx) {
    NodeRecord& r = records_[std::size_t(i)];
    const auto& conv = dynamic_cast<const Conv2D&>(*graph_.node(i).layer);
    const float* kernel = conv.weights()[0].values.data();
    if (!r.packed || r.packed_version != conv.version() || r.packed->kernel != kernel ||
        !conv2d_packed_kernel_fits(*r.packed, p)) {
        r.packed.reset();  // the old one's memory goes before the new one is made
        r.packed = std::make_shared<const Conv2DPackedKernel>(conv2d_pack_kernel(p, kernel, best_isa(), ctx));
        r.packed_version = conv.version();
        ++kernels_packed_;
    }
    return *r.packed;
}

// Conv2D [-> BatchNormalization [-> ReLU]] in one pass over each output tile, or Conv2D -> BatchNormalization ->
// Add -> ReLU (the Add's other input, the shortcut, already computed), or Add -> ReLU in one pass.
// Every node gets its own output: written here, or derived from the written ones on demand (so the viewer can
// show each of them while the run writes as little as it can), or not kept at all (block_outputs mode).
void Engine::execute_fused(const FusedGroup& group, const Context& ctx) {
    const Node& first = graph_.node(group.nodes[0]);
    const std::size_t n = group.nodes.size();
    std::vector<std::unique_ptr<Tensor3>> outs(n);
    for (std::size_t k = 0; k < n; ++k)
        if (group.fate[k] == Fate::written) outs[k] = acquire(group.nodes[k]);
    auto out = [&](std::size_t k) { return k < n && outs[k] ? outs[k]->data() : nullptr; };
    std::vector<std::optional<Derivation>> how(n);
    if (auto* conv = dynamic_cast<const Conv2D*>(first.layer.get())) {
        const Tensor3& x = available(first.inputs[0]);  // (H, W, Cin)
        std::vector<float> scale, shift;                // (filters), when a BN follows
        if (n > 1)
            dynamic_cast<const BatchNormalization&>(*graph_.node(group.nodes[1]).layer).scale_and_shift(scale, shift);
        // With a join the epilogue adds the shortcut (a derived BN as the affine of its conv, as the join pass
        // reads it) before the ReLU, and the Add is left to its derivation or dropped.
        const bool join = n == 4;
        const int shortcut = join ? graph_.node(group.nodes[2]).inputs[1] : -1;
        const Conv2DResidual residual = join ? term(shortcut) : Conv2DResidual{};
        float* relu = out(join ? 3 : 2);
        const bool bn_in_pass = out(1) || relu;  // else the BN is left entirely to its derivation
        const float* bias = conv->config().use_bias ? conv->weights()[1].values.data() : nullptr;
        const Conv2DParams p = conv->params(shape_of(x));
        conv2d_fast_packed(p, x.data(), packed_kernel(group.nodes[0], p, ctx), bias, out(0),
                           bn_in_pass ? scale.data() : nullptr, bn_in_pass ? shift.data() : nullptr, out(1), relu,
                           ctx, residual);
        if (n == 1)  // a lone Conv2D applies its own activation (fusion needs a linear one)
            apply_activation(conv->config().activation, out(0), std::size_t(p.out_h) * std::size_t(p.out_w),
                             std::size_t(p.filters));
        if (group.fate[0] == Fate::derived) how[0] = Derivation{Derivation::Kind::conv, {first.inputs[0]}, {}, {}};
        if (n > 1 && group.fate[1] == Fate::derived)
            how[1] = Derivation{Derivation::Kind::affine, {group.nodes[0]}, std::move(scale), std::move(shift)};
        if (join && group.fate[2] == Fate::derived)
            how[2] = Derivation{Derivation::Kind::sum, {group.nodes[1], shortcut}, {}, {}};
    } else {  // Add -> ReLU, reading a derived BN input as the affine of its conv output
        const Shape& s = shapes_[std::size_t(group.nodes[0])];
        const std::size_t channels = std::size_t(s.c), pixels = std::size_t(s.h) * std::size_t(s.w);
        add_terms(term(first.inputs[0]), term(first.inputs[1]), out(0), out(1), pixels, channels, ctx);
        if (group.fate[0] == Fate::derived)
            how[0] = Derivation{Derivation::Kind::sum, {first.inputs[0], first.inputs[1]}, {}, {}};
    }
    for (std::size_t k = 0; k < n; ++k) {
        const int node = group.nodes[k];
        if (group.fate[k] == Fate::derived) {
            mark_executed(node, NodeOutcome::derived);
            records_[std::size_t(node)].recipe = std::move(how[k]);
            // Its previous buffer would only sit idle (and count as memory) until someone asks for the output.
            recycler_->on_return(node, BufferRecycler::Return::free);
        } else if (group.fate[k] == Fate::dropped) {
            mark_executed(node, NodeOutcome::dropped);
        } else {
            publish(node, std::move(outs[k]));
        }
    }
}

std::vector<char> Engine::needed_for(const std::vector<int>& targets) const {
    // Walk back from the targets through inputs that are absent: those must be (re)computed too.
    std::vector<char> needed(std::size_t(graph_.size()), 0);
    for (int t : targets) needed[std::size_t(t)] = 1;
    for (int i = graph_.size() - 1; i >= 0; --i) {
        if (!needed[std::size_t(i)]) continue;
        for (int j : graph_.node(i).inputs)
            if (find(j) == Where::absent) needed[std::size_t(j)] = 1;
    }
    return needed;
}

std::vector<int> Engine::stale_nodes() {
    forget_stale_layers();
    std::vector<int> stale;
    for (int i = 0; i < graph_.size(); ++i)
        if (!records_[std::size_t(i)].valid) stale.push_back(i);
    return stale;
}

// Makes a new buffer's pages resident, the pool's threads taking 2 MB (a huge page) each.
static void touch_new_buffer(Tensor3& t, const Context& ctx) {
    constexpr std::size_t chunk = kLargePageBytes;
    char* data = reinterpret_cast<char*>(t.data());
    const std::size_t bytes = t.size() * sizeof(float);
    ctx.parallel_for((bytes + chunk - 1) / chunk,
                     [&](std::size_t k) { touch_pages(data + k * chunk, std::min(chunk, bytes - k * chunk)); });
}

PrepareStats Engine::prepare(const std::atomic<bool>* cancel) {
    const auto start = Clock::now();
    const Context ctx = context(cancel);
    PrepareStats stats;
    const std::vector<char> needed = needed_for(stale_nodes());
    shapes_ = graph_.shapes_or_throw();
    const bool fast = options_.kernels == Kernels::fast;
    const FusionPlan plan =
        fast ? plan_fusion(graph_, needed, written_for_viewer(), options_.keep) : unfused_plan(graph_, needed);
    const int packed_before = kernels_packed_;
    std::vector<Conv2DParams> convs;  // of the fused passes: their per-thread scratch is grown below
    for (int i = 1; i < graph_.size(); ++i) {  // node 0 is the input: it is not written into a buffer
        if (!needed[std::size_t(i)]) continue;
        ctx.throw_if_cancelled();
        const int g = plan.group_of[std::size_t(i)];
        if (g >= 0) {
            const FusedGroup& group = plan.groups[std::size_t(g)];
            const auto k = std::size_t(std::find(group.nodes.begin(), group.nodes.end(), i) - group.nodes.begin());
            if (k == 0)
                if (auto* conv = dynamic_cast<const Conv2D*>(graph_.node(i).layer.get())) {
                    convs.push_back(conv->params(shapes_[std::size_t(graph_.node(i).inputs[0])]));
                    packed_kernel(i, convs.back(), ctx);
                }
            if (group.fate[k] != Fate::written) continue;
        }
        // An output the keep policy drops lives only until its readers ran, and a later one of its shape takes
        // its buffer (the recycler's spares): made ahead, they would all be alive at once.
        if (!keeps(i)) continue;
        const Shape& s = shapes_[std::size_t(i)];
        if (!recycler_->wants_buffer(i, Shape::image(s.h, s.w, s.c))) continue;
        auto buffer = std::make_unique<Tensor3>(make_tensor(s));
        touch_new_buffer(*buffer, ctx);
        ++stats.new_buffers;
        stats.new_bytes += buffer->size() * sizeof(float);
        recycler_->stock(i, std::move(buffer));
    }
    stock_spares_for_dropped(plan, needed, ctx, stats);
    // The kernels' per-thread scratch (the Winograd path's), grown and mapped on every thread now: else the
    // first conv of each larger size stops on page faults during the run.
    if (!convs.empty()) {
        const Isa isa = best_isa();
        pool_->on_each_thread([&] {
            for (const Conv2DParams& p : convs) conv2d_reserve_thread_scratch(p, isa);
        });
    }
    stats.packed_kernels = kernels_packed_ - packed_before;
    stats.milliseconds = milliseconds_since(start);
    note_memory();
    return stats;
}

// The outputs the keep policy drops take their buffers from the recycler's spares during a run, and hand them
// back once their last reader ran. Going through the run's passes as run_nodes() does, this counts how many of
// each shape are alive at once at most, and makes (and touches) the ones the spares lack: the first run then
// faults in no fresh memory either, and holds what it would have made anyway.
void Engine::stock_spares_for_dropped(const FusionPlan& plan, const std::vector<char>& needed, const Context& ctx,
                                      PrepareStats& stats) {
    const std::size_t nodes = std::size_t(graph_.size());
    std::vector<int> readers(nodes, 0);
    for (std::size_t i = 0; i < nodes; ++i)
        if (needed[i])
            for (int j : graph_.node(int(i)).inputs) ++readers[std::size_t(j)];
    auto image_shape = [&](int i) {
        const Shape& s = shapes_[std::size_t(i)];
        return Shape::image(s.h, s.w, s.c);
    };
    struct Count {
        Shape shape;
        int alive = 0, most = 0;
    };
    std::vector<Count> counts;
    auto count_of = [&](const Shape& shape) -> Count& {
        for (Count& c : counts)
            if (c.shape == shape) return c;
        counts.push_back(Count{shape});
        return counts.back();
    };
    std::vector<char> transient(nodes, 0);
    for (int first : plan.order) {
        const int g = plan.group_of[std::size_t(first)];
        const std::vector<int> single{first};
        const std::vector<int>& ran = g >= 0 ? plan.groups[std::size_t(g)].nodes : single;
        for (std::size_t k = 0; k < ran.size(); ++k) {
            const int n = ran[k];
            const bool written = g < 0 ? n != 0 : plan.groups[std::size_t(g)].fate[k] == Fate::written;
            if (!written || keeps(n)) continue;
            transient[std::size_t(n)] = 1;
            Count& c = count_of(image_shape(n));
            c.most = std::max(c.most, ++c.alive);
        }
        for (int n : ran)
            for (int j : graph_.node(n).inputs)
                if (--readers[std::size_t(j)] == 0 && transient[std::size_t(j)]) --count_of(image_shape(j)).alive;
    }
    for (const Count& c : counts)
        for (int k = recycler_->spares_of(c.shape); k < c.most; ++k) {
            ctx.throw_if_cancelled();
            auto buffer = std::make_unique<Tensor3>(make_tensor(c.shape));
            touch_new_buffer(*buffer, ctx);
            ++stats.new_buffers;
            stats.new_bytes += buffer->size() * sizeof(float);
            recycler_->add_spare(std::move(buffer));
        }
}

RunStats Engine::run(const std::atomic<bool>* cancel, const ProgressFn& progress) {
    return run_nodes(stale_nodes(), -1, cancel, progress);
}

// Computes the targets and what they need that is absent. `held` (a target, or -1) stays stored after the run
// even when the keep policy drops it, for compute() to hand over.
RunStats Engine::run_nodes(const std::vector<int>& targets, int held, const std::atomic<bool>* cancel,
                           const ProgressFn& progress) {
    const Context ctx = context(cancel);
    const std::size_t nodes = std::size_t(graph_.size());
    RunStats stats;
    stats.node_milliseconds.assign(nodes, 0.0);
    stats.node_outcomes.assign(nodes, NodeOutcome::cached);
    const auto start = Clock::now();
    const int buffers_before = buffers_made_, packed_before = kernels_packed_;
    shapes_ = graph_.shapes_or_throw();  // a shape error is reported before any work is done

    const std::vector<char> needed = needed_for(targets);
    NodeProgress p;
    p.total = int(std::count(needed.begin(), needed.end(), 1));
    std::vector<char> hold = written_for_viewer();
    if (held >= 0) hold[std::size_t(held)] = 1;
    const FusionPlan plan = options_.kernels == Kernels::fast ? plan_fusion(graph_, needed, hold, options_.keep)
                                                              : unfused_plan(graph_, needed);
    std::vector<char> done(nodes, 0);
    // How many needed nodes still have to read each output; a transient output is released at zero.
    std::vector<int> readers(nodes, 0);
    for (std::size_t i = 0; i < nodes; ++i)
        if (needed[i])
            for (int j : graph_.node(int(i)).inputs) ++readers[std::size_t(j)];
    if (held >= 0) ++readers[std::size_t(held)];
    // A spare buffer is kept while a node still to run has its shape, or while a node the keep policy drops has
    // it: the next run's dropped outputs then reuse it (a fresh buffer is fresh pages, and faulting them in on
    // every run cost block_outputs mode at 600 x 600 about 8 ms in res2a_branch1 alone). Spares come only from
    // dropped outputs, so they are never more than the dropped outputs a run had alive at once.
    std::vector<char> dropped(nodes, 0);  // node k's output is dropped by the keep policy
    for (std::size_t k = 0; k < nodes; ++k) dropped[k] = !keeps(int(k));
    auto wanted_next_run = [&](const Tensor3& t) {
        for (std::size_t k = 0; k < nodes; ++k)
            if (dropped[k] && shape_of(t) == shapes_[k]) return true;
        return false;
    };
    auto wanted_later = [&](const Tensor3& t) {
        for (std::size_t k = 0; k < nodes; ++k)
            if (needed[k] && !done[k] && shape_of(t) == shapes_[k]) return true;
        return wanted_next_run(t);
    };
    // However the run ends, transient outputs (but the held one, when it finished) go: to the spares if a dropped
    // node could take them next run. Spares nothing would take go too.
    struct EndOfRun {
        Engine& engine;
        const std::function<bool(const Tensor3&)> wanted;
        int keep = -1;
        ~EndOfRun() {
            for (int i = 0; i < engine.graph_.size(); ++i) {
                const NodeRecord& r = engine.records_[std::size_t(i)];
                if (r.transient && i != keep) engine.release_transient(i, r.output && wanted(*r.output));
            }
            engine.recycler_->keep_spares_if(wanted);
        }
    } end_of_run{*this, wanted_next_run};
    for (int first : plan.order) {
        ctx.throw_if_cancelled();
        const auto pass_start = Clock::now();
        const int g = plan.group_of[std::size_t(first)];
        const std::vector<int> single{first};
        const std::vector<int>& ran = g >= 0 ? plan.groups[std::size_t(g)].nodes : single;
        if (g >= 0) execute_fused(plan.groups[std::size_t(g)], ctx);
        else execute(first, ctx);
        // A fused group's time is booked on its first node; the others show 0 ms.
        const double ms = milliseconds_since(pass_start);
        stats.node_milliseconds[std::size_t(first)] = ms;
        records_[std::size_t(first)].last_run.milliseconds = ms;
        note_memory();
        for (int n : ran) {
            done[std::size_t(n)] = 1;
            stats.node_outcomes[std::size_t(n)] = records_[std::size_t(n)].last_run.outcome;
        }
        recycler_->keep_spares_if(wanted_later);
        for (int n : ran) {
            for (int j : graph_.node(n).inputs) {
                const NodeRecord& r = records_[std::size_t(j)];
                if (--readers[std::size_t(j)] == 0 && r.transient) release_transient(j, wanted_later(*r.output));
            }
            p.node = n;
            ++p.done;
            if (progress) progress(p);
        }
    }
    end_of_run.keep = held;
    stats.computed = p.done;
    stats.new_buffers = buffers_made_ - buffers_before;
    stats.packed_kernels = kernels_packed_ - packed_before;
    stats.milliseconds = milliseconds_since(start);
    return stats;
}

std::shared_ptr<const Tensor3> Engine::peek(int node) const {
    const NodeRecord& r = records_.at(std::size_t(node));
    if (!r.output || r.transient || !up_to_date(node)) return nullptr;
    return r.output;
}

std::shared_ptr<const Tensor3> Engine::output(int node, const std::atomic<bool>* cancel) {
    forget_stale_layers();
    if (find(node) == Where::derivable) materialise(node, cancel);
    const NodeRecord& r = records_.at(std::size_t(node));
    return r.transient ? nullptr : r.output;
}

std::shared_ptr<const Tensor3> Engine::compute(int node, const std::atomic<bool>* cancel) {
    if (auto out = output(node, cancel)) return out;
    run_nodes({node}, node, cancel, {});
    NodeRecord& r = records_[std::size_t(node)];
    std::shared_ptr<const Tensor3> out = r.output;
    if (r.transient) release_transient(node, false);
    return out;
}

}  // namespace convscope
