#include "core/engine/engine.hpp"

#include <algorithm>
#include <functional>

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

Engine::Engine(Graph graph, EngineOptions options)
    : graph_(std::move(graph)), options_(options), pool_(options.threads) {
    cache_.resize(std::size_t(graph_.size()));
    recycled_.resize(std::size_t(graph_.size()));
    packed_.resize(std::size_t(graph_.size()));
    valid_.assign(std::size_t(graph_.size()), 0);
    derived_.resize(std::size_t(graph_.size()));
    executions_.assign(std::size_t(graph_.size()), 0);
}

void Engine::set_input(Tensor3 input) {
    input_ = std::make_shared<Tensor3>(std::move(input));
    // A new picture changes every output but no weight: the packed kernels stay.
    for (int i = 0; i < graph_.size(); ++i) forget(i, false);
}

void Engine::invalidate(int node) {
    for (int i : graph_.downstream(node)) forget(i, true);
}

void Engine::invalidate_all() {
    for (int i = 0; i < graph_.size(); ++i) forget(i, true);
}

void Engine::forget(int i, bool weights_may_have_changed) {
    // The old buffer is kept for reuse by the next run; readers that still hold it keep their copy alive.
    if (cache_[std::size_t(i)]) recycled_[std::size_t(i)] = std::move(cache_[std::size_t(i)]);
    if (weights_may_have_changed) packed_[std::size_t(i)].reset();
    cache_[std::size_t(i)].reset();
    derived_[std::size_t(i)].reset();
    valid_[std::size_t(i)] = 0;
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

bool Engine::is_derived(int node) const { return derived_.at(std::size_t(node)) != nullptr; }

std::size_t Engine::cached_bytes() const {
    std::size_t bytes = 0;
    for (const auto& c : cache_)
        if (c) bytes += c->size() * sizeof(float);
    return bytes;
}

void Engine::note_memory(const std::vector<TensorPtr>& scratch) {
    std::size_t bytes = cached_bytes();
    for (const auto& t : scratch)
        if (t) bytes += t->size() * sizeof(float);
    for (const auto& t : recycled_)
        if (t) bytes += t->size() * sizeof(float);
    for (const auto& t : spare_) bytes += t->size() * sizeof(float);
    peak_bytes_ = std::max(peak_bytes_, bytes);
}

// A buffer for node i's output: its previous buffer when nobody else holds it and the shape still fits
// (touching fresh memory costs page faults: about a tenth of a fast backbone run), else a buffer this run
// dropped (block_outputs mode frees inner outputs as soon as they are read), else a new one.
Engine::TensorPtr Engine::acquire(int i) {
    const Shape& s = shapes_[std::size_t(i)];
    const Shape want = Shape::image(s.h, s.w, s.c);
    TensorPtr& old = recycled_[std::size_t(i)];
    TensorPtr out;
    if (old && old.use_count() == 1 && shape_of(*old) == want) {
        out = std::move(old);
    } else {
        auto fits = [&](const TensorPtr& t) { return t.use_count() == 1 && shape_of(*t) == want; };
        const auto spare = std::find_if(spare_.begin(), spare_.end(), fits);
        if (spare != spare_.end()) {
            out = std::move(*spare);
            spare_.erase(spare);
        } else {
            out = std::make_shared<Tensor3>(make_tensor(s));
        }
    }
    old.reset();
    return out;
}

// Node i's output is now up to date, whether it was written, left to be derived, or dropped.
void Engine::mark_executed(int i) {
    ++executions_[std::size_t(i)];
    valid_[std::size_t(i)] = 1;
}

void Engine::publish(int i, TensorPtr out, std::vector<TensorPtr>& scratch) {
    mark_executed(i);
    if (keeps(i)) cache_[std::size_t(i)] = std::move(out);
    else scratch[std::size_t(i)] = std::move(out);
}

// A node published as derived: valid and counted as executed, but not written; output() makes it.
void Engine::publish_derived(int i, Derivation how) {
    mark_executed(i);
    derived_[std::size_t(i)] = std::make_unique<Derivation>(std::move(how));
    // Its previous buffer would only sit idle (and count as memory) until someone asks for the output.
    recycled_[std::size_t(i)].reset();
}

// out_sum = a + b, each term an affine of its tensor or the tensor itself; out_relu = max(out_sum, 0). Either
// output may be nullptr.
static void add_terms(const Conv2DResidual& a, const Conv2DResidual& b, float* out_sum, float* out_relu,
                      std::size_t pixels, std::size_t channels, const Context& ctx) {
    affine_add_fast(a.shortcut, a.shortcut_scale, a.shortcut_shift, b.shortcut, b.shortcut_scale, b.shortcut_shift,
                    out_sum, out_relu, pixels, channels, ctx);
}

static const std::shared_ptr<Tensor3>* in_scratch(const std::vector<std::shared_ptr<Tensor3>>& scratch, int i) {
    return std::size_t(i) < scratch.size() && scratch[std::size_t(i)] ? &scratch[std::size_t(i)] : nullptr;
}

// Node i's whole output, assuming it is cached, in scratch (this run, dropped by the keep policy) or derived.
const Tensor3& Engine::available(int i, const std::vector<TensorPtr>& scratch) {
    if (cache_[std::size_t(i)]) return *cache_[std::size_t(i)];
    if (const TensorPtr* t = in_scratch(scratch, i)) return **t;
    return materialise(i, scratch);
}

// Node i as an input of a fused elementwise pass: a derived BN stays an affine of its conv, not made.
Engine::Term Engine::term(int i, const std::vector<TensorPtr>& scratch) {
    const Derivation* how = derived_[std::size_t(i)].get();
    if (!cache_[std::size_t(i)] && !in_scratch(scratch, i) && how && !how->scale.empty())
        return Term{available(how->sources[0], scratch).data(), how->scale.data(), how->shift.data()};
    return Term{available(i, scratch).data(), nullptr, nullptr};
}

// Makes a derived output with the arithmetic of the pass that skipped writing it (batch_norm_fast() is the
// conv epilogue's multiply-then-add, affine_add_fast() the join's), so it has the bits a writing run gives.
const Tensor3& Engine::materialise(int i, const std::vector<TensorPtr>& scratch) {
    const Derivation& how = *derived_[std::size_t(i)];
    const Context ctx{&pool_, nullptr, options_.kernels};  // small and memory-bound: not worth cancelling
    TensorPtr out = acquire(i);                              // (H, W, C)
    const std::size_t channels = std::size_t(shapes_[std::size_t(i)].c);
    const std::size_t pixels = out->size() / channels;
    if (!how.scale.empty()) {
        const Tensor3& x = available(how.sources[0], scratch);  // (H, W, C)
        batch_norm_fast(x.data(), how.scale.data(), how.shift.data(), out->data(), nullptr, pixels, channels, ctx);
    } else {
        add_terms(term(how.sources[0], scratch), term(how.sources[1], scratch), out->data(), nullptr, pixels, channels,
                  ctx);
    }
    // Published only now, complete; the recipe goes (the output is cached until the next invalidation).
    cache_[std::size_t(i)] = std::move(out);
    derived_[std::size_t(i)].reset();
    note_memory(scratch);
    return *cache_[std::size_t(i)];
}

// Computes node `i` into the cache (or into `scratch` when the keep policy drops it), assuming its
// inputs are available in the cache or scratch. The output is published only once complete.
void Engine::execute(int i, const Context& ctx, std::vector<TensorPtr>& scratch) {
    const Node& node = graph_.node(i);
    TensorPtr out;
    if (node.inputs.empty()) {
        if (!input_) throw InputError("no input image has been set");
        const Shape want = shapes_[std::size_t(i)];
        if (shape_of(*input_) != Shape::image(want.h, want.w, want.c))
            throw InputError("the input is " + plain_shape(shape_of(*input_)) + ", the network expects " +
                             plain_shape(want));
        out = input_;
    } else {
        std::vector<const Tensor3*> inputs;
        for (int j : node.inputs) inputs.push_back(&available(j, scratch));
        out = acquire(i);
        node.layer->forward(inputs, *out, ctx);
    }
    publish(i, std::move(out), scratch);
}

// The prepared form of a Conv2D node's kernel (for 3x3 kernels its Winograd transform), made once and kept
// until the node is invalidated; a new input image reuses it. It points into the layer's weights, which is
// why changing weights requires invalidate()/invalidate_all().
const Conv2DPackedKernel& Engine::packed_kernel(int i, const Conv2DParams& p, const Context& ctx) {
    auto& slot = packed_[std::size_t(i)];
    if (!slot) {
        const auto& conv = dynamic_cast<const Conv2D&>(*graph_.node(i).layer);
        slot = std::make_shared<Conv2DPackedKernel>(conv2d_pack_kernel(p, conv.weights()[0].values.data(), best_isa(), ctx));
    }
    return *slot;
}

// Conv2D [-> BatchNormalization [-> ReLU]] in one pass over each output tile, or Conv2D -> BatchNormalization ->
// Add -> ReLU (the Add's other input, the shortcut, already computed), or Add -> ReLU in one pass.
// Every node gets its own output: written here, or derived from the written ones on demand (so the viewer can
// show each of them while the run writes as little as it can), or not kept at all (block_outputs mode).
void Engine::execute_fused(const FusedGroup& group, const Context& ctx, std::vector<TensorPtr>& scratch) {
    const Node& first = graph_.node(group.nodes[0]);
    const std::size_t n = group.nodes.size();
    std::vector<TensorPtr> outs(n);
    for (std::size_t k = 0; k < n; ++k)
        if (group.fate[k] == Fate::written) outs[k] = acquire(group.nodes[k]);
    auto out = [&](std::size_t k) { return k < n && outs[k] ? outs[k]->data() : nullptr; };
    std::vector<Derivation> how(n);
    if (auto* conv = dynamic_cast<const Conv2D*>(first.layer.get())) {
        const Tensor3& x = available(first.inputs[0], scratch);  // (H, W, Cin)
        std::vector<float> scale, shift;                         // (filters), when a BN follows
        if (n > 1)
            dynamic_cast<const BatchNormalization&>(*graph_.node(group.nodes[1]).layer).scale_and_shift(scale, shift);
        // With a join the epilogue adds the shortcut (a derived BN as the affine of its conv, as the join pass
        // reads it) before the ReLU, and the Add is left to its derivation or dropped.
        const bool join = n == 4;
        const int shortcut = join ? graph_.node(group.nodes[2]).inputs[1] : -1;
        const Conv2DResidual residual = join ? term(shortcut, scratch) : Conv2DResidual{};
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
        if (n > 1 && group.fate[1] == Fate::derived) how[1] = Derivation{{group.nodes[0]}, std::move(scale), std::move(shift)};
        if (join && group.fate[2] == Fate::derived) how[2] = Derivation{{group.nodes[1], shortcut}, {}, {}};
    } else {  // Add -> ReLU, reading a derived BN input as the affine of its conv output
        const std::size_t channels = std::size_t(shapes_[std::size_t(group.nodes[0])].c);
        const std::size_t pixels = std::size_t(shapes_[std::size_t(group.nodes[0])].h) *
                                   std::size_t(shapes_[std::size_t(group.nodes[0])].w);
        add_terms(term(first.inputs[0], scratch), term(first.inputs[1], scratch), out(0), out(1), pixels, channels,
                  ctx);
        if (group.fate[0] == Fate::derived) how[0] = Derivation{{first.inputs[0], first.inputs[1]}, {}, {}};
    }
    for (std::size_t k = 0; k < n; ++k) {
        const int node = group.nodes[k];
        if (group.fate[k] == Fate::derived) {
            publish_derived(node, std::move(how[k]));
        } else if (group.fate[k] == Fate::dropped) {  // as publish() of an output the keep policy drops at once
            mark_executed(node);
        } else {
            publish(node, std::move(outs[k]), scratch);
        }
    }
}

// Which needed nodes run as one pass: every Conv2D (alone, with its packed kernel), joined by the
// BatchNormalization that is its only reader when the conv is linear (and by a ReLU that is the BN's only
// reader), or a two-input Add whose only reader is a ReLU. When that BN is the first input of such an Add, the
// Add and its ReLU join the conv's pass too (a block's join in the conv epilogue: the conv output is not read
// back), provided the Add's other input, the shortcut, is ready by then: computed earlier in node order, not to be
// computed in this run, or computed by a group that can run early because all it reads comes before the conv.
// That group (a conv block's branch1 conv and BN) is marked early: it runs right after the pass that computes
// the last of its inputs (the block input, so that branch1 reads it while it is in cache, as branch2a does
// next). The Add must be derived or dropped: the epilogue writes no sum.
// Which of them the pass leaves unwritten (derived on demand): a BN whose only reader is its group's ReLU
// or a fused Add -> ReLU, and a fused Add; only when the keep policy caches the node and its inputs (so the
// derivation's sources stay) and compute() did not ask for it (`held`: it hands over the tensor itself).
// Which it drops: a node the keep policy does not cache, that compute() did not ask for, read only inside
// its group (the conv and BN before a fused ReLU, the conv before its BN, the Add before its ReLU).
Engine::FusionPlan Engine::plan_fusion(const std::vector<char>& needed, const std::vector<char>& held) const {
    std::vector<FusedGroup> groups;
    std::vector<int> group_of(std::size_t(graph_.size()), -1);
    if (options_.kernels != Kernels::fast) return {{}, group_of};  // the reference path runs every layer as written
    auto only_reader = [&](int i) {
        const std::vector<int>& readers = graph_.consumers(i);
        return readers.size() == 1 ? readers[0] : -1;
    };
    auto is_relu = [&](int i) {
        const auto* a = i >= 0 ? dynamic_cast<const Activation*>(graph_.node(i).layer.get()) : nullptr;
        return a && a->config().activation == ActivationKind::relu && needed[std::size_t(i)];
    };
    auto is_join = [&](int i) {  // an Add that runs fused with its ReLU
        return i >= 0 && needed[std::size_t(i)] && dynamic_cast<const Add*>(graph_.node(i).layer.get()) &&
               graph_.node(i).inputs.size() == 2 && is_relu(only_reader(i));
    };
    auto may_defer = [&](int i) {
        if (held[std::size_t(i)] || !keeps(i)) return false;
        for (int j : graph_.node(i).inputs)
            if (!keeps(j)) return false;
        return true;
    };
    auto may_drop = [&](int i) { return !held[std::size_t(i)] && !keeps(i); };
    for (int i = 0; i < graph_.size(); ++i) {
        if (!needed[std::size_t(i)]) continue;
        const Layer* layer = graph_.node(i).layer.get();
        if (const auto* conv = dynamic_cast<const Conv2D*>(layer)) {
            FusedGroup g{{i}, {Fate::written}};
            const int bn = only_reader(i);
            if (conv->config().activation == ActivationKind::linear && bn >= 0 && needed[std::size_t(bn)] &&
                dynamic_cast<const BatchNormalization*>(graph_.node(bn).layer.get())) {
                g.nodes.push_back(bn);
                if (may_drop(i)) g.fate[0] = Fate::dropped;
                const bool relu = is_relu(only_reader(bn));
                g.fate.push_back((relu || is_join(only_reader(bn))) && may_defer(bn) ? Fate::derived
                                 : relu && may_drop(bn)                              ? Fate::dropped
                                                                                     : Fate::written);
                if (relu) {
                    g.nodes.push_back(only_reader(bn));
                    g.fate.push_back(Fate::written);
                }
            }
            groups.push_back(g);
        } else if (is_join(i)) {
            const Fate add = may_defer(i) ? Fate::derived : may_drop(i) ? Fate::dropped : Fate::written;
            groups.push_back(FusedGroup{{i, only_reader(i)}, {add, Fate::written}});
        }
    }

    // Joins into conv epilogues (see above).
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (int n : groups[g].nodes) group_of[std::size_t(n)] = int(g);
    auto first_of = [&](int n) {  // where n's pass starts: the first node of its group, or n itself
        const int g = group_of[std::size_t(n)];
        return g >= 0 ? groups[std::size_t(g)].nodes[0] : n;
    };
    std::vector<char> merged(groups.size(), 0);
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        FusedGroup& group = groups[gi];
        if (group.early || group.nodes.size() != 2 ||
            !dynamic_cast<const Conv2D*>(graph_.node(group.nodes[0]).layer.get()))
            continue;
        const int conv = group.nodes[0], bn = group.nodes[1], add = only_reader(bn);
        if (!is_join(add)) continue;
        const std::vector<int>& add_inputs = graph_.node(add).inputs;
        const int shortcut = add_inputs[1];
        const std::size_t join = std::size_t(group_of[std::size_t(add)]);
        // The epilogue computes bn + shortcut in that order (as the join pass does), and writes no sum.
        if (add_inputs[0] != bn || shortcut == bn || groups[join].fate[0] == Fate::written) continue;
        FusedGroup* early = nullptr;  // the shortcut's group, when it has to run earlier than node order
        int after = -1;
        if (needed[std::size_t(shortcut)] && first_of(shortcut) > conv) {
            if (group_of[std::size_t(shortcut)] < 0) continue;
            early = &groups[std::size_t(group_of[std::size_t(shortcut)])];
            bool ready = true;  // all it reads is computed before the conv, by passes that run in node order
            const std::vector<int>& inside = early->nodes;
            for (int n : inside)
                for (int j : graph_.node(n).inputs) {
                    if (!needed[std::size_t(j)] || std::find(inside.begin(), inside.end(), j) != inside.end()) continue;
                    const int g = group_of[std::size_t(j)];
                    if (first_of(j) >= conv || (g >= 0 && groups[std::size_t(g)].early)) ready = false;
                    after = std::max(after, first_of(j));
                }
            if (!ready) continue;
        }
        group.nodes.insert(group.nodes.end(), groups[join].nodes.begin(), groups[join].nodes.end());
        group.fate[1] = may_defer(bn) ? Fate::derived : may_drop(bn) ? Fate::dropped : Fate::written;
        group.fate.insert(group.fate.end(), groups[join].fate.begin(), groups[join].fate.end());
        merged[join] = 1;
        for (int n : groups[join].nodes) group_of[std::size_t(n)] = int(gi);  // where a later shortcut looks
        if (early) {
            early->early = true;
            early->after = after;
        }
    }
    // The merged joins go; group_of is renumbered to match (their nodes already point at the conv's group).
    FusionPlan plan;
    std::vector<int> renumbered(groups.size(), -1);
    for (std::size_t g = 0; g < groups.size(); ++g)
        if (!merged[g]) {
            renumbered[g] = int(plan.groups.size());
            plan.groups.push_back(std::move(groups[g]));
        }
    for (int& g : group_of)
        if (g >= 0) g = renumbered[std::size_t(g)];
    plan.group_of = std::move(group_of);
    return plan;
}

