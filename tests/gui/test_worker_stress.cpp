// The GUI worker under the traffic a user makes, from several threads at once and without GL: requests that
// cancel each other, node requests, renders and file tasks. Every result must fit the request it answers, and
// once the traffic stops the worker's outputs must equal a fresh engine's, bit for bit (an incremental,
// cancelled-and-resumed engine is no excuse for other numbers). Run under ThreadSanitizer by the sanitizer build.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "app/gui/worker.hpp"
#include "settle.hpp"
#include "core/layers/input_layer.hpp"
#include "core/weights/initializers.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

// Small enough that a run takes milliseconds, large enough for every stage to have a spatial extent.
ResNet50Options small_network(int size) {
    ResNet50Options o;
    o.height = o.width = size;
    return o;
}

// The shapes the graph for these parameters infers, per node: what every node output must have.
std::vector<Shape> expected_shapes(const NetworkParams& p) {
    NetworkModel model;
    Graph g = model.build(p.options, p.edits);
    return g.shapes_or_throw();
}

Shape conv_output_shape(const PlaygroundParams& p) {
    return Conv2D(p.conv).output_shape({Shape::image(p.input_height, p.input_width, 3)});
}

bool same_shape(const Tensor3& t, const Shape& s) {
    return int(t.shape()[0]) == s.h && int(t.shape()[1]) == s.w && int(t.shape()[2]) == s.c;
}

bool bitwise_equal(const Tensor3& a, const Tensor3& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// What a fresh engine computes for the network part of a request.
std::unique_ptr<Engine> fresh_network(const NetworkParams& p, const std::string& sample) {
    NetworkModel model;
    Graph g = model.build(p.options, p.edits);
    g.build_weights();
    initialize_graph(g, p.seed);
    auto engine = std::make_unique<Engine>(std::move(g), EngineOptions{});
    const RgbImage image = load_image(sample_path(sample, CONVSCOPE_ASSETS_DIR));
    engine->set_input(caffe_preprocess(resize_image(image, p.options.height, p.options.width)));
    engine->run();
    return engine;
}

}  // namespace

