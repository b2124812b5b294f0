#pragma once
// What the worker reports back to the UI: one struct per kind of event, in one std::variant. The UI
// drains them once per frame (Worker::drain()) and std::visit()s each; `request` says which posted request
// the event answers (node events of a request older than the UI's graph belong to another structure).

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "app/gui/cam_view.hpp"
#include "core/engine/engine.hpp"
#include "core/image/image.hpp"
#include "core/tensor.hpp"

namespace convscope::gui {

struct Progress {
    std::string what;  // "ResNet50: res3b_branch2a", "playground Conv2D", "loading image"
    int done = 0;
    int total = 0;
    bool busy = false;
};

namespace event {

struct ImageLoaded {
    std::string source;                  // what the request named ("sample:NAME" or a path)
    std::shared_ptr<const RgbImage> image;
    std::vector<std::uint8_t> rgba;      // a thumbnail (longest side <= 1024) as RGBA for GL
    int thumb_width = 0, thumb_height = 0;
};
struct ImageFailed { std::string source, message; };
// report: what matched, what was skipped; label: the status line's text (the path; for tf.keras, a note)
struct WeightsLoaded { std::string path, report, label; };
struct WeightsFailed { std::string path, message; };
struct PlaygroundDone {
    std::shared_ptr<const Tensor3> output;  // (H, W, filters)
    double milliseconds = 0.0;
    // What the step-by-step view takes apart: the layer's input (the preprocessed image) and a copy of the
    // Conv2D with the weights that made `output`.
    std::shared_ptr<const Tensor3> input;
    std::shared_ptr<const Layer> layer;
    bool pinned = false;  // the Compare window's pinned setting A, not the playground's own
};
struct PlaygroundFailed {
    std::string message;
    bool pinned = false;
};
struct NetworkReset { std::vector<int> nodes; };     // these nodes recompute: their outputs are stale
struct Reinitialised { std::vector<int> nodes; };    // every node whose weights edits re-initialised (the whole set)
// One node is up to date. `output` is what the run stored; nullptr for a node the fused path did not
// write (a BatchNormalization or Add folded into its neighbour, a conv not shown): Worker::request_node() makes it.
struct NetworkNode {
    int node = -1;
    std::shared_ptr<const Tensor3> output;
};
// A copy of a node's layer with the weights the engine has (Worker::request_layer()).
struct NetworkLayer {
    int node = -1;
    std::shared_ptr<const Layer> layer;
};
struct NetworkDone {
    double run_milliseconds = 0.0;    // the engine's run alone (what `convscope-cli bench` times)
    double prepare_milliseconds = 0.0;  // Engine::prepare() just before it (kernels packed, memory touched)
    double total_milliseconds = 0.0;  // with building, weights and preprocessing
    int computed = 0;                 // nodes executed
    // Per node: this run's time (0 where nothing ran) and what the run did with it (the cost table).
    std::vector<double> node_milliseconds;
    std::vector<NodeOutcome> node_outcomes;  // computed, derived, cached, dropped
    // With the classifier top: fc1000's weights as this run used them (the class activation map's w[k, c]).
    // Shared, not copied per run: a new object only when the weights changed.
    std::shared_ptr<const ClassifierWeights> classifier;
};
struct NetworkFailed { std::string message; };
struct Idle {};  // nothing left to do for this request

}  // namespace event

using WorkerEventData = std::variant<event::ImageLoaded, event::ImageFailed, event::WeightsLoaded, event::WeightsFailed,
                                     event::PlaygroundDone, event::PlaygroundFailed, event::NetworkReset,
                                     event::Reinitialised, event::NetworkNode, event::NetworkLayer, event::NetworkDone,
                                     event::NetworkFailed, Progress, event::Idle>;

struct WorkerEvent {
    std::uint64_t request = 0;  // the request id this answers
    WorkerEventData data;
    // Whether the UI is woken for it at once. Node outputs streamed during a run are not: the UI looks for them
    // every 0.1 s while a job runs. Waking it for each of a run's ~170 nodes took a core from the engine every
    // few milliseconds (the run measured ~15% slower than bench's); Progress never wakes it.
    bool wake = true;
};

}  // namespace convscope::gui
