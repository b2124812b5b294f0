#pragma once
// Executes a Graph on an input image and caches every node's output.
//
//   Engine(graph, options)      owns the graph and a thread pool of options.threads threads
//   set_input(tensor)           the preprocessed input (H, W, 3); invalidates everything
//   set_conv_config(node, cfg)  edits one Conv2D; invalidates it and what depends on it; re-sizes (and
//                               re-initialises with `seed`) weights that no longer fit; returns those nodes
//   invalidate(node)            forget node's output and everything downstream; call it (or invalidate_all)
//                               after changing weights through mutable_graph(): cached packed kernels go too
//   run(cancel, progress)       computes every node that is not cached; throws Cancelled between tiles,
//                               and a cancelled run leaves every cached output complete or absent
//   output(node)                the node's output, shared (cheap to hand to the UI thread), or nullptr when
//                               it has not been computed; a derived output is made and cached on first request
//   compute(node, cancel)       output(node), recomputing it (and only its missing inputs) if needed;
//                               this is how block_outputs mode shows a block's inner nodes on demand
//
// Not thread-safe: one thread (the GUI's worker, or the CLI) drives an Engine. Other threads may hold
// the shared_ptr outputs it hands out; those tensors are never modified after they are published.
//
// Derived outputs. Writing outputs, not arithmetic, limits the fast path: a Conv2D -> BN -> ReLU group would
// write three full tensors. With Kernels::fast and a cached conv output, a BatchNormalization read only by
// its fused ReLU or by a fused Add -> ReLU is not written during the run (it is conv * scale + shift), and
// neither is such an Add (the sum of its two inputs): a block's join computes
// relu((conv2c * s2c + t2c) + shortcut) in the epilogue of the conv2c pass, from the tile in registers and the
// shortcut (the previous block's output, or branch1's conv output through its BN: a conv block runs its
// branch1 conv and BN early, right after the block input, to have it ready); a join whose shortcut cannot be
// ready or whose Add must be written runs as a separate Add -> ReLU pass over the conv outputs. Those nodes
// count as executed and are valid; output() and compute() make them, with the same arithmetic, so they are
// bitwise what a run writing them would give, and cache them until the next invalidation. Calling output() on
// every node as it finishes (as a progress callback may) makes them all, and costs about what writing them did.
// In block_outputs mode the inner outputs a pass reads only itself (the conv and BN before a fused ReLU or
// join, the conv before its BN, a block's Add) are not written at all; compute() makes them when asked.
// Progress reports nodes in the order they run: node order, but for a conv block's early branch1.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/graph.hpp"
#include "core/thread_pool.hpp"

namespace convscope {

enum class KeepPolicy {
    all_nodes,      // every node's output stays cached (the viewer can step anywhere instantly)
    block_outputs,  // only the stem and block outputs stay; inner nodes are recomputed on demand
};

struct EngineOptions {
    int threads = ThreadPool::default_threads();
    Kernels kernels = Kernels::fast;
    KeepPolicy keep = KeepPolicy::all_nodes;
};

struct NodeProgress {
    int node = -1;          // the node just finished
    int done = 0;           // nodes finished in this run
    int total = 0;          // nodes this run has to compute
};
using ProgressFn = std::function<void(const NodeProgress&)>;

struct RunStats {
    int computed = 0;                      // nodes executed in this run
    double milliseconds = 0.0;             // wall time of the run
    std::vector<double> node_milliseconds; // per node, this run (0 for nodes not executed)
};

class Engine {
public:
    explicit Engine(Graph graph, EngineOptions options = {});

    const Graph& graph() const { return graph_; }
    // Direct access for loading weights and similar whole-graph changes: call invalidate_all() after.
    Graph& mutable_graph() { return graph_; }

    void set_input(Tensor3 input);                // (H, W, 3), already preprocessed
    const Tensor3* input() const { return input_.get(); }
    std::vector<int> set_conv_config(int node, const Conv2DConfig& config, std::uint64_t seed);
    void invalidate(int node);
    void invalidate_all();

    RunStats run(const std::atomic<bool>* cancel = nullptr, const ProgressFn& progress = {});
    std::shared_ptr<const Tensor3> output(int node);  // not const: may make a derived output
    std::shared_ptr<const Tensor3> compute(int node, const std::atomic<bool>* cancel = nullptr);