TEST_CASE("the GUI worker keeps every result consistent under concurrent request, cancel and render traffic") {
    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, {}, 2);
    const std::vector<std::string> samples = {"chelsea", "coffee", "rocket"};
    // Inner convs: a new filter count re-initialises the next conv but keeps every shape valid.
    const std::vector<std::string> editable = {"res2a_branch2a", "res3a_branch2b", "res4b_branch2a"};

    std::mutex mutex;  // guards the three below
    std::map<std::uint64_t, JobRequest> posted;       // request id -> what it asked for
    std::vector<std::shared_ptr<const Tensor3>> seen;  // tensors the "UI" received, for the render thread
    std::vector<std::string> failures;
    auto fail = [&](std::string what) {
        std::lock_guard<std::mutex> lock(mutex);
        failures.push_back(std::move(what));
    };

    std::atomic<bool> stop{false};
    std::atomic<int> node_events{0}, renders{0}, tasks{0}, requests{0};

    std::map<std::uint64_t, std::vector<Shape>> shapes_of;  // per request id; only the checking thread uses it
    // Checks one event against the request it answers; runs on the "UI" thread (the main thread at the end).
    auto check = [&](WorkerEvent& e) {
        if (!std::holds_alternative<event::NetworkNode>(e.data) && !std::holds_alternative<event::PlaygroundDone>(e.data)) {
            if (auto* f = std::get_if<event::NetworkFailed>(&e.data)) fail("network failed: " + f->message);
            if (auto* f = std::get_if<event::PlaygroundFailed>(&e.data)) fail("playground failed: " + f->message);
            if (auto* f = std::get_if<event::ImageFailed>(&e.data)) fail("image failed: " + f->message);
            return;
        }
        JobRequest req;
        {
            std::lock_guard<std::mutex> lock(mutex);
            auto it = posted.find(e.request);
            if (it == posted.end()) return fail("a result answers a request nobody posted");
            req = it->second;
        }
        if (auto* n = std::get_if<event::NetworkNode>(&e.data)) {
            ++node_events;
            auto it = shapes_of.find(e.request);
            if (it == shapes_of.end()) it = shapes_of.emplace(e.request, expected_shapes(req.network)).first;
            const std::vector<Shape>& shapes = it->second;
            if (n->node < 0 || n->node >= int(shapes.size())) return fail("node index out of range");
            if (n->output && !same_shape(*n->output, shapes[std::size_t(n->node)]))
                return fail("node " + std::to_string(n->node) + " has the shape of another request");
            if (n->output) {
                std::lock_guard<std::mutex> lock(mutex);
                seen.push_back(n->output);
                if (seen.size() > 16) seen.erase(seen.begin());
            }
        } else if (auto* p = std::get_if<event::PlaygroundDone>(&e.data)) {
            if (!same_shape(*p->output, conv_output_shape(req.playground)))
                return fail("a playground output has the shape of another request");
            std::lock_guard<std::mutex> lock(mutex);
            seen.push_back(p->output);
        }
    };

    // The "UI": posts a changed request every few milliseconds (each cancels the running one) and drains.
    std::thread ui([&] {
        std::mt19937 random(1);
        JobRequest r;
        r.network.options = small_network(64);
        r.playground.input_height = r.playground.input_width = 96;
        while (!stop) {
            switch (random() % 5) {
            case 0: r.image_source = sample_source(samples[random() % samples.size()]); break;
            case 1: r.playground.conv.filters = 1 + int(random() % 8); break;
            case 2: r.playground.seed = 1 + random() % 3; break;
            case 3: r.network.options = small_network(random() % 2 ? 64 : 80); break;
            default: {
                const std::string& name = editable[random() % editable.size()];
                if (r.network.edits.count(name)) {
                    r.network.edits.erase(name);
                } else {
                    NetworkModel m;
                    Graph g = m.build(r.network.options, {});
                    Conv2DConfig c = static_cast<const Conv2D&>(*g.node(g.find(name)).layer).config();
                    c.filters += 8;
                    r.network.edits[name] = c;
                }
            }
            }
            r.priority = random() % 2 ? Job::network : Job::playground;
            {
                std::lock_guard<std::mutex> lock(mutex);  // recorded before the worker can answer it
                posted[worker.post(r)] = r;
            }
            ++requests;
            for (WorkerEvent& e : worker.drain()) check(e);
            std::this_thread::sleep_for(std::chrono::milliseconds(random() % 40));
        }
    });
    // Another thread asks for nodes, as the UI does for the shown node and its neighbours.
    std::thread nodes([&] {
        std::mt19937 random(2);
        while (!stop) {
            worker.request_node(int(random() % 60));
            std::this_thread::sleep_for(std::chrono::milliseconds(random() % 10));
        }
    });
    // The render side: views of whatever arrived last, and file tasks, taken back as they finish.
    std::thread render([&] {
        std::mt19937 random(3);
        std::uint64_t key = 1;
        while (!stop) {
            std::shared_ptr<const Tensor3> t;
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (!seen.empty()) t = seen[random() % seen.size()];
            }
            if (t) {
                RenderRequest rr;
                rr.key = key;
                rr.signature = key * 7;
                rr.tensor = t;
                rr.page = int(random() % 3);
                rr.per_page = 16;
                rr.selected_channel = int(random() % 100);
                rr.normalization = Normalization(random() % 3);
                worker.post_render(rr);
                ++key;
            }
            if (random() % 4 == 0) worker.post_task([] { return Worker::TaskResult{true, "done", ""}; });
            if (auto r = worker.take_render()) {
                ++renders;
                if (r->signature != r->key * 7 || !r->tensor || !r->error.empty() || r->grid.width <= 0)
                    fail("a render does not match its request: " + r->error);
            }
            if (auto r = worker.take_task_result()) {
                ++tasks;
                if (!r->ok || r->message != "done") fail("a task result was lost or changed");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(random() % 5));
        }
    });

    // Three seconds of traffic, and on a loaded machine longer: until every kind of it has happened.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    while (!(requests > 10 && node_events > 0 && renders > 0 && tasks > 0) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    ui.join();
    nodes.join();
    render.join();
    settle(worker, check);
    for (const std::string& f : failures) INFO(f);
    CHECK(failures.empty());
    CHECK(requests > 10);
    CHECK(node_events > 0);
    CHECK(renders > 0);
    CHECK(tasks > 0);

    // Once the traffic stops: a last request, and what the worker hands out equals a fresh engine's result,
    // both for a node the run writes and for a node it folds (made on request).
    JobRequest last;
    last.image_source = sample_source("coffee");
    last.network.options = small_network(80);
    last.network.edits.clear();
    last.priority = Job::network;
    const std::uint64_t id = worker.post(last);
    {
        std::lock_guard<std::mutex> lock(mutex);
        posted[id] = last;
    }
    const std::unique_ptr<Engine> fresh = fresh_network(last.network, "coffee");
    const Graph& g = fresh->graph();
    const int written = g.output();           // the last block's output: always written
    const int folded = g.find("bn_conv1");    // folded into conv1's pass by the fused path
    REQUIRE(folded >= 0);
    REQUIRE(fresh->peek(folded) == nullptr);  // really folded: the run did not store it
    std::map<int, std::shared_ptr<const Tensor3>> got;
    auto keep = [&](WorkerEvent& e) {
        check(e);
        if (auto* n = std::get_if<event::NetworkNode>(&e.data))
            if (e.request == id && n->output) got[n->node] = n->output;
    };
    settle(worker, keep);
    worker.request_node(written);
    worker.request_node(folded);
    settle(worker, keep);
    REQUIRE(got.count(written));
    REQUIRE(got.count(folded));
    CHECK(bitwise_equal(*got[written], *fresh->output(written)));
    CHECK(bitwise_equal(*got[folded], *fresh->output(folded)));
    CHECK(failures.empty());
    worker.stop();
}
