// The engine's promises: only what changed recomputes, a cancelled run leaves the cache consistent,
// results do not depend on the thread count, and block_outputs mode recomputes inner nodes on demand.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <thread>

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

// The ResNet50 backbone (stages 1-4) at height x width, seeded weights, a fixed input; not run yet.
std::unique_ptr<Engine> make_engine(int height, int width, EngineOptions options = {},
                                    BnStatistics bn = BnStatistics::keras_initial) {
    Graph g = build_resnet50({height, width, 4, false});
    initialize_graph(g, 3);
    if (bn == BnStatistics::varied) vary_bn_statistics(g);
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

// Runs e, with another thread raising the cancel flag after delay_us; true if the run was cancelled.
bool run_cancelled_after(Engine& e, int delay_us) {
    std::atomic<bool> cancel{false};
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
        cancel = true;
    });
    bool cancelled = false;
    try {
        e.run(&cancel);
    } catch (const Cancelled&) {
        cancelled = true;
    }
    canceller.join();
    return cancelled;
}

// Since the execution counts `before`, each node in `ran` executed once more and every other node not at all.
void check_only_these_ran(Engine& e, const std::vector<int>& ran, const std::vector<int>& before) {
    for (int i = 0; i < e.graph().size(); ++i) {
        const bool should_run = std::find(ran.begin(), ran.end(), i) != ran.end();
        INFO("node " << e.graph().node(i).name);
        CHECK(e.execution_counts()[std::size_t(i)] - before[std::size_t(i)] == (should_run ? 1 : 0));
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

TEST_CASE("a cancelled run leaves every cached output complete or absent, and a rerun finishes the job") {
    auto full_owner = make_run_engine(129, 129);
    Engine& full = *full_owner;
    std::mt19937 random(11);
    for (int attempt = 0; attempt < 6; ++attempt) {
        auto e_owner = make_engine(129, 129);
        Engine& e = *e_owner;
        const int delay_us = int(random() % 60000);
        const bool cancelled = run_cancelled_after(e, delay_us);
        INFO("cancelled after " << delay_us << " us: " << (cancelled ? "yes" : "finished first"));
        check_present_outputs_equal(e, full);
        e.run();
        for (int i = 0; i < e.graph().size(); ++i) CHECK(bitwise_equal(*e.output(i), *full.output(i)));
    }
}

TEST_CASE("a cancel flag stops a run quickly") {
    auto e_owner = make_engine(301, 301);
    Engine& e = *e_owner;
    std::atomic<bool> cancel{false};
    std::chrono::steady_clock::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        cancelled_at = std::chrono::steady_clock::now();
        cancel = true;
    });
    CHECK_THROWS_AS(e.run(&cancel), Cancelled);
    const auto stopped_at = std::chrono::steady_clock::now();
    canceller.join();
    // Not a timing assertion on speed: only that the run did not go on to the end regardless.
    CHECK(e.output(e.graph().output()) == nullptr);
    const double ms = std::chrono::duration<double, std::milli>(stopped_at - cancelled_at).count();
    WARN("stopped " << ms << " ms after the cancel flag was set");
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
        // The run left these unwritten: a BN read by its fused ReLU, a block's BNs and its Add.
        for (const char* name : {"bn_conv1", "bn2a_branch2a", "bn2a_branch2c", "bn2a_branch1", "res2a_add",
                                 "bn3b_branch2b", "bn3b_branch2c", "res3b_add", "res4f_add"}) {
            INFO(name);
            CHECK(e.is_derived(g.find(name)));
        }
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
    std::mt19937 random(13);
    int derived_seen = 0;
    for (int attempt = 0; attempt < 6; ++attempt) {
        auto e_owner = make_engine(97, 97, {}, BnStatistics::varied);
        Engine& e = *e_owner;
        const int delay_us = int(random() % 20000);
        run_cancelled_after(e, delay_us);
        INFO("cancelled after " << delay_us << " us");
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
    std::mt19937 random(17);
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto e_owner = make_engine(97, 97, keep_block_outputs(), BnStatistics::varied);
        Engine& e = *e_owner;
        const int delay_us = attempt == 0 ? 200000 : int(random() % 20000);  // the first run finishes
        run_cancelled_after(e, delay_us);
        INFO("cancelled after " << delay_us << " us");
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
