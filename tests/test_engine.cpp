// The engine's promises: only what changed recomputes, a cancelled run leaves the cache consistent,
// results do not depend on the thread count, and block_outputs mode recomputes inner nodes on demand.

#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>

#include "core/engine/engine.hpp"
#include "core/errors.hpp"
#include "core/kernels/fast/conv2d_winograd.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::bitwise_equal;

namespace {

Tensor3 test_input(int h, int w) {  // (H, W, 3)
    Tensor3 x = Tensor3::from_shape({std::size_t(h), std::size_t(w), 3});
    std::mt19937 random(7);
    std::uniform_real_distribution<float> u(-100.0f, 100.0f);
    for (float& v : x) v = u(random);
    return x;
}

// Keras' initial BN statistics make every BN the identity; varied ones make a derivation that used the wrong
// scale, shift or input show in the bits.
enum class BnStatistics { keras_initial, varied };

void vary_bn_statistics(Graph& g) {
    std::mt19937 random(5);
    std::uniform_real_distribution<float> positive(0.5f, 1.5f), centred(-0.5f, 0.5f);
    for (int i = 0; i < g.size(); ++i) {
        if (!dynamic_cast<const BatchNormalization*>(g.node(i).layer.get())) continue;
        auto& w = g.node(i).layer->mutable_weights();  // gamma, beta, moving_mean, moving_variance: each (C)
        for (float& x : w[0].values) x = positive(random);
        for (float& x : w[1].values) x = centred(random);
        for (float& x : w[2].values) x = centred(random);
        for (float& x : w[3].values) x = positive(random);
    }
}

// The ResNet50 backbone (stages 1-4) at height x width with seeded weights. Drawing its 8.6 million weights is
// most of what the cancellation tests cost under a sanitizer (they build dozens of engines), so each kind is
// drawn once and copied after that: the same values either way.
Graph seeded_backbone(int height, int width, BnStatistics bn) {
    static std::mutex mutex;
    static std::map<std::tuple<int, int, BnStatistics>, std::vector<std::vector<Weight>>> drawn;
    Graph g = build_resnet50({height, width, 4, false});
    std::lock_guard<std::mutex> lock(mutex);
    auto found = drawn.find({height, width, bn});
    if (found == drawn.end()) {
        initialize_graph(g, 3);
        if (bn == BnStatistics::varied) vary_bn_statistics(g);
        std::vector<std::vector<Weight>> weights;
        for (int i = 0; i < g.size(); ++i) weights.push_back(g.node(i).layer->weights());
        drawn.emplace(std::make_tuple(height, width, bn), std::move(weights));
        return g;
    }
    for (int i = 0; i < g.size(); ++i) g.node(i).layer->mutable_weights() = found->second[std::size_t(i)];
    return g;
}

// The seeded backbone, a fixed input; not run yet.
std::unique_ptr<Engine> make_engine(int height, int width, EngineOptions options = {},
                                    BnStatistics bn = BnStatistics::keras_initial) {
    Graph g = seeded_backbone(height, width, bn);
    auto e = std::make_unique<Engine>(std::move(g), options);
    e->set_input(test_input(height, width));
    return e;
}

// make_engine() after one complete run.
std::unique_ptr<Engine> make_run_engine(int height, int width, EngineOptions options = {},
                                        BnStatistics bn = BnStatistics::keras_initial) {
    auto e = make_engine(height, width, options, bn);
    e->run();
    return e;
}

EngineOptions keep_block_outputs() {
    EngineOptions options;
    options.keep = KeepPolicy::block_outputs;
    return options;
}

// Runs e and raises the cancel flag from the progress callback once `nodes` nodes have finished (the run stops
// before its next pass); returns how many nodes had finished when it stopped, or -1 when it was not cancelled.
int run_cancelled_at_node(Engine& e, int nodes) {
    std::atomic<bool> cancel{false};
    int done = 0;
    try {
        e.run(&cancel, [&](const NodeProgress& p) {
            done = p.done;
            if (p.done == nodes) cancel = true;
        });
    } catch (const Cancelled&) {
        return done;
    }
    return -1;
}

// An engine whose tiles call a hook that raises its cancel flag at the k-th tile check (counting from 1; 0:
// never), and counts the checks; cancel_at and checks are shared with the hook, on the pool's threads.
struct TileCanceller {
    std::atomic<bool> cancel{false};
    std::atomic<long> checks{0};
    std::atomic<long> cancel_at{0};
    std::function<void()> hook() {
        return [this] {
            const long k = checks.fetch_add(1) + 1;
            if (k == cancel_at.load()) cancel = true;
        };
    }
    bool run(Engine& e) {
        cancel = false;
        checks = 0;
        try {
            e.run(&cancel);
        } catch (const Cancelled&) {
            return true;
        }
        return false;
    }
};

// Since the execution counts `before`, each node in `ran` executed once more and every other node not at all.
void check_only_these_ran(Engine& e, const std::vector<int>& ran, const std::vector<int>& before) {
    for (int i = 0; i < e.graph().size(); ++i) {
        const bool should_run = std::find(ran.begin(), ran.end(), i) != ran.end();
        INFO("node " << e.graph().node(i).name);
        CHECK(e.execution_counts()[std::size_t(i)] - before[std::size_t(i)] == (should_run ? 1 : 0));
    }
}

// Every output e has stored (peek(): nothing is made) equals full's, bit for bit.
void check_stored_outputs_equal(const Engine& e, Engine& full) {
    for (int i = 0; i < e.graph().size(); ++i) {
        const auto out = e.peek(i);
        if (!out) continue;
        INFO("stored node " << e.graph().node(i).name);
        CHECK(bitwise_equal(*out, *full.output(i)));
    }
}

// Every output e has (cached, or derived on request) equals full's, bit for bit; returns how many were derived.
int check_present_outputs_equal(Engine& e, Engine& full) {
    int derived_count = 0;
    for (int i = 0; i < e.graph().size(); ++i) {
        const bool derived = e.is_derived(i);
        derived_count += derived;
        const auto out = e.output(i);
        if (!out) continue;
        INFO("node " << e.graph().node(i).name << (derived ? " (derived)" : ""));
        CHECK(bitwise_equal(*out, *full.output(i)));
    }
    return derived_count;
}

}  // namespace

