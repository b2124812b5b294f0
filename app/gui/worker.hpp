#pragma once
// The background side of the GUI: one engine thread and one render thread. No GL: tests drive it directly.
//
//   JobRequest        what the UI wants computed now: image, playground conv, network (options, edits,
//                     weights). The UI posts the whole request; the engine thread works towards the newest
//                     one and a newer request cancels the running run through the Engine's cancel flag.
//   request_node()    asks for a network node the run did not write (see NetworkJob); does not cancel
//   show_nodes()      says which network nodes the UI shows, so that runs write those convs; does not cancel
//   WorkerEvent       what comes back (worker_events.hpp), drained by the UI once per frame
//   RenderRequest     a tensor + view options; the render thread turns it into RGBA buffers (latest wins),
//                     so changing the colour map or page never waits for a network run
//   post_task()       a file-writing task (export) on the render thread, so the UI never waits on the disk
//
// The engine thread owns both jobs and their Engines (playground: input -> Conv2D; network: ResNet50). The UI
// thread never touches them; it holds only the shared_ptr<const Tensor3> outputs they publish.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/feature_render.hpp"
#include "app/gui/network_job.hpp"
#include "app/gui/playground_job.hpp"
#include "app/gui/worker_events.hpp"
#include "core/engine/engine.hpp"

namespace convscope::gui {

enum class Job { none, playground, network };

struct JobRequest {
    std::string image_source;  // "sample:NAME" or a path
    PlaygroundParams playground;
    bool playground_valid = true;  // false: the UI found the parameters impossible; keep the last result
    std::optional<PlaygroundParams> pinned;  // the Compare window's setting A, computed after the playground
    NetworkParams network;
    bool network_valid = true;     // false: shapes do not infer; keep the last results
    Job priority = Job::playground;  // the visible panel's job runs first
    bool want_network = true;      // compute the network at all (after the first visit to its panel)
    bool operator==(const JobRequest& o) const;
    bool operator!=(const JobRequest& o) const { return !(*this == o); }
};

// Image sources name a file, or one of the bundled samples as "sample:NAME".
std::string sample_source(const std::string& sample);               // "sample:" + sample
std::optional<std::string> sample_name(const std::string& source);  // NAME of "sample:NAME"; nullopt for a path

class Worker {
public:
    Worker() = default;
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // threads: the engines' thread-pool size (0: every hardware thread).
    void start(std::string assets_dir, std::function<void()> wake_ui, int threads = 0);
    void stop();

    // Engine side: returns the id of the posted request.
    std::uint64_t post(const JobRequest& request);
    // The output of network node `node` of the newest request's graph, as a NetworkNode event as soon as it
    // is up to date (made on the engine thread if the run did not write it).
    void request_node(int node);
    // A copy of network node `node`'s layer with the weights the engine has now, as a NetworkLayer event (the
    // step-by-step view of a network Conv2D explains its outputs with them).
    void request_layer(int node);
    // The network nodes (of the newest request's graph) the UI shows now: the network job's next runs write the
    // Conv2D outputs among them instead of leaving them to be recomputed when asked for (Engine::set_shown()).
    void show_nodes(std::vector<int> nodes);
    // Everything that happened since the last call.
    std::vector<WorkerEvent> drain();
    bool busy() const;  // running, holding a request not yet started, or holding results not yet drained

    // Render side.
    void post_render(RenderRequest request);
    struct TaskResult {
        bool ok = true;
        std::string message;  // what was written, or why nothing was
        std::string from;     // which view posted it ("": the Export window; "cam": the class activation map)
    };
    void post_task(std::function<TaskResult()> task);
    std::optional<TaskResult> take_task_result();
    std::optional<RenderResult> take_render();
    bool render_busy() const;  // rendering, or a request or result waiting

private:
    void engine_loop();
    void render_loop();
    void update_image(const std::string& source, const JobContext& ctx);
    void emit(WorkerEvent event);
    std::vector<NodeRequest> take_node_requests();

    std::string assets_dir_;
    EngineOptions engine_options_;  // the same for both engines, with one shared pool made by start()
    std::function<void()> wake_ui_;
    std::thread engine_thread_, render_thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> cancel_{false};
    std::atomic<bool> busy_{false};

    // Engine thread only.
    PlaygroundJob playground_;
    PlaygroundJob pinned_{true};
    NetworkJob network_;
    InputImage image_;
    std::string image_source_;         // what `image_` was loaded from
    std::string failed_image_source_;  // the last source that failed, not retried until it changes

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<JobRequest> pending_;
    std::uint64_t pending_id_ = 0;
    std::uint64_t next_id_ = 1;
    std::vector<NodeRequest> node_requests_;
    std::vector<int> shown_nodes_;
    std::deque<WorkerEvent> events_;

    mutable std::mutex render_mutex_;
    std::condition_variable render_wake_;
    std::optional<RenderRequest> render_pending_;
    std::optional<RenderResult> render_done_;
    std::deque<std::function<TaskResult()>> tasks_;
    std::deque<TaskResult> task_results_;
    std::atomic<bool> render_busy_{false};
};

}  // namespace convscope::gui
