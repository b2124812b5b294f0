#pragma once
// Executes a Graph on an input image and caches every node's output.
//
//   Engine(graph, options)      owns the graph; runs on options.pool, or on a pool of its own of options.threads
//   set_input(tensor)           the preprocessed input (H, W, 3); invalidates everything
//   set_conv_config(node, cfg)  edits one Conv2D; invalidates it and what depends on it; re-sizes (and
//                               re-initialises with `seed`) weights that no longer fit; returns those nodes
//   invalidate(node)            forget node's output and everything downstream
//   prepare(cancel)             makes ahead what the next run would make on its way (packed kernels, touched
//                               output buffers), so that a first run costs what later runs cost
//   run(cancel, progress)       computes every node that is not up to date; throws Cancelled between tiles,
//                               and a cancelled run leaves every cached output complete or absent
//   peek(node)                  the node's output if it is stored now, else nullptr; never computes or derives
//   output(node, cancel)        peek(), but a derived output is made (and cached) on first request
//   compute(node, cancel)       output(node), recomputing it (and only its missing inputs) if needed;
//                               this is how block_outputs mode shows a block's inner nodes on demand
//   last_run(node)              how the last run (or derivation) left the node, and what it cost
//   set_shown(nodes)            what a viewer shows: later runs write those convs instead of leaving them derived
//
// Weights. Every change to a layer goes through Layer::mutable_weights() or its setters, which give the layer a
// new version(); the engine compares each node's version with the one its output and packed kernel were made
// from, so changed weights are picked up by the next call without an invalidate(). mutable_graph() may change
// layers (weights, arguments, even replace a layer), not the list of nodes.
//
// Not thread-safe: one thread (the GUI's worker, or the CLI) drives an Engine. Other threads may hold
// the shared_ptr outputs it hands out; those tensors are never modified while anyone holds them (see
// buffer_recycler.hpp: a buffer is reused only after its last holder let go).
//
// Derived outputs. Writing outputs, not arithmetic, limits the fast path: a Conv2D -> BN -> ReLU group would
// write three full tensors. With Kernels::fast, such a pass writes only its ReLU: the conv output, which nothing
// in the run reads back, is recomputed alone from the conv's cached input when asked for (on this project's
// AVX2 machine writing it cost ResNet50 5% of its pass: bench/README.md), and a BatchNormalization read only by
// its fused ReLU or by a fused Add -> ReLU is not written during the run (it is conv * scale + shift), and
// neither is such an Add (the sum of its two inputs): a block's join computes
// relu((conv2c * s2c + t2c) + shortcut) in the epilogue of the conv2c pass, from the tile in registers and the
// shortcut (the previous block's output, or branch1's conv output through its BN: a conv block runs its
// branch1 conv and BN early, right after the block input, to have it ready); a join whose shortcut cannot be
// ready or whose Add must be written runs as a separate Add -> ReLU pass over the conv outputs (fusion_plan.hpp).
// Those nodes count as executed and are valid; output() and compute() make them, with the same arithmetic, so
// they are bitwise what a run writing them would give, and cache them until the next invalidation. A viewer
// should ask for them only when it shows them: materialising a BN or an Add costs about what writing it did, a
// conv what its pass did. The pass's time stays booked on the conv (NodeOutcome::derived, with the time).
// In block_outputs mode the inner outputs a pass reads only itself (the conv and BN before a fused ReLU or
// join, the conv before its BN, a block's Add) are not written at all; compute() makes them when asked.
// Progress reports nodes in the order they run: node order, but for a conv block's early branch1.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/engine/buffer_recycler.hpp"
#include "core/engine/fusion_plan.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/graph.hpp"
#include "core/thread_pool.hpp"

