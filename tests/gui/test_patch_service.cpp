// The GUI's top-patches search: answers off the calling thread what ChannelPatchFinder answers directly (the
// same images, activations and positions), a second channel of a node already seen costs no network run, a
// newer request replaces an older one, a cancel keeps the last answer until restart(), and a bad folder is a
// message.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "app/gui/patch_service.hpp"
#include "core/weights/initializers.hpp"
#include "tests/test_util.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

PatchRequest small_request(const std::string& node, int channel) {
    PatchRequest r;
    r.options.height = r.options.width = 64;
    r.options.last_stage = 4;  // the nodes asked about are in stage 2: only their inputs run
    r.seed = 5;
    r.node = node;
    r.channel = channel;
    r.count = 3;
    return r;
}

// Polls like the UI until the answer to `r` is there.
PatchSnapshot wait_for(PatchService& service, const PatchRequest& r) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
        PatchSnapshot s = service.snapshot();
        if (!s.running && s.answered && *s.answered == r) return s;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL("no answer within 120 s");
    return {};
}

}  // namespace

TEST_CASE("top patches service: the finder's answer, cached for another channel, newest request wins", "[gui][patches]") {
    EngineOptions engine;
    engine.threads = 2;
    PatchService service(CONVSCOPE_ASSETS_DIR, engine);
    const PatchRequest first = small_request("res2a_branch2a", 3);
    service.request(first);
    const PatchSnapshot a = wait_for(service, first);
    INFO(a.error);
    REQUIRE(a.error.empty());
    CHECK(a.images == int(sample_names().size()));
    CHECK(a.network_runs == int(sample_names().size()));
    REQUIRE(a.patches.size() == 3);
    CHECK(a.receptive_field.find("receptive field") == 0);

    // The same question asked of ChannelPatchFinder on an engine built here.
    Graph g = build_resnet50(first.options);
    g.build_weights();
    initialize_graph(g, first.seed);
    const int node = g.find(first.node);
    Engine direct(std::move(g), engine);
    ChannelPatchFinder finder(direct, "seed 5");
    std::vector<std::string> images;
    for (const std::string& name : sample_names()) images.push_back(sample_path(name, CONVSCOPE_ASSETS_DIR));
    const std::vector<ChannelPatch> expected = finder.strongest(images, node, first.channel, first.count);
    REQUIRE(expected.size() == a.patches.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(a.patches[i].image == expected[i].image);
        CHECK(a.patches[i].activation == expected[i].activation);
        CHECK(a.patches[i].row == expected[i].row);
        CHECK(a.patches[i].col == expected[i].col);
        CHECK(a.patches[i].region.row0 == expected[i].region.row0);
        CHECK(a.patches[i].region.col1 == expected[i].region.col1);
        CHECK(a.patches[i].patch.pixels == expected[i].patch.pixels);
    }

    // Another channel of the same node: from the cache, no network run.
    const PatchRequest second = small_request("res2a_branch2a", 7);
    service.request(second);
    const PatchSnapshot b = wait_for(service, second);
    CHECK(b.network_runs == a.network_runs);
    CHECK(b.version > a.version);

    // Two requests in a row: the newer is the one answered.
    const PatchRequest third = small_request("res2a_branch2b", 1), fourth = small_request("res2a_branch2c", 2);
    service.request(third);
    service.request(fourth);
    const PatchSnapshot d = wait_for(service, fourth);
    CHECK(d.error.empty());
    CHECK(d.patches.size() == 3);
}

TEST_CASE("top patches service: a cancel keeps the last answer, a folder without images or an unknown node is a message",
          "[gui][patches]") {
    EngineOptions engine;
    engine.threads = 1;
    PatchService service(CONVSCOPE_ASSETS_DIR, engine);
    const PatchRequest first = small_request("conv1", 0);
    service.request(first);
    const PatchSnapshot a = wait_for(service, first);
    INFO(a.error);
    REQUIRE(a.error.empty());

    PatchRequest other = small_request("res2b_branch2a", 4);
    service.request(other);
    service.cancel();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (service.snapshot().running && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const PatchSnapshot after = service.snapshot();
    CHECK_FALSE(after.running);
    REQUIRE(after.answered);
    // Either the cancel came in time (the first answer stays, and the snapshot says it was cancelled) or the
    // search had already finished.
    CHECK((*after.answered == first || *after.answered == other));
    if (*after.answered == first) CHECK(after.cancelled);
    // Asking for the same thing again (as the UI does every frame) does not restart it; restart() does.
    service.request(other);
    CHECK_FALSE(service.snapshot().running);
    service.restart();
    CHECK(wait_for(service, other).error.empty());
    CHECK_FALSE(service.snapshot().cancelled);

    convscope_test::TempDir empty;
    PatchRequest no_images = small_request("conv1", 0);
    no_images.folder = empty.path;
    service.request(no_images);
    const PatchSnapshot e = wait_for(service, no_images);
    CHECK(e.error.find("no image files") != std::string::npos);
    CHECK(e.patches.empty());

    PatchRequest missing = small_request("res9z_branch2a", 0);
    service.request(missing);
    CHECK(wait_for(service, missing).error.find("no node named res9z_branch2a") != std::string::npos);
}