TEST_CASE("a second run computes nothing, and an edit recomputes only the edited node and what depends on it") {
    auto e_owner = make_engine(65, 65);
    Engine& e = *e_owner;
    REQUIRE(e.run().computed == e.graph().size());
    CHECK(e.run().computed == 0);

    const int edited = e.graph().find("res3b_branch2b");
    auto config = dynamic_cast<const Conv2D&>(*e.graph().node(edited).layer).config();
    config.kernel_size = {5, 5};  // same output shape ("same" padding), new weights for this node only
    const std::vector<int> reinitialised = e.set_conv_config(edited, config, 3);
    CHECK(reinitialised == std::vector<int>{edited});

    std::vector<int> before = e.execution_counts();
    const RunStats s = e.run();
    const std::vector<int> downstream = e.graph().downstream(edited);
    CHECK(s.computed == int(downstream.size()));
    check_only_these_ran(e, downstream, before);
}

TEST_CASE("changing filters re-initialises the weights that no longer fit, and only those") {
    auto e_owner = make_run_engine(33, 33);
    Engine& e = *e_owner;
    const int edited = e.graph().find("res2b_branch2a");
    auto config = dynamic_cast<const Conv2D&>(*e.graph().node(edited).layer).config();
    config.filters = 32;
    const std::vector<int> changed = e.set_conv_config(edited, config, 3);
    std::vector<std::string> names;
    for (int i : changed) names.push_back(e.graph().node(i).name);
    CHECK(names == std::vector<std::string>{"res2b_branch2a", "bn2b_branch2a", "res2b_branch2b"});
    CHECK(e.run().computed == int(e.graph().downstream(edited).size()));
}

TEST_CASE("a new input invalidates everything") {
    auto e_owner = make_run_engine(33, 33);
    Engine& e = *e_owner;
    e.set_input(test_input(33, 33));
    CHECK(e.run().computed == e.graph().size());
}

TEST_CASE("results are bitwise identical for 1, 2 and 3 threads") {
    EngineOptions one;
    one.threads = 1;
    auto a_owner = make_run_engine(71, 71, one);
    Engine& a = *a_owner;
    for (int threads : {2, 3}) {
        EngineOptions many;
        many.threads = threads;
        auto b_owner = make_run_engine(71, 71, many);
        Engine& b = *b_owner;
        for (int i = 0; i < a.graph().size(); ++i) {
            INFO(threads << " threads, node " << a.graph().node(i).name);
            CHECK(bitwise_equal(*a.output(i), *b.output(i)));
        }
    }
}

// prepare() does ahead what a first run does on its way: after it, the run packs no kernel and allocates no
// output buffer (in block_outputs mode it makes the spares the dropped outputs will share), and it gives the bits
// a run without it gives. Also after an edit.
TEST_CASE("after prepare() a run allocates and packs nothing and gives the same bits") {
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs}) {
        EngineOptions options;
        options.keep = keep;
        INFO("keep " << (keep == KeepPolicy::all_nodes ? "all" : "blocks"));
        auto plain_owner = make_engine(67, 53, options);
        auto prepared_owner = make_engine(67, 53, options);
        Engine& plain = *plain_owner;
        Engine& prepared = *prepared_owner;

        const RunStats cold = plain.run();
        CHECK(cold.new_buffers > 0);
        CHECK(cold.packed_kernels > 0);
        const PrepareStats made = prepared.prepare();
        CHECK(made.packed_kernels == cold.packed_kernels);
        CHECK(made.new_bytes > 0);
        const RunStats warm = prepared.run();
        CHECK(warm.new_buffers == 0);
        if (keep == KeepPolicy::all_nodes) {
            CHECK(made.new_buffers == cold.new_buffers);
        } else {
            // The kept outputs' buffers and as many spares of each shape as the run has dropped outputs alive at
            // once. A kept output that would have taken a dropped one's buffer has its own now: a little more
            // memory, not much.
            CHECK(made.new_buffers >= cold.new_buffers);
            CHECK(double(prepared.peak_bytes()) <= 1.2 * double(plain.peak_bytes()));
        }
        CHECK(warm.packed_kernels == 0);
        CHECK(warm.computed == cold.computed);
        for (int i = 0; i < plain.graph().size(); ++i) {
            INFO("node " << plain.graph().node(i).name);
            auto a = plain.peek(i), b = prepared.peek(i);
            REQUIRE(bool(a) == bool(b));
            if (a) CHECK(bitwise_equal(*a, *b));
        }

        // An edit that changes a conv's output shape: its new buffers and kernel are made ahead too.
        for (Engine* e : {&plain, &prepared}) {
            const int edited = e->graph().find("res3b_branch2b");
            auto config = dynamic_cast<const Conv2D&>(*e->graph().node(edited).layer).config();
            config.filters = 96;
            e->set_conv_config(edited, config, 3);
        }
        const RunStats plain_edit = plain.run();
        CHECK(plain_edit.packed_kernels > 0);
        const PrepareStats edit_made = prepared.prepare();
        CHECK(edit_made.packed_kernels == plain_edit.packed_kernels);
        const RunStats edit_warm = prepared.run();
        CHECK(edit_warm.new_buffers == 0);
        CHECK(edit_warm.packed_kernels == 0);
        for (int i = 0; i < plain.graph().size(); ++i) {
            INFO("after the edit, node " << plain.graph().node(i).name);
            CHECK(bitwise_equal(*plain.compute(i), *prepared.compute(i)));
        }
        // Nothing left to do: a second prepare() makes nothing.
        const PrepareStats again = prepared.prepare();
        CHECK(again.new_buffers == 0);
        CHECK(again.packed_kernels == 0);
    }
}