    // How many times each node has executed since construction (tests check incremental re-runs).
    const std::vector<int>& execution_counts() const { return executions_; }
    std::size_t cached_bytes() const;  // bytes of the cached outputs now (derived ones once they are made)
    bool is_derived(int node) const;   // valid, not written by the run, made by output() on first request
    // The most bytes of node outputs alive at once (cached plus transient), since construction.
    std::size_t peak_bytes() const { return peak_bytes_; }
    int threads() const { return pool_.size(); }

private:
    using TensorPtr = std::shared_ptr<Tensor3>;  // handed out as shared_ptr<const Tensor3>
    enum class Fate : char {
        written,  // the pass writes it (into the cache, or scratch when the keep policy drops it)
        derived,  // not written; output() derives it on demand (see "Derived outputs" above)
        dropped,  // not written, and the keep policy would not keep it: only its group read it
    };
    struct FusedGroup {
        std::vector<int> nodes;  // conv, bn[, relu], or conv, bn, add, relu (a block's join), or add, relu:
                                 // run as one pass
        std::vector<Fate> fate;  // per node
        // A group whose output a join fused into an earlier conv reads (see plan_fusion) runs early: right after
        // the pass that starts at node `after`, or first of all when after is -1.
        bool early = false;
        int after = -1;
    };
    // How a derived node's output is made from other nodes' outputs (cached, or derived themselves).
    struct Derivation {
        std::vector<int> sources;         // affine: {x}; sum: {a, b}
        std::vector<float> scale, shift;  // (channels) affine: x * scale + shift; empty for a sum
    };
    // One input of a fused elementwise pass: x, or x * scale + shift when a scale is given; the form in which a
    // conv epilogue takes its shortcut, so a join's shortcut goes to the conv as it is.
    using Term = Conv2DResidual;
    // Which passes a run makes (see plan_fusion).
    struct FusionPlan {
        std::vector<FusedGroup> groups;
        std::vector<int> group_of;  // per node: its index in groups, or -1 when it runs alone
    };
    bool keeps(int node) const;  // whether the keep policy caches this node
    void forget(int node, bool weights_may_have_changed);
    TensorPtr acquire(int node);
    void mark_executed(int node);
    void publish(int node, TensorPtr out, std::vector<TensorPtr>& scratch);
    const Tensor3& available(int node, const std::vector<TensorPtr>& scratch);
    Term term(int node, const std::vector<TensorPtr>& scratch);
    const Tensor3& materialise(int node, const std::vector<TensorPtr>& scratch);
    void publish_derived(int node, Derivation how);
    void execute(int node, const Context& ctx, std::vector<TensorPtr>& scratch);
    void execute_fused(const FusedGroup& group, const Context& ctx, std::vector<TensorPtr>& scratch);
    FusionPlan plan_fusion(const std::vector<char>& needed, const std::vector<char>& held) const;
    const Conv2DPackedKernel& packed_kernel(int node, const Conv2DParams& p, const Context& ctx);
    void note_memory(const std::vector<TensorPtr>& scratch);
    std::vector<char> needed_for(const std::vector<int>& targets) const;
    RunStats run_nodes(const std::vector<int>& targets, bool hold_targets, const std::atomic<bool>* cancel,
                       const ProgressFn& progress);

    Graph graph_;
    EngineOptions options_;
    ThreadPool pool_;
    // (H, W, 3) or nullptr; never modified once set. The input node's output is this very tensor (no copy: a
    // 600x600 picture's copy and page faults were ~10% of a playground run), which the use_count() checks of
    // buffer reuse keep from ever being overwritten.
    std::shared_ptr<Tensor3> input_;
    std::vector<TensorPtr> cache_;     // per node; nullptr = absent
    std::vector<TensorPtr> recycled_;  // per node: the buffer of an invalidated output, for reuse
    std::vector<std::shared_ptr<Conv2DPackedKernel>> packed_;  // per Conv2D node, made on first use;
                                                               // points into the node's weights
    std::vector<Shape> shapes_;  // every node's output shape, inferred at the start of a run
    std::vector<char> valid_;  // per node: its output is up to date (cached, derived, or dropped by the keep policy)
    std::vector<std::unique_ptr<Derivation>> derived_;  // per node: set while valid, derivable and not yet made;
                                                        // its sources are then cached or derived
    std::vector<TensorPtr> last_scratch_;  // compute()'s uncached result
    std::vector<TensorPtr> spare_;         // during a run: buffers of outputs it dropped, for reuse
    std::vector<int> executions_;
    std::size_t peak_bytes_ = 0;
};

}  // namespace convscope