namespace convscope {

struct EngineOptions {
    int threads = ThreadPool::default_threads();  // the size of the engine's own pool, when `pool` is null
    std::shared_ptr<ThreadPool> pool;              // shared with other engines (they take turns on it), or null
    Kernels kernels = Kernels::fast;
    KeepPolicy keep = KeepPolicy::all_nodes;
    std::function<void()> before_tile;  // tests: called before each tile's cancel check (see Context)
};

struct NodeProgress {
    int node = -1;          // the node just finished
    int done = 0;           // nodes finished in this run
    int total = 0;          // nodes this run has to compute
};
using ProgressFn = std::function<void(const NodeProgress&)>;

// What a run did with a node.
enum class NodeOutcome : char {
    cached,    // up to date before the run: not executed
    computed,  // written by the run
    derived,   // executed as part of a fused pass but not written; made on demand (then its cost is that)
    dropped,   // executed, but the keep policy does not keep it (compute() recomputes it on demand)
};
const char* to_string(NodeOutcome outcome);  // "cached", "computed", "derived", "dropped"

struct NodeRun {
    NodeOutcome outcome = NodeOutcome::cached;
    double milliseconds = 0.0;  // a fused pass is booked on its first node; a derivation on the derived node
};

struct RunStats {
    int computed = 0;                      // nodes executed in this run
    double milliseconds = 0.0;             // wall time of the run
    int new_buffers = 0;                   // output buffers the run allocated (all_nodes: 0 after prepare())
    int packed_kernels = 0;                // Conv2D kernels the run had to pack (0 after prepare())
    std::vector<double> node_milliseconds; // per node, this run (0 for nodes not executed)
    std::vector<NodeOutcome> node_outcomes; // per node
};

// What prepare() made.
struct PrepareStats {
    double milliseconds = 0.0;
    int packed_kernels = 0;       // Conv2D kernels packed (for 3x3 ones, their Winograd transform)
    int new_buffers = 0;          // output buffers allocated and touched
    std::size_t new_bytes = 0;    // their size
};

class Engine {
public:
    explicit Engine(Graph graph, EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const Graph& graph() const { return graph_; }
    // For changing layers (weights, arguments, a whole layer): noticed through Layer::version(), see above.
    Graph& mutable_graph() { return graph_; }

    void set_input(Tensor3 input);                // (H, W, 3), already preprocessed
    const Tensor3* input() const { return input_.get(); }
    std::vector<int> set_conv_config(int node, const Conv2DConfig& config, std::uint64_t seed);
    void invalidate(int node);
    void invalidate_all();

    // A new buffer's first write costs a page fault and the kernel's zeroing of every page: at 600 x 600 (530 MB
    // of outputs) that is most of a first run's time here. prepare() does that ahead, spread over the pool: it
    // packs every stale Conv2D's kernel, makes the buffers of the outputs the next run will write and keep (one
    // the keep policy drops still takes a buffer during the run, often one a dropped output left), and grows every
    // pool thread's kernel scratch to what these convs use. The run that follows costs what a warm one does; the
    // preparation's time is reported apart (bench and the GUI both print it). Needs the graph's shapes, not the
    // input. Optional: run() makes whatever is missing.
    PrepareStats prepare(const std::atomic<bool>* cancel = nullptr);
    RunStats run(const std::atomic<bool>* cancel = nullptr, const ProgressFn& progress = {});
    std::shared_ptr<const Tensor3> peek(int node) const;
    // Not const: may make a derived output, which `cancel` stops (throwing Cancelled; the node stays derivable).
    std::shared_ptr<const Tensor3> output(int node, const std::atomic<bool>* cancel = nullptr);
    std::shared_ptr<const Tensor3> compute(int node, const std::atomic<bool>* cancel = nullptr);

    // How many times each node has executed since construction (tests check incremental re-runs).
    std::vector<int> execution_counts() const;
    const NodeRun& last_run(int node) const { return records_.at(std::size_t(node)).last_run; }
    std::size_t cached_bytes() const;  // bytes of the cached outputs now (derived ones once they are made)
    bool is_derived(int node) const;   // valid, not written by the run, made by output() on first request
    // The nodes a viewer shows now. Later runs (and prepare()) write the Conv2D outputs among them, and the Conv2D
    // output a shown BatchNormalization or Add derives from, rather than leave them to be recomputed when asked
    // for: that recompute costs what the conv's pass did, writing it a fraction. BN and Add outputs stay derived
    // (making them is a quick pass). Values never depend on it; nodes out of range are ignored.
    void set_shown(const std::vector<int>& nodes);
    // The most bytes of node outputs alive at once (cached plus transient), since construction.
    std::size_t peak_bytes() const { return peak_bytes_; }
    int threads() const { return pool_->size(); }

private:
    // How a derived node's output is made from other nodes' outputs (stored, or derived themselves).
    struct Derivation {
        enum class Kind : char {
            affine,  // a BN: x * scale + shift
            sum,     // an Add: a + b
            conv,    // a fused Conv2D: recomputed alone from its input (see materialise())
        };
        Kind kind;
        std::vector<int> sources;         // affine: {x}; sum: {a, b}; conv: {its input}
        std::vector<float> scale, shift;  // (channels) affine only
    };
    // Everything the engine knows about one node. Its recycled buffer lives in recycler_, which readers' threads
    // reach through the published outputs' deleters.
    struct NodeRecord {
        std::shared_ptr<const Tensor3> output;  // complete; nullptr when absent
        bool transient = false;                 // output kept only during this run (the keep policy drops it)
        std::optional<Derivation> recipe;       // set while valid, not written and not yet made
        std::shared_ptr<const Conv2DPackedKernel> packed;  // a Conv2D's prepared kernel, made on first use
        std::uint64_t packed_version = 0;                   // the layer version it was packed from
        std::uint64_t version = 0;  // the layer version the node was last executed with
        bool valid = false;         // up to date: stored, derivable, or dropped by the keep policy
        int executions = 0;
        NodeRun last_run;
    };
    enum class Where : char { absent, stored, derivable };
    // One input of a fused elementwise pass: x, or x * scale + shift when a scale is given; the form in which a
    // conv epilogue takes its shortcut, so a join's shortcut goes to the conv as it is.
    using Term = Conv2DResidual;

    Where find(int node) const;
    std::vector<int> stale_nodes();  // forgets what changed layers made stale; the nodes not up to date
    Context context(const std::atomic<bool>* cancel) const;
    bool keeps(int node) const { return convscope::keeps(graph_, options_.keep, node); }
    std::vector<char> written_for_viewer() const;  // per node: a shown conv (see set_shown())
    void forget(int node);
    void forget_stale_layers();
    bool up_to_date(int node) const;  // valid, and neither its layer nor an upstream one changed since
    std::unique_ptr<Tensor3> acquire(int node);
    void mark_executed(int node, NodeOutcome outcome);
    void publish(int node, std::unique_ptr<Tensor3> out);
    void publish_input();
    void release_transient(int node, bool wanted_later);
    const Tensor3& available(int node, const std::atomic<bool>* cancel = nullptr);
    Term term(int node, const std::atomic<bool>* cancel = nullptr);
    const Tensor3& materialise(int node, const std::atomic<bool>* cancel = nullptr);
    void execute(int node, const Context& ctx);
    void execute_fused(const FusedGroup& group, const Context& ctx);
    const Conv2DPackedKernel& packed_kernel(int node, const Conv2DParams& p, const Context& ctx);
    void stock_spares_for_dropped(const FusionPlan& plan, const std::vector<char>& needed, const Context& ctx,
                                  PrepareStats& stats);
    void note_memory();
    std::vector<char> needed_for(const std::vector<int>& targets) const;
    RunStats run_nodes(const std::vector<int>& targets, int held, const std::atomic<bool>* cancel,
                       const ProgressFn& progress);

    Graph graph_;
    EngineOptions options_;
    std::shared_ptr<ThreadPool> pool_;
    std::shared_ptr<BufferRecycler> recycler_;
    // (H, W, 3) or nullptr; never modified once set. It is the input node's output itself (no copy), published
    // without a recycling deleter, so the engine never writes into it.
    std::shared_ptr<const Tensor3> input_;
    std::vector<NodeRecord> records_;  // per node
    std::vector<Shape> shapes_;        // every node's output shape, inferred at the start of a run
    std::size_t peak_bytes_ = 0;
    int buffers_made_ = 0;  // since construction: output buffers allocated by acquire()
    std::vector<int> shown_;  // set_shown()
    int kernels_packed_ = 0;  // since construction: packed_kernel() calls that packed
};

}  // namespace convscope