// After a cancel at any node boundary: every output is complete and bitwise what an uncancelled run gives, or
// absent; a following run finishes the job with the same bits, and runs only what was missing.
TEST_CASE("a run cancelled after node k leaves every output complete or absent, and a rerun finishes the job") {
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs}) {
        EngineOptions options;
        options.keep = keep;
        auto full_owner = make_run_engine(45, 45, {}, BnStatistics::varied);
        Engine& full = *full_owner;
        const int nodes = full.graph().size();
        int cancelled_runs = 0;
        for (int k = 1; k < nodes; k += 7) {
            INFO((keep == KeepPolicy::all_nodes ? "all_nodes" : "block_outputs") << ", cancelled after node " << k);
            auto e_owner = make_engine(45, 45, options, BnStatistics::varied);
            Engine& e = *e_owner;
            const int done = run_cancelled_at_node(e, k);
            if (done < 0) continue;  // node k was in the last pass: the run finished
            ++cancelled_runs;
            CHECK(done >= k);
            check_stored_outputs_equal(e, full);
            check_present_outputs_equal(e, full);
            const std::vector<int> before = e.execution_counts();
            const RunStats rerun = e.run();
            // The nodes that finished stay done; block_outputs mode also recomputes the inner outputs it had
            // freed that a node still to run reads.
            if (keep == KeepPolicy::all_nodes) CHECK(rerun.computed == nodes - done);
            else CHECK(rerun.computed >= nodes - done);
            for (int i = 0; i < nodes; ++i) CHECK(e.execution_counts()[std::size_t(i)] - before[std::size_t(i)] <= 1);
            for (int i = 0; i < nodes; ++i) {
                INFO("node " << e.graph().node(i).name);
                const auto out = keep == KeepPolicy::all_nodes ? e.output(i) : e.compute(i);
                REQUIRE(out);
                CHECK(bitwise_equal(*out, *full.output(i)));
            }
        }
        CHECK(cancelled_runs >= 15);
    }
}

// The same between tiles, in the middle of a pass, through the tile hook: for 1 and 2 threads.
TEST_CASE("a run cancelled at tile k leaves every output complete or absent, and a rerun finishes the job") {
    auto full_owner = make_run_engine(45, 45, {}, BnStatistics::varied);
    Engine& full = *full_owner;
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs})
        for (int threads : {1, 2}) {
            TileCanceller canceller;
            EngineOptions options;
            options.keep = keep;
            options.threads = threads;
            options.before_tile = canceller.hook();
            REQUIRE(!canceller.run(*make_engine(45, 45, options, BnStatistics::varied)));
            const long tiles = canceller.checks;
            REQUIRE(tiles > 100);
            for (long k : {1L, 2L, tiles / 7, tiles / 3, tiles / 2, tiles - tiles / 5, tiles - 1}) {
                INFO((keep == KeepPolicy::all_nodes ? "all_nodes, " : "block_outputs, ")
                     << threads << " threads, cancelled at tile " << k << " of " << tiles);
                auto e_owner = make_engine(45, 45, options, BnStatistics::varied);
                Engine& e = *e_owner;
                canceller.cancel_at = k;
                CHECK(canceller.run(e));
                CHECK(e.peek(e.graph().output()) == nullptr);
                check_stored_outputs_equal(e, full);
                check_present_outputs_equal(e, full);
                canceller.cancel_at = 0;
                CHECK(!canceller.run(e));
                for (int i = 0; i < e.graph().size(); ++i) {
                    INFO("node " << e.graph().node(i).name);
                    const auto out = keep == KeepPolicy::all_nodes ? e.output(i) : e.compute(i);
                    REQUIRE(out);
                    CHECK(bitwise_equal(*out, *full.output(i)));
                }
            }
        }
}

TEST_CASE("block_outputs mode keeps only block outputs and recomputes inner nodes on demand") {
    auto all_owner = make_run_engine(97, 97);
    Engine& all = *all_owner;
    auto lean_owner = make_run_engine(97, 97, keep_block_outputs());
    Engine& lean = *lean_owner;
    const Graph& g = lean.graph();
    for (const Block& b : g.blocks) {
        CHECK(lean.output(b.output) != nullptr);
        CHECK(lean.output(b.main_path[0]) == nullptr);
    }
    for (int i = 0; i < g.size(); ++i) all.output(i);  // all_nodes keeps every output once made
    CHECK(lean.peak_bytes() < all.peak_bytes());
    CHECK(lean.cached_bytes() < all.cached_bytes() / 2);
    const int inner = g.find("bn3c_branch2b");
    const auto before = lean.execution_counts();
    const auto on_demand = lean.compute(inner);
    REQUIRE(on_demand);
    CHECK(bitwise_equal(*on_demand, *all.output(inner)));
    // Only res3c's main path up to the requested node ran again; res3b_relu was cached.
    int recomputed = 0;
    for (int i = 0; i < g.size(); ++i) recomputed += lean.execution_counts()[std::size_t(i)] - before[std::size_t(i)];
    CHECK(recomputed == 5);  // branch2a, bn, relu, branch2b, bn
    CHECK(lean.run().computed == 0);
}

