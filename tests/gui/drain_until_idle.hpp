#pragma once
// For the worker tests: the events a request brings, up to the moment the worker is idle.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include "app/gui/worker.hpp"

namespace convscope::gui {

// Hands every event to `take` until the worker is idle; fails the test if that takes more than two minutes.
template <typename Take>
void drain_until_idle(Worker& worker, Take take) {
    auto take_all = [&] {
        for (WorkerEvent& e : worker.drain()) take(e);
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (worker.busy()) {
        take_all();
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    take_all();
}

}  // namespace convscope::gui
