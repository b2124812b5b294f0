// Compare A / B on the worker: a request with a pinned setting gets both results, each marked as what it is, A's
// equal to what the playground computes for the same setting; a changed B does not recompute A.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "app/gui/worker.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

struct Results {
    std::shared_ptr<const Tensor3> playground, pinned;
    int pinned_events = 0;
};

// Drains until the request's playground (and, with a pin, pinned) result arrived, or 60 s passed.
Results wait_for(Worker& worker, std::uint64_t id, bool with_pin) {
    Results r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool idle = false;
    while (!idle && std::chrono::steady_clock::now() < deadline) {
        for (WorkerEvent& e : worker.drain()) {
            if (e.request != id) continue;
            if (auto* d = std::get_if<event::PlaygroundDone>(&e.data)) {
                (d->pinned ? r.pinned : r.playground) = d->output;
                r.pinned_events += d->pinned ? 1 : 0;
            }
            if (std::holds_alternative<event::Idle>(e.data)) idle = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(idle);
    if (with_pin) REQUIRE(r.pinned);
    return r;
}

PlaygroundParams params(int kernel, int strides) {
    PlaygroundParams p;
    p.input_height = 40;
    p.input_width = 52;
    p.conv.filters = 6;
    p.conv.kernel_size = IntPair(kernel);
    p.conv.strides = IntPair(strides);
    p.conv.padding = Padding::same;
    return p;
}

}  // namespace

TEST_CASE("the worker computes the pinned setting A beside the playground's B", "[gui][compare]") {
    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, [] {}, 2);
    JobRequest request;
    request.image_source = sample_source("rocket");
    request.want_network = false;
    request.playground = params(3, 1);
    request.pinned = params(5, 2);
    const std::uint64_t first = worker.post(request);
    const Results r1 = wait_for(worker, first, true);
    REQUIRE(r1.playground);
    CHECK(r1.playground->shape()[0] == 40);
    CHECK(r1.pinned->shape()[0] == 20);  // ceil(40 / 2)
    CHECK(r1.pinned->shape()[1] == 26);  // ceil(52 / 2)

    // A equals the playground's own result for the same setting.
    JobRequest as_b = request;
    as_b.playground = params(5, 2);
    as_b.pinned.reset();
    const std::uint64_t second = worker.post(as_b);
    const Results r2 = wait_for(worker, second, false);
    REQUIRE(r2.playground);
    CHECK(*r2.playground == *r1.pinned);

    // Editing B again with the same pin: A holds (no new pinned result).
    JobRequest again = request;
    again.playground = params(3, 3);
    const std::uint64_t third = worker.post(again);
    const Results r3 = wait_for(worker, third, false);
    CHECK(r3.playground);
    CHECK(r3.pinned_events == 0);
    worker.stop();
}