// compute() on a node the keep policy keeps but that is not computed (before the first run, after an edit)
// used to return nullptr: the run put the result in the cache while compute() looked elsewhere.
TEST_CASE("compute() gives kept and dropped nodes before the first run and after an edit") {
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs}) {
        auto full_owner = make_run_engine(65, 65, {}, BnStatistics::varied);
        Engine& full = *full_owner;
        EngineOptions options;
        options.keep = keep;
        auto e_owner = make_engine(65, 65, options, BnStatistics::varied);
        Engine& e = *e_owner;
        const Graph& g = e.graph();
        const char* names[] = {"conv1", "bn_conv1", "res2a_branch2a", "res2a_relu", "res3b_add", "res3b_relu"};
        for (const char* name : names) {  // before any run
            INFO((keep == KeepPolicy::all_nodes ? "all_nodes, " : "block_outputs, ") << "before a run: " << name);
            const auto out = e.compute(g.find(name));
            REQUIRE(out);
            CHECK(bitwise_equal(*out, *full.output(g.find(name))));
        }
        e.run();
        const int edited = g.find("res2a_branch2b");
        auto config = dynamic_cast<const Conv2D&>(*g.node(edited).layer).config();
        config.kernel_size = {5, 5};
        e.set_conv_config(edited, config, 3);
        full.set_conv_config(edited, config, 3);
        full.run();
        for (const char* name : names) {  // after the edit, before the next run
            INFO((keep == KeepPolicy::all_nodes ? "all_nodes, " : "block_outputs, ") << "after an edit: " << name);
            const auto out = e.compute(g.find(name));
            REQUIRE(out);
            CHECK(bitwise_equal(*out, *full.output(g.find(name))));
        }
    }
}

TEST_CASE("a shape error stops the run before any work and names the node") {
    auto e_owner = make_engine(65, 65);
    Engine& e = *e_owner;
    const int node = e.graph().find("res4a_branch1");
    auto config = dynamic_cast<const Conv2D&>(*e.graph().node(node).layer).config();
    config.strides = 1;  // the shortcut no longer matches the strided main path
    e.set_conv_config(node, config, 3);
    try {
        e.run();
        FAIL("expected a ShapeError");
    } catch (const ShapeError& err) {
        CHECK_THAT(err.what(), Catch::Contains("res4a_add"));
        CHECK_THAT(err.what(), Catch::Contains("(5, 5, 1024)"));
        CHECK_THAT(err.what(), Catch::Contains("(9, 9, 1024)"));
    }
}

TEST_CASE("derived outputs: every node is its layer applied to its inputs' outputs, bit for bit") {
    for (auto [h, w] : {std::pair{65, 65}, std::pair{64, 56}}) {
        auto e_owner = make_run_engine(h, w, {}, BnStatistics::varied);
        Engine& e = *e_owner;
        const Graph& g = e.graph();
        // The run left these unwritten: a BN read by its fused ReLU, a block's BNs and its Add, and the convs
        // whose value nothing outside their pass reads (recomputed when asked for).
        for (const char* name : {"bn_conv1", "bn2a_branch2a", "bn2a_branch2c", "bn2a_branch1", "res2a_add",
                                 "bn3b_branch2b", "bn3b_branch2c", "res3b_add", "res4f_add", "conv1",
                                 "res2a_branch2a", "res2a_branch2c", "res3b_branch2b", "res4f_branch2c"}) {
            INFO(name);
            CHECK(e.is_derived(g.find(name)));
        }
        // A conv block's branch1 conv is written: its join reads it, through the derived BN, after its pass.
        CHECK(!e.is_derived(g.find("res2a_branch1")));
        CHECK(!e.is_derived(g.find("res4a_branch1")));
        const std::vector<int> executions = e.execution_counts();
        const std::size_t bytes_before = e.cached_bytes();
        ThreadPool pool(2);
        const Context ctx{&pool};
        std::size_t all_bytes = 0;
        for (int i = 0; i < g.size(); ++i) {
            INFO(h << "x" << w << ", node " << g.node(i).name);
            const auto out = e.output(i);
            REQUIRE(out);
            CHECK(!e.is_derived(i));
            all_bytes += out->size() * sizeof(float);
            if (g.node(i).inputs.empty()) continue;
            std::vector<const Tensor3*> inputs;
            for (int j : g.node(i).inputs) inputs.push_back(e.output(j).get());
            Tensor3 want = make_tensor(shape_of(*out));  // what a run that writes every node gives
            g.node(i).layer->forward(inputs, want, ctx);
            CHECK(bitwise_equal(*out, want));
        }
        // Making a derived output is not an execution, and it is counted as memory once it exists.
        CHECK(e.execution_counts() == executions);
        CHECK(e.cached_bytes() == all_bytes);
        CHECK(bytes_before < all_bytes);
        CHECK(e.peak_bytes() >= all_bytes);
        CHECK(e.run().computed == 0);
    }
}

TEST_CASE("derived outputs equal the outputs a fused pass writes (compute() in block_outputs mode)") {
    auto all_owner = make_run_engine(64, 56, {}, BnStatistics::varied);
    Engine& all = *all_owner;
    auto lean_owner = make_run_engine(64, 56, keep_block_outputs(), BnStatistics::varied);
    Engine& lean = *lean_owner;
    // compute() asks for the node itself, so its fused pass writes it: the BN from the conv epilogue, the Add
    // from the join pass. Without the BN and Add of the same group being left to a derivation.
    for (int i = 0; i < all.graph().size(); ++i) {
        INFO("node " << all.graph().node(i).name);
        const auto written = lean.compute(i);
        REQUIRE(written);
        CHECK(bitwise_equal(*all.output(i), *written));
    }
}

