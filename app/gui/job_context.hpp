#pragma once
// What a worker job (playground or network) gets from the worker for one request: the request id, the
// cancel flag, a way to report events, the engine options, and the current input image.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/gui/worker_events.hpp"
#include "core/engine/engine.hpp"
#include "core/image/image.hpp"

namespace convscope::gui {

// The decoded input picture; `version` changes whenever a new one is loaded, so jobs know to re-resize it.
struct InputImage {
    std::shared_ptr<const RgbImage> image;
    int version = 0;
};

// One thing the UI asked of the network job: a node's output, or a copy of its layer with its weights.
struct NodeRequest {
    int node = -1;
    bool layer = false;  // true: the layer (event::NetworkLayer), false: the output (event::NetworkNode)
};

struct JobContext {
    std::uint64_t request = 0;
    const std::atomic<bool>* cancel = nullptr;  // a newer request is waiting: the engines throw Cancelled
    EngineOptions engine_options;               // for engines the job builds
    std::function<void(WorkerEvent)> emit;
    // What the UI has asked for since the last call (see Worker::request_node() and request_layer()).
    std::function<std::vector<NodeRequest>()> take_node_requests;
    // The network nodes the UI shows now (Worker::show_nodes()).
    std::function<std::vector<int>()> shown_nodes;

    void send(WorkerEventData data) const { emit(WorkerEvent{request, std::move(data)}); }
    // For results the UI did not ask for and picks up on its own while a job runs (WorkerEvent::wake).
    void send_quietly(WorkerEventData data) const { emit(WorkerEvent{request, std::move(data), false}); }
    void progress(std::string what, int done, int total) const {
        send(Progress{std::move(what), done, total, true});
    }
};

}  // namespace convscope::gui
