#pragma once
// The network's job: ResNet50 on the current image, kept incremental. A new input size swaps the input
// layer, other option changes rebuild, a weights file is loaded in place, a Conv2D edit recomputes that
// node and what follows. Runs the engine's fused path: each finished node is reported with what the run
// stored, and a node the run did not write (a folded BatchNormalization or Add, or a conv the UI does not
// show: Worker::show_nodes()) is made only when the UI asks for it (Worker::request_node()).

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/gui/job_context.hpp"
#include "app/gui/network_model.hpp"
#include "core/engine/engine.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/restore_weights.hpp"

namespace convscope::gui {

struct NetworkParams {
    ResNet50Options options;  // input size, last stage, top
    ConvEdits edits;          // Conv2D node name -> edited arguments
    std::uint64_t seed = 1;
    std::string weights_path;  // "" : seeded glorot_uniform
    bool operator==(const NetworkParams& o) const;
    bool operator!=(const NetworkParams& o) const { return !(*this == o); }
};

class NetworkJob {
public:
    // Brings the engine to `params` and runs what is out of date. Emits weights, reset, node, done and
    // failure events; throws Cancelled (the engine keeps every complete output for the next request).
    void run(const NetworkParams& params, const InputImage& image, const JobContext& ctx);
    // Makes the outputs the UI asked for that are up to date now (between_runs: all of them, recomputing
    // what the engine did not keep); during a run the others wait for the run to reach them.
    void serve_node_requests(const JobContext& ctx, bool between_runs);

private:
    void build(const NetworkParams& p, const JobContext& ctx);
    void load_weights(const NetworkParams& p, const JobContext& ctx);
    void apply_edits(const NetworkParams& p, const JobContext& ctx);
    void report_all_reset(const JobContext& ctx) const;
    std::shared_ptr<const ClassifierWeights> classifier();  // null without the classifier top

    NetworkModel model_;
    std::unique_ptr<Engine> engine_;
    NetworkParams built_;             // options, seed and weights the engine has now
    int image_version_ = -1;          // of the image the engine's input was made from
    std::string failed_weights_path_; // not retried while the request still names it
    std::set<int> wanted_;            // nodes the UI asked for that are not made yet
    WeightShapes seed_shapes_;        // every layer's weight shapes without edits: what edits re-size
    std::optional<Graph> file_weights_;  // the loaded file in the unedited network, so undoing an edit restores it
    std::vector<int> reported_reinit_;   // the re-initialised layers the UI was last told about
    // fc1000's weights as last sent, and the layer version they were copied at.
    std::shared_ptr<const ClassifierWeights> classifier_;
    std::uint64_t classifier_version_ = 0;
};

}  // namespace convscope::gui