TEST_CASE("derived outputs after a cancelled run and after an edit") {
    auto full_owner = make_run_engine(97, 97, {}, BnStatistics::varied);
    Engine& full = *full_owner;
    int derived_seen = 0;
    for (int k : {3, 20, 61, 120}) {
        auto e_owner = make_engine(97, 97, {}, BnStatistics::varied);
        Engine& e = *e_owner;
        REQUIRE(run_cancelled_at_node(e, k) >= k);
        INFO("cancelled after node " << k);
        derived_seen += check_present_outputs_equal(e, full);
    }
    CHECK(derived_seen > 0);

    // Edit a conv after every output was made: the derived outputs downstream are forgotten and derived
    // again from the new conv outputs; those upstream stay.
    auto e_owner = make_run_engine(97, 97, {}, BnStatistics::varied);
    Engine& e = *e_owner;
    for (int i = 0; i < e.graph().size(); ++i) e.output(i);
    const int edited = e.graph().find("res3b_branch2b");
    auto config = dynamic_cast<const Conv2D&>(*e.graph().node(edited).layer).config();
    config.kernel_size = {5, 5};
    e.set_conv_config(edited, config, 3);
    full.set_conv_config(edited, config, 3);
    const std::vector<int> downstream = e.graph().downstream(edited);
    CHECK(e.run().computed == int(downstream.size()));
    CHECK(!e.is_derived(e.graph().find("bn3b_branch2a")));  // upstream: made before the edit, still cached
    CHECK(e.is_derived(e.graph().find("bn3b_branch2b")));
    full.run();
    for (int i = 0; i < e.graph().size(); ++i) {
        INFO("node " << e.graph().node(i).name);
        CHECK(bitwise_equal(*e.output(i), *full.output(i)));
    }
}

TEST_CASE("block_outputs mode: inner outputs only read inside their pass are not written, yet compute() gives them, and a cancel leaves them consistent") {
    auto full_owner = make_run_engine(97, 97, {}, BnStatistics::varied);
    Engine& full = *full_owner;
    for (int k : {0, 9, 50, 101}) {  // 0: the first run finishes
        auto e_owner = make_engine(97, 97, keep_block_outputs(), BnStatistics::varied);
        Engine& e = *e_owner;
        CHECK((run_cancelled_at_node(e, k) >= k) == (k > 0));
        INFO("cancelled after node " << k);
        check_present_outputs_equal(e, full);
        e.run();
        for (const char* name : {"res2a_branch2a", "bn2a_branch2a", "res3b_branch2c", "bn3b_branch2c", "res3b_add",
                                 "res4a_branch1", "bn4a_branch1", "res4f_add"}) {
            INFO("node " << name);
            const int i = e.graph().find(name);
            CHECK(e.output(i) == nullptr);
            const auto on_demand = e.compute(i);
            REQUIRE(on_demand);
            CHECK(bitwise_equal(*on_demand, *full.output(i)));
        }
        CHECK(e.run().computed == 0);
    }
}

namespace {

// Every node's layer applied to its inputs computed the same way, without the engine: the unfused path.
std::vector<Tensor3> layer_by_layer(Engine& e) {
    const Graph& g = e.graph();
    ThreadPool pool(2);
    const Context ctx{&pool};
    std::vector<Tensor3> out(std::size_t(g.size()));  // per node (H, W, C)
    const std::vector<Shape> shapes = g.shapes_or_throw();
    for (int i = 0; i < g.size(); ++i) {
        if (g.node(i).inputs.empty()) {
            out[std::size_t(i)] = *e.input();
            continue;
        }
        std::vector<const Tensor3*> inputs;
        for (int j : g.node(i).inputs) inputs.push_back(&out[std::size_t(j)]);
        out[std::size_t(i)] = make_tensor(shapes[std::size_t(i)]);
        g.node(i).layer->forward(inputs, out[std::size_t(i)], ctx);
    }
    return out;
}

}  // namespace

// A block's BN -> Add -> ReLU runs in the epilogue of its branch2c conv (the run books the pass on the conv:
// Add and ReLU show 0 ms), with a conv block's branch1 conv run early so that its output is there; every output
// stays bitwise what running each layer on its own gives, in both keep policies, for 1 and 3 threads.
TEST_CASE("a block's join runs in its last conv's epilogue, the shortcut conv first, with outputs unchanged") {
    const std::vector<Tensor3> want = layer_by_layer(*make_engine(61, 47, {}, BnStatistics::varied));
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs})
        for (int threads : {1, 3}) {
            EngineOptions options;
            options.keep = keep;
            options.threads = threads;
            auto e_owner = make_engine(61, 47, options, BnStatistics::varied);
            Engine& e = *e_owner;
            const Graph& g = e.graph();
            std::vector<int> position(std::size_t(g.size()), -1);  // in the order the run reported the nodes
            int reported = 0;
            const RunStats stats =
                e.run(nullptr, [&](const NodeProgress& p) { position[std::size_t(p.node)] = reported++; });
            REQUIRE(reported == g.size());
            for (const Block& b : g.blocks) {
                INFO((keep == KeepPolicy::all_nodes ? "all_nodes, " : "block_outputs, ") << threads << " threads, "
                                                                                         << b.name);
                const int conv = b.main_path[6];  // branch2c
                CHECK(stats.node_milliseconds[std::size_t(b.add)] == 0.0);
                CHECK(stats.node_milliseconds[std::size_t(b.output)] == 0.0);
                CHECK(stats.node_milliseconds[std::size_t(conv)] > 0.0);
                CHECK(position[std::size_t(b.output)] == position[std::size_t(conv)] + 3);
                if (!b.shortcut.empty())  // as soon as the block input is there, before branch2a
                    CHECK(position[std::size_t(b.shortcut[1])] < position[std::size_t(b.main_path[0])]);
            }
            for (int i = 0; i < g.size(); ++i) {
                INFO("node " << g.node(i).name);
                const auto out = keep == KeepPolicy::all_nodes ? e.output(i) : e.compute(i);
                REQUIRE(out);
                CHECK(bitwise_equal(*out, want[std::size_t(i)]));
            }
        }
}