std::vector<char> Engine::needed_for(const std::vector<int>& targets) const {
    // Walk back from the targets through inputs that are not cached: those must be (re)computed too.
    std::vector<char> needed(std::size_t(graph_.size()), 0);
    for (int t : targets) needed[std::size_t(t)] = 1;
    for (int i = graph_.size() - 1; i >= 0; --i) {
        if (!needed[std::size_t(i)]) continue;
        for (int j : graph_.node(i).inputs)
            if (!cache_[std::size_t(j)] && !derived_[std::size_t(j)]) needed[std::size_t(j)] = 1;
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
    std::vector<TensorPtr> scratch(std::size_t(graph_.size()));
    std::vector<char> held(std::size_t(graph_.size()), 0);
    if (hold_targets)
        for (int t : targets) held[std::size_t(t)] = 1;
    // Fused groups run when their first node comes up; the group's other nodes are then skipped.
    const FusionPlan plan = plan_fusion(needed, held);
    const std::vector<FusedGroup>& groups = plan.groups;
    const std::vector<int>& group_of = plan.group_of;
    // The passes in the order they run, each by its first node: node order, except that an early group runs
    // right after the pass starting at its `after` (first of all for -1).
    std::vector<std::vector<int>> early_after(std::size_t(graph_.size()) + 1);  // by after + 1
    for (const FusedGroup& g : groups)
        if (g.early) early_after[std::size_t(g.after + 1)].push_back(g.nodes[0]);
    std::vector<int> order;
    std::function<void(int)> place = [&](int first) {
        if (first >= 0) order.push_back(first);
        for (int e : early_after[std::size_t(first + 1)]) place(e);
    };
    place(-1);
    for (int i = 0; i < graph_.size(); ++i) {
        const FusedGroup* g = group_of[std::size_t(i)] >= 0 ? &groups[std::size_t(group_of[std::size_t(i)])] : nullptr;
        if (needed[std::size_t(i)] && (!g || (g->nodes[0] == i && !g->early))) place(i);
    }
    std::vector<char> done(std::size_t(graph_.size()), 0);
    // How many needed nodes still have to read each output; an uncached output is freed at zero.
    std::vector<int> readers(std::size_t(graph_.size()), 0);
    for (int i = 0; i < graph_.size(); ++i)
        if (needed[std::size_t(i)])
            for (int j : graph_.node(i).inputs) ++readers[std::size_t(j)];
    if (hold_targets)
        for (int t : targets) ++readers[std::size_t(t)];  // compute() hands the target to its caller
    // Dropped outputs wait in spare_ for reuse until the run ends (or is cancelled): then they are freed.
    struct ReleaseSpares {
        std::vector<TensorPtr>& spare;
        ~ReleaseSpares() { spare.clear(); }
    } release_spares{spare_};
    for (int i : order) {
        ctx.throw_if_cancelled();
        const auto node_start = Clock::now();
        std::vector<int> ran{i};
        if (group_of[std::size_t(i)] >= 0) {
            const FusedGroup& group = groups[std::size_t(group_of[std::size_t(i)])];
            execute_fused(group, ctx, scratch);
            ran = group.nodes;
        } else {
            execute(i, ctx, scratch);
        }
        // A fused group's time is booked on its first node; the others show 0 ms.
        stats.node_milliseconds[std::size_t(i)] = milliseconds_since(node_start);
        note_memory(scratch);
        for (int n : ran) done[std::size_t(n)] = 1;
        // A spare buffer is kept only while a node still to run has its shape: memory is not held for nothing.
        auto wanted_later = [&](const Tensor3& t) {
            for (int k = 0; k < graph_.size(); ++k)
                if (needed[std::size_t(k)] && !done[std::size_t(k)] && shape_of(t) == shapes_[std::size_t(k)])
                    return true;
            return false;
        };
        spare_.erase(std::remove_if(spare_.begin(), spare_.end(), [&](const TensorPtr& t) { return !wanted_later(*t); }),
                     spare_.end());
        for (int n : ran) {
            for (int j : graph_.node(n).inputs)
                if (--readers[std::size_t(j)] == 0 && !cache_[std::size_t(j)] && scratch[std::size_t(j)]) {
                    if (wanted_later(*scratch[std::size_t(j)])) spare_.push_back(std::move(scratch[std::size_t(j)]));
                    else scratch[std::size_t(j)].reset();
                }
            p.node = n;
            ++p.done;
            if (progress) progress(p);
        }
    }
    stats.computed = p.done;
    last_scratch_ = std::move(scratch);
    stats.milliseconds = milliseconds_since(start);
    return stats;
}

std::shared_ptr<const Tensor3> Engine::output(int node) {
    if (derived_.at(std::size_t(node))) materialise(node, {});
    return cache_.at(std::size_t(node));
}

std::shared_ptr<const Tensor3> Engine::compute(int node, const std::atomic<bool>* cancel) {
    if (auto out = output(node)) return out;
    run_nodes({node}, true, cancel, {});
    std::shared_ptr<const Tensor3> result = last_scratch_[std::size_t(node)];
    last_scratch_.clear();
    return result;
}

}  // namespace convscope
