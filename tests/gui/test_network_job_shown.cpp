// The network nodes the UI shows (Worker::show_nodes()): the network job's run writes those convs, so the
// selected conv's maps come with the run instead of a recompute after it, and the others stay derived.

#include <catch2/catch.hpp>

#include <cstring>
#include <map>

#include "app/gui/worker.hpp"
#include "settle.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

// Every NetworkNode event of one request: node -> what the run sent (nullptr: left to be derived).
std::map<int, std::shared_ptr<const Tensor3>> run_network(Worker& worker, const JobRequest& request) {
    std::map<int, std::shared_ptr<const Tensor3>> sent;
    const std::uint64_t id = worker.post(request);
    settle(worker, [&](const WorkerEvent& e) {
        if (auto* n = std::get_if<event::NetworkNode>(&e.data); n && e.request == id) sent[n->node] = n->output;
        if (auto* f = std::get_if<event::NetworkFailed>(&e.data)) FAIL(f->message);
    });
    return sent;
}

}  // namespace

TEST_CASE("the network run writes the convs the UI shows and leaves the others derived") {
    ResNet50Options options;
    options.height = options.width = 64;
    const Graph g = build_resnet50(options);
    const int conv1 = g.find("conv1"), shown_bn = g.find("bn3b_branch2b"), conv3b = g.find("res3b_branch2b");
    const int other = g.find("res2b_branch2a");

    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, [] {}, 2);
    JobRequest r;
    r.image_source = sample_source("chelsea");
    r.playground_valid = false;
    r.priority = Job::network;
    r.network.options = options;

    worker.show_nodes({conv1, shown_bn});
    auto sent = run_network(worker, r);
    REQUIRE(sent.count(conv1));
    CHECK(sent[conv1] != nullptr);   // shown: written by the run
    CHECK(sent[conv3b] != nullptr);  // the conv a shown BN derives from
    CHECK(sent[shown_bn] == nullptr);  // a BN stays derived: making it is a quick pass
    CHECK(sent[other] == nullptr);     // not shown: recomputed only if asked for
    const std::shared_ptr<const Tensor3> written = sent[conv1];

    // Another seed: everything runs again. Shown nothing now, conv1 is left derived, and made on request with
    // the bits a writing run gives.
    worker.show_nodes({});
    r.network.seed = 2;
    sent = run_network(worker, r);
    CHECK(sent[conv1] == nullptr);
    r.network.seed = 1;
    sent = run_network(worker, r);
    REQUIRE(sent[conv1] == nullptr);
    worker.request_node(conv1);
    std::shared_ptr<const Tensor3> made;
    settle(worker, [&](const WorkerEvent& e) {
        if (auto* n = std::get_if<event::NetworkNode>(&e.data); n && n->node == conv1 && n->output) made = n->output;
    });
    REQUIRE(made);
    CHECK(made->shape() == written->shape());
    CHECK(std::memcmp(made->data(), written->data(), written->size() * sizeof(float)) == 0);
}