// A join after a conv that takes the Winograd path (a 3x3 branch2c) is computed in a second pass, with the same
// bits; editing a conv block's branch2c re-runs its downstream only, the cached branch1 output read through its
// derived BN.
TEST_CASE("a join after a Winograd conv, and after an edit of a conv block's last conv") {
    auto e_owner = make_run_engine(129, 129, {}, BnStatistics::varied);
    Engine& e = *e_owner;
    for (const char* name : {"res2b_branch2c", "res3a_branch2c"}) {
        INFO(name);
        const int edited = e.graph().find(name);
        auto config = dynamic_cast<const Conv2D&>(*e.graph().node(edited).layer).config();
        config.kernel_size = {3, 3};  // 'same' on 33x33 or 17x17 pixels
        config.padding = Padding::same;
        e.set_conv_config(edited, config, 3);
        const auto& conv = dynamic_cast<const Conv2D&>(*e.graph().node(edited).layer);
        CHECK(detail::winograd_applies(conv.params(shape_of(*e.output(e.graph().node(edited).inputs[0])))));
        const std::vector<int> before = e.execution_counts();
        const std::vector<int> downstream = e.graph().downstream(edited);
        CHECK(e.run().computed == int(downstream.size()));
        check_only_these_ran(e, downstream, before);
        const std::vector<Tensor3> want = layer_by_layer(e);
        for (int i = 0; i < e.graph().size(); ++i) {
            INFO("node " << e.graph().node(i).name);
            CHECK(bitwise_equal(*e.output(i), want[std::size_t(i)]));
        }
    }
}

// Weights changed through Layer::mutable_weights() without telling the engine: the next run repacks the kernel
// and recomputes that node and what depends on it, and nothing else.
TEST_CASE("changing weights through mutable_weights() needs no invalidate(): the next run uses them") {
    for (const char* name : {"res3b_branch2b", "bn3b_branch2b", "res3a_branch1", "conv1"}) {
        INFO(name);
        auto e_owner = make_run_engine(65, 65, {}, BnStatistics::varied);
        Engine& e = *e_owner;
        const int node = e.graph().find(name);
        const auto old_output = e.output(e.graph().output());
        auto change = [&](Graph& g) {
            for (Weight& w : g.node(g.find(name)).layer->mutable_weights())
                for (float& v : w.values) v = v * 0.5f + 0.25f;
        };
        change(e.mutable_graph());
        CHECK(e.peek(node) == nullptr);           // stale: not handed out
        CHECK(e.output(e.graph().output()) == nullptr);
        const std::vector<int> before = e.execution_counts();
        const std::vector<int> downstream = e.graph().downstream(node);
        CHECK(e.run().computed == int(downstream.size()));
        check_only_these_ran(e, downstream, before);

        auto want_owner = make_engine(65, 65, {}, BnStatistics::varied);
        Engine& want = *want_owner;
        change(want.mutable_graph());
        want.run();
        for (int i = 0; i < e.graph().size(); ++i) {
            INFO("node " << e.graph().node(i).name);
            CHECK(bitwise_equal(*e.output(i), *want.output(i)));
        }
        CHECK(!bitwise_equal(*old_output, *e.output(e.graph().output())));
    }
}

TEST_CASE("a layer replaced through mutable_graph() is noticed, and reading weights changes nothing") {
    auto e_owner = make_run_engine(33, 33);
    Engine& e = *e_owner;
    const Graph& g = e.graph();
    for (int i = 0; i < g.size(); ++i) (void)g.node(i).layer->weights();  // reads: no new version
    CHECK(e.run().computed == 0);
    const int node = g.find("res2c_branch2a");
    e.mutable_graph().node(node).layer = g.node(node).layer->clone();  // the same weights, another layer
    CHECK(e.run().computed == int(g.downstream(node).size()));
}

TEST_CASE("peek() gives stored outputs only and never computes or derives") {
    auto e_owner = make_engine(33, 33);
    Engine& e = *e_owner;
    // branch1's conv is written (its join reads it); its BN is derived.
    const int bn = e.graph().find("bn2a_branch1"), conv = e.graph().find("res2a_branch1");
    const int derived_conv = e.graph().find("res2a_branch2a");
    CHECK(e.peek(conv) == nullptr);  // before a run
    e.run();
    REQUIRE(e.peek(conv) != nullptr);
    CHECK(e.peek(conv) == e.output(conv));
    CHECK(e.peek(derived_conv) == nullptr);  // recomputable, not recomputed
    CHECK(e.is_derived(derived_conv));
    const auto recomputed = e.output(derived_conv);
    REQUIRE(recomputed);
    CHECK(e.peek(derived_conv) == recomputed);
    CHECK(e.is_derived(bn));
    CHECK(e.peek(bn) == nullptr);  // derivable, not made
    CHECK(e.is_derived(bn));
    const std::size_t bytes = e.cached_bytes();
    CHECK(e.peek(bn) == nullptr);
    CHECK(e.cached_bytes() == bytes);
    const auto made = e.output(bn);
    CHECK(e.peek(bn) == made);
    e.invalidate(conv);
    CHECK(e.peek(conv) == nullptr);
    CHECK(e.peek(bn) == nullptr);
    CHECK(e.peek(0) != nullptr);  // upstream of the edit: still stored
}

