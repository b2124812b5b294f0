// Edits and their undo in the GUI's network job, seen from the weights: the layers an edit re-sized are
// reported as one whole set whenever it changes (so undoing an edit removes the "*" marks), and undoing the
// edit gives those layers back a loaded Keras file's values, so the network really is the file's again.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

#include "app/gui/worker.hpp"
#include "settle.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

ResNet50Options small_network() {
    ResNet50Options o;
    o.height = o.width = 64;
    return o;
}

// What one request came back with: the last re-initialised set reported, and the network's output.
struct Answer {
    std::optional<std::vector<int>> reinitialised;  // nullopt: no Reinitialised event
    std::shared_ptr<const Tensor3> output;          // of the graph's output node
    std::vector<std::string> failures;
};

Answer ask(Worker& worker, const JobRequest& request, int output_node) {
    Answer a;
    const std::uint64_t id = worker.post(request);
    settle(worker, [&](const WorkerEvent& e) {
        if (auto* r = std::get_if<event::Reinitialised>(&e.data)) a.reinitialised = r->nodes;
        if (auto* n = std::get_if<event::NetworkNode>(&e.data))
            if (e.request == id && n->node == output_node && n->output) a.output = n->output;
        if (auto* f = std::get_if<event::NetworkFailed>(&e.data)) a.failures.push_back(f->message);
        if (auto* f = std::get_if<event::WeightsFailed>(&e.data)) a.failures.push_back(f->message);
        if (auto* f = std::get_if<event::ImageFailed>(&e.data)) a.failures.push_back(f->message);
    });
    return a;
}

bool bitwise_equal(const Tensor3& a, const Tensor3& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("undoing a network edit clears the re-initialised marks and gives the layers the loaded file's weights") {
    // A Keras file whose values are not the seed's the job initialises with (42 against 1).
    const std::string path = "network_job_edits.h5";
    {
        Graph g = build_resnet50(small_network());
        g.build_weights();
        initialize_graph(g, 42);
        save_keras_weights(g, path);
    }
    // What the file gives without any edit, from a fresh engine.
    Graph g = build_resnet50(small_network());
    g.build_weights();
    load_keras_weights(g, path);
    const int out = g.output();
    const int edited = g.find("res2a_branch2a");
    REQUIRE(edited >= 0);
    Conv2DConfig narrower = static_cast<const Conv2D&>(*g.node(edited).layer).config();
    narrower.filters /= 2;  // re-sizes this kernel, its BatchNormalization and the next conv's kernel
    Engine fresh(std::move(g), EngineOptions{});
    const RgbImage image = load_image(sample_path("chelsea", CONVSCOPE_ASSETS_DIR));
    fresh.set_input(caffe_preprocess(resize_image(image, small_network().height, small_network().width)));
    fresh.run();
    const std::shared_ptr<const Tensor3> file_output = fresh.output(out);

    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, {}, 2);
    JobRequest r;
    r.image_source = sample_source("chelsea");
    r.playground_valid = false;
    r.priority = Job::network;
    r.network.options = small_network();
    r.network.weights_path = path;

    const Answer loaded = ask(worker, r, out);
    for (const std::string& f : loaded.failures) FAIL(f);
    REQUIRE(loaded.output);
    CHECK(bitwise_equal(*loaded.output, *file_output));
    CHECK(!loaded.reinitialised);  // nothing re-sized: nothing to report

    r.network.edits["res2a_branch2a"] = narrower;
    const Answer edit = ask(worker, r, out);
    for (const std::string& f : edit.failures) FAIL(f);
    REQUIRE(edit.reinitialised);
    CHECK(std::count(edit.reinitialised->begin(), edit.reinitialised->end(), edited) == 1);
    CHECK(std::count(edit.reinitialised->begin(), edit.reinitialised->end(), fresh.graph().find("res2a_branch2b")) == 1);
    REQUIRE(edit.output);
    CHECK(!bitwise_equal(*edit.output, *file_output));

    r.network.edits.clear();
    const Answer undone = ask(worker, r, out);
    for (const std::string& f : undone.failures) FAIL(f);
    REQUIRE(undone.reinitialised);
    CHECK(undone.reinitialised->empty());  // the marks go
    REQUIRE(undone.output);
    CHECK(bitwise_equal(*undone.output, *file_output));  // the file's values, not fresh seeded ones
    worker.stop();
    std::remove(path.c_str());
}
