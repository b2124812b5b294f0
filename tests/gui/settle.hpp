#pragma once
// For the worker tests: waiting until the worker has answered what was posted.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "app/gui/worker.hpp"

namespace convscope::gui {

// Waits until the worker has answered everything posted so far (renders and file tasks included, which it takes
// and drops), draining its events into `sink`; fails the test if that takes more than two minutes.
template <class Sink>
void settle(Worker& w, Sink sink) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (w.busy() || w.render_busy()) {
        for (WorkerEvent& e : w.drain()) sink(e);
        w.take_render();
        w.take_task_result();
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    for (WorkerEvent& e : w.drain()) sink(e);
}

}  // namespace convscope::gui