TEST_CASE("a conv left unwritten is recomputed when asked for, and a cancelled recompute leaves it derivable") {
    auto e_owner = make_run_engine(65, 65, {}, BnStatistics::varied);
    Engine& e = *e_owner;
    const Graph& g = e.graph();
    ThreadPool pool(2);
    const Context ctx{&pool};
    for (const char* name : {"conv1", "res3b_branch2b", "res4a_branch2c"}) {  // 7x7 stride 2, 3x3, 1x1 with a join
        INFO(name);
        const int conv = g.find(name), bn = g.consumers(conv).at(0);
        REQUIRE(e.is_derived(conv));
        const std::size_t bytes = e.cached_bytes();
        const std::vector<int> executions = e.execution_counts();
        std::atomic<bool> cancel{true};
        CHECK_THROWS_AS(e.output(bn, &cancel), Cancelled);  // the BN's derivation needs the conv first
        CHECK(e.is_derived(conv));
        CHECK(e.is_derived(bn));
        CHECK(e.peek(conv) == nullptr);
        CHECK(e.cached_bytes() == bytes);
        // Asked again, the BN makes the conv on its way, and both are cached: the layers applied to their inputs.
        cancel = false;
        const auto bn_out = e.output(bn, &cancel);
        REQUIRE(bn_out);
        const auto conv_out = e.peek(conv);
        REQUIRE(conv_out);
        const auto input = e.output(g.node(conv).inputs[0]);
        Tensor3 want = make_tensor(shape_of(*conv_out));
        g.node(conv).layer->forward({input.get()}, want, ctx);
        CHECK(bitwise_equal(*conv_out, want));
        Tensor3 want_bn = make_tensor(shape_of(*bn_out));
        g.node(bn).layer->forward({conv_out.get()}, want_bn, ctx);
        CHECK(bitwise_equal(*bn_out, want_bn));
        CHECK(e.execution_counts() == executions);  // a derivation is not an execution
    }
}

TEST_CASE("the convs a viewer shows are written by the run, with the bits a run that derives them gives") {
    auto plain_owner = make_run_engine(65, 65, {}, BnStatistics::varied);
    Engine& plain = *plain_owner;
    auto e_owner = make_engine(65, 65, {}, BnStatistics::varied);
    Engine& e = *e_owner;
    const Graph& g = e.graph();
    // A conv itself, a BN (its conv), an Add (its block's 2c conv, through the BN), a ReLU (nothing to write).
    e.set_shown({g.find("conv1"), g.find("bn3b_branch2b"), g.find("res4a_add"), g.find("res2c_relu"), -1, 100000});
    e.run();
    for (const char* name : {"conv1", "res3b_branch2b", "res4a_branch2c"}) {
        INFO(name);
        const int conv = g.find(name);
        CHECK(!e.is_derived(conv));
        REQUIRE(e.peek(conv));
        CHECK(bitwise_equal(*e.peek(conv), *plain.output(conv)));
    }
    // Everything else as without set_shown(): the BNs and Adds shown stay derived, and so do the other convs.
    for (const char* name : {"bn3b_branch2b", "res4a_add", "bn4a_branch2c", "res2c_branch2c", "res3b_branch2a"}) {
        INFO(name);
        CHECK(e.is_derived(g.find(name)));
    }
    CHECK(check_present_outputs_equal(e, plain) > 0);
    // Shown nothing: the next run (after an edit upstream) leaves them derived again.
    e.set_shown({});
    e.invalidate(0);
    e.run();
    CHECK(e.is_derived(g.find("conv1")));
    // In block_outputs mode a shown inner conv is not kept, so it is not written either (it would be freed).
    auto lean_owner = make_engine(65, 65, keep_block_outputs(), BnStatistics::varied);
    Engine& lean = *lean_owner;
    lean.set_shown({g.find("res3b_branch2b")});
    lean.run();
    CHECK(lean.peek(g.find("res3b_branch2b")) == nullptr);
}

TEST_CASE("each run records per node whether it computed, derived, dropped or kept the cached output") {
    for (KeepPolicy keep : {KeepPolicy::all_nodes, KeepPolicy::block_outputs}) {
        INFO((keep == KeepPolicy::all_nodes ? "all_nodes" : "block_outputs"));
        EngineOptions options;
        options.keep = keep;
        auto e_owner = make_engine(33, 33, options);
        Engine& e = *e_owner;
        const Graph& g = e.graph();
        const RunStats first = e.run();
        REQUIRE(first.node_outcomes.size() == std::size_t(g.size()));
        const int conv = g.find("res3b_branch2b"), bn = g.find("bn3b_branch2b"), relu = g.find("res3b_branch2b_relu");
        const bool all = keep == KeepPolicy::all_nodes;
        // The conv's value is not written in either mode; its pass's time is booked on it all the same.
        CHECK(first.node_outcomes[std::size_t(conv)] == (all ? NodeOutcome::derived : NodeOutcome::dropped));
        CHECK(first.node_milliseconds[std::size_t(conv)] > 0.0);
        CHECK(first.node_outcomes[std::size_t(bn)] == (all ? NodeOutcome::derived : NodeOutcome::dropped));
        CHECK(first.node_outcomes[std::size_t(relu)] == (all ? NodeOutcome::computed : NodeOutcome::dropped));
        CHECK(first.node_outcomes[std::size_t(g.find("res3b_relu"))] == NodeOutcome::computed);
        for (int i = 0; i < g.size(); ++i) {
            INFO(g.node(i).name);
            CHECK(e.last_run(i).outcome == first.node_outcomes[std::size_t(i)]);
            CHECK(e.last_run(i).milliseconds == first.node_milliseconds[std::size_t(i)]);
            if (first.node_outcomes[std::size_t(i)] == NodeOutcome::derived) CHECK(e.peek(i) == nullptr);
            if (first.node_outcomes[std::size_t(i)] == NodeOutcome::dropped) CHECK(e.output(i) == nullptr);
        }
        const RunStats second = e.run();
        for (NodeOutcome o : second.node_outcomes) CHECK(o == NodeOutcome::cached);
        if (all) {  // a derivation books its own cost on the node
            e.output(bn);
            CHECK(e.last_run(bn).outcome == NodeOutcome::derived);
            CHECK(e.last_run(bn).milliseconds > 0.0);
        }
    }
}

