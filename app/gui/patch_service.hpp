#pragma once
// "What a channel responds to" for the GUI: the image patches that excite one channel of one node most, over
// a folder of images (the bundled samples by default), found on a thread of its own so the network panel's
// engine and the UI never wait for it.
//
//   PatchRequest     the node (by name), channel, how many patches, the images' folder, and the network to
//                    run: the network panel's options, seed and weights file (without its in-place edits)
//   PatchSnapshot    what the UI draws: the request being answered, progress, the last complete answer (or
//                    its error), how many network runs the cache saved
//   PatchService     request() posts the newest request (an older one still running is cancelled; the same
//                    request again is a no-op); cancel() stops it, restart() asks it again; snapshot() copies
//                    the state. The engine and its ChannelPatchFinder are kept while the
//                    network (options, seed, weights) stays the same, so a second look at a channel, or another
//                    channel of a node already seen, needs no network run.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/analysis/channel_patches.hpp"
#include "core/engine/engine.hpp"
#include "core/model/resnet50.hpp"

namespace convscope::gui {

struct PatchRequest {
    ResNet50Options options;
    std::uint64_t seed = 1;
    std::string weights_path;  // "": seeded glorot_uniform
    std::string node;          // a node name of the network built with `options`
    int channel = 0;
    int count = 9;             // patches wanted (one per image, the images' strongest activations)
    std::string folder;        // "": the bundled samples
    bool operator==(const PatchRequest& o) const;
    bool operator!=(const PatchRequest& o) const { return !(*this == o); }
};

struct PatchSnapshot {
    bool running = false;
    bool cancelled = false;                  // the newest request was cancelled before its answer
    std::optional<PatchRequest> working_on;  // the request being answered
    int done = 0, total = 0;                 // images of that request
    std::optional<PatchRequest> answered;    // the request `patches` / `error` answer
    std::vector<ChannelPatch> patches;       // best first
    std::vector<std::string> skipped;        // unreadable images ("path: reason")
    std::string error;                       // why the request could not be answered ("" : it was)
    std::string receptive_field;             // "receptive field 99 x 99 input pixels, 8 between positions"
    int network_runs = 0;                    // over the service's life for this network: the cache's effect
    int images = 0;                          // images looked at for the answer
    double milliseconds = 0.0;               // the answer's time (near 0 when cached)
    std::uint64_t version = 0;               // increases with every new answer
};

class PatchService {
public:
    // assets_dir: where the bundled samples are. engine_options: the engine's threads (its own pool). wake: called
    // (on the service's thread) when progress or an answer is there to be drawn.
    PatchService(std::string assets_dir, EngineOptions engine_options, std::function<void()> wake = {});
    ~PatchService();
    PatchService(const PatchService&) = delete;
    PatchService& operator=(const PatchService&) = delete;

    void request(const PatchRequest& r);  // no-op when it equals the newest request
    void cancel();                        // the running request stops; the last answer stays
    void restart();                       // asks the newest request again (after a cancel)
    PatchSnapshot snapshot() const;

private:
    void loop();
    void answer(const PatchRequest& r);
    void prepare_network(const PatchRequest& r);

    std::string assets_dir_;
    EngineOptions engine_options_;
    std::function<void()> wake_ui_;

    // Worker thread only.
    std::unique_ptr<Engine> engine_;
    std::unique_ptr<ChannelPatchFinder> finder_;
    std::optional<PatchRequest> network_of_;  // options, seed, weights the engine was built with

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<PatchRequest> pending_;
    std::optional<PatchRequest> newest_;
    PatchSnapshot state_;
    std::atomic<bool> cancel_{false};
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace convscope::gui
