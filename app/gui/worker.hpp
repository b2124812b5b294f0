#pragma once
// The background side of the GUI: one engine thread and one render thread.
//
//   JobRequest        what the UI wants computed now: image, playground conv, network (options, edits,
//                     weights). The UI posts the whole request; the engine thread works towards the newest
//                     one and a newer request cancels the running run through the Engine's cancel flag.
//   WorkerEvent       what comes back (image loaded/failed, node outputs, progress, errors), drained by
//                     the UI once per frame through a small queue
//   RenderRequest     a tensor + view options; the render thread turns it into RGBA buffers (latest wins),
//                     so changing the colour map or page never waits for a network run
//
// The engine thread owns both Engines (playground: input -> Conv2D; network: ResNet50). The UI thread
// never touches them; it holds only the shared_ptr<const Tensor3> outputs they publish.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/classic_kernels.hpp"
#include "app/gui/feature_render.hpp"
#include "core/engine/engine.hpp"
#include "core/image/image.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/resnet50.hpp"

namespace convscope::gui {

struct PlaygroundParams {
    int input_height = 600;
    int input_width = 600;
    Conv2DConfig conv = [] {  // 16 filters of 3x3, 'same'; every other argument at Keras' default
        Conv2DConfig c;
        c.filters = 16;
        c.padding = Padding::same;
        return c;
    }();
    KernelSource kernel_source = KernelSource::glorot_uniform;  // Keras' default; classic filters are one click away
    std::uint64_t seed = 1;
    bool operator==(const PlaygroundParams& o) const;
    bool operator!=(const PlaygroundParams& o) const { return !(*this == o); }
};

struct NetworkParams {
    ResNet50Options options;                    // input size, last stage, top
    std::map<std::string, Conv2DConfig> edits;  // Conv2D node name -> edited arguments
    std::uint64_t seed = 1;
    std::string weights_path;                   // "" : seeded glorot_uniform
    bool operator==(const NetworkParams& o) const;
    bool operator!=(const NetworkParams& o) const { return !(*this == o); }
};

// True when the options differ only in the input size: the weights fit both, so the built network is kept
// and only its input layer is swapped.
bool only_input_size_differs(const ResNet50Options& a, const ResNet50Options& b);

enum class Job { none, playground, network };

struct JobRequest {
    std::string image_source;  // "sample:NAME" or a path
    PlaygroundParams playground;
    bool playground_valid = true;  // false: the UI found the parameters impossible; keep the last result
    NetworkParams network;
    bool network_valid = true;     // false: shapes do not infer; keep the last results
    Job priority = Job::playground;  // the visible panel's job runs first
    bool want_network = true;      // compute the network at all (after the first visit to its panel)
};

// Image sources name a file, or one of the bundled samples as "sample:NAME".
std::string sample_source(const std::string& sample);               // "sample:" + sample
std::optional<std::string> sample_name(const std::string& source);  // NAME of "sample:NAME"; nullopt for a path

struct Progress {
    std::string what;   // "ResNet50: res3b_branch2a", "playground Conv2D", "loading image"
    int done = 0;
    int total = 0;
    bool busy = false;
};

struct WorkerEvent {
    enum class Kind {
        image_loaded, image_failed, weights_loaded, weights_failed,
        playground_done, playground_failed,
        network_reset,      // a new network run starts; `nodes` lists the nodes that will recompute
        network_node,       // one node's output is complete
        network_done, network_failed,
        reinitialised,      // `nodes` are every layer whose weights an edit re-initialised (the whole set)
        progress, idle,
    };
    Kind kind = Kind::idle;
    std::uint64_t request = 0;          // the request id this answers
    std::string message;                // errors, weights report, image label
    std::string path;
    std::string label;                  // weights_loaded: the status line's text (the path; for tf.keras, a note)
    std::shared_ptr<const RgbImage> image;
    std::vector<std::uint8_t> rgba;     // image_loaded: a thumbnail (longest side <= 1024) as RGBA for GL
    int thumb_width = 0, thumb_height = 0;
    std::shared_ptr<const Tensor3> tensor;
    int node = -1;
    std::vector<int> nodes;
    double milliseconds = 0.0;
    Progress progress;
    // network_done: per node, the last run's time (0 where nothing ran) and what the run did with it.
    std::vector<double> node_milliseconds;
    std::vector<NodeOutcome> node_outcomes;  // core/engine's: computed, derived, cached, dropped
};

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
    // Everything that happened since the last call.
    std::vector<WorkerEvent> drain();
    bool busy() const;  // running, holding a request not yet started, or holding results not yet drained

    // Render side.
    void post_render(RenderRequest request);
    // A file-writing task (export) on the render thread, so the UI never waits on the disk.
    // The result is its message for the UI (what was written, or why nothing was).
    struct TaskResult {
        bool ok = true;
        std::string message;
    };
    void post_task(std::function<TaskResult()> task);
    std::optional<TaskResult> take_task_result();
    std::optional<RenderResult> take_render();
    bool render_busy() const;  // rendering, or a request or result waiting

private:
    void engine_loop();
    void render_loop();
    void emit(WorkerEvent event);

    std::string assets_dir_;
    EngineOptions engine_options_;  // the same for both engines; threads set by start()
    std::function<void()> wake_ui_;
    std::thread engine_thread_, render_thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> cancel_{false};
    std::atomic<bool> busy_{false};

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<JobRequest> pending_;
    std::uint64_t pending_id_ = 0;
    std::uint64_t next_id_ = 1;
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