TEST_CASE("engines sharing one thread pool give the results of engines with their own") {
    auto pool = std::make_shared<ThreadPool>(3);
    EngineOptions shared;
    shared.pool = pool;
    EngineOptions own;
    own.threads = 2;
    auto a_owner = make_engine(41, 41, shared);
    auto b_owner = make_engine(41, 41, shared, BnStatistics::varied);
    CHECK(a_owner->threads() == 3);
    std::thread other([&] { b_owner->run(); });  // two engines on two threads: they take turns on the pool
    a_owner->run();
    other.join();
    auto a_want = make_run_engine(41, 41, own);
    auto b_want = make_run_engine(41, 41, own, BnStatistics::varied);
    for (int i = 0; i < a_want->graph().size(); ++i) {
        INFO("node " << a_want->graph().node(i).name);
        CHECK(bitwise_equal(*a_owner->output(i), *a_want->output(i)));
        CHECK(bitwise_equal(*b_owner->output(i), *b_want->output(i)));
    }
}

// A reader thread holds outputs (as the GUI's render thread does) while the engine re-runs on other inputs and
// reuses buffers: a held tensor never changes. The hand-back is ordered (run under ThreadSanitizer too).
// The GUI's pattern: the viewer holds every output of the last run until the next run's arrive. Each node then
// alternates between two buffers: after the second run nothing new is allocated, and prepare() before each run
// leaves the run itself nothing to allocate.
TEST_CASE("a viewer holding the last outputs: two buffers per node, no new ones from the third run on") {
    auto e_owner = make_engine(41, 37);
    Engine& e = *e_owner;
    std::vector<std::shared_ptr<const Tensor3>> shown;  // what the viewer holds
    std::vector<int> allocated;
    for (int round = 0; round < 5; ++round) {
        Tensor3 x = test_input(41, 37);
        x *= float(round + 1);
        e.set_input(std::move(x));
        const PrepareStats prepared = e.prepare();
        const RunStats run = e.run();
        INFO("round " << round);
        CHECK(run.new_buffers == 0);
        allocated.push_back(prepared.new_buffers);
        std::vector<std::shared_ptr<const Tensor3>> next;
        for (int i = 0; i < e.graph().size(); ++i) next.push_back(e.peek(i));
        shown = std::move(next);  // the previous run's outputs go back to their nodes now
    }
    CHECK(allocated[0] > 0);
    CHECK(allocated[1] == allocated[0]);  // the first outputs are still shown: a second set
    CHECK(allocated[2] == 0);
    CHECK(allocated[3] == 0);
    CHECK(allocated[4] == 0);
}

// block_outputs mode drops the inner outputs once their readers ran; their buffers stay as spares for the next
// run's dropped outputs, so passes over new pictures stop faulting in fresh memory and their peak stops growing.
// With prepare() before each run (as bench and the GUI do) no run allocates anything, the first included. Without
// it, the first run makes every buffer and the second a few more (kept outputs of the first took some spares).
TEST_CASE("block_outputs mode: dropped outputs reuse the last run's buffers, no new ones from the second run on") {
    for (const bool prepare : {true, false}) {
        INFO((prepare ? "with prepare()" : "without prepare()"));
        auto e_owner = make_engine(45, 39, keep_block_outputs());
        Engine& e = *e_owner;
        std::vector<int> allocated;
        std::vector<std::size_t> peaks;
        for (int round = 0; round < 4; ++round) {
            Tensor3 x = test_input(45, 39);
            x *= float(round + 1);
            e.set_input(std::move(x));
            if (prepare) e.prepare();
            allocated.push_back(e.run().new_buffers);
            peaks.push_back(e.peak_bytes());
        }
        INFO("new buffers per run: " << allocated[0] << ", " << allocated[1] << ", " << allocated[2] << ", "
                                     << allocated[3]);
        if (prepare) {
            CHECK(allocated[0] == 0);
            CHECK(allocated[1] == 0);
            CHECK(peaks[3] == peaks[0]);
        } else {
            CHECK(allocated[0] > 0);
            CHECK(peaks[3] == peaks[1]);
        }
        CHECK(allocated[2] == 0);
        CHECK(allocated[3] == 0);
        // Still only block outputs stored, and an inner node made on demand equals the all_nodes engine's.
        auto all_owner = make_engine(45, 39);
        Tensor3 x = test_input(45, 39);
        x *= 4.0f;
        all_owner->set_input(std::move(x));
        all_owner->run();
        const int inner = e.graph().find("res3b_branch2b_relu");
        CHECK(e.peek(inner) == nullptr);
        CHECK(bitwise_equal(*e.compute(inner), *all_owner->output(inner)));
    }
}

TEST_CASE("an output held by another thread never changes while the engine re-runs") {
    auto e_owner = make_engine(33, 33);
    Engine& e = *e_owner;
    const Graph& g = e.graph();
    const std::vector<int> watched{g.find("conv1"), g.find("res2a_branch2a"), g.find("res2b_relu"), g.output()};
    std::mutex mutex;
    std::vector<std::shared_ptr<const Tensor3>> latest;  // under mutex: the last outputs the engine handed over
    std::atomic<bool> stop{false};
    std::atomic<int> changed{0}, checked{0};
    std::thread reader([&] {
        while (!stop) {
            std::vector<std::shared_ptr<const Tensor3>> held;
            {
                std::lock_guard<std::mutex> lock(mutex);
                held = latest;
            }
            std::vector<Tensor3> copies;
            for (const auto& t : held) copies.push_back(*t);
            std::this_thread::yield();
            for (std::size_t k = 0; k < held.size(); ++k) {
                changed += !bitwise_equal(*held[k], copies[k]);
                ++checked;
            }
        }
    });
    for (int round = 0; round < 12; ++round) {
        Tensor3 x = test_input(33, 33);
        x *= float(round + 1);  // every round another picture, so a reused buffer gets other values
        e.set_input(std::move(x));
        e.run();
        std::vector<std::shared_ptr<const Tensor3>> outputs;
        for (int i : watched) outputs.push_back(e.output(i));
        std::lock_guard<std::mutex> lock(mutex);
        latest = std::move(outputs);
    }
    stop = true;
    reader.join();
    CHECK(changed == 0);
    CHECK(checked > 0);
}
