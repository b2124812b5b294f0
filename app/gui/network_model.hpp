#pragma once
// The ResNet50 the user is editing, as a structure: the seed's Conv2D configurations and the user's edits
// on top. The UI keeps one over its shape-inference graph, the worker one over the engine's graph, so both
// answer "what changed" the same way.
//
//   NetworkModel::change()       what a new set of options needs: nothing, an input-layer swap, a rebuild
//   NetworkModel::build()        a fresh graph for the options, with the edits applied (before weights exist)
//   NetworkModel::resize_input() swaps the input layer only: weights do not depend on the input size
//   NetworkModel::edits_to_apply() the Conv2D nodes whose configuration differs from what the edits ask for
//   NetworkModel::original()     a Conv2D's seed configuration (what "revert" goes back to)
//   step_neighbours()            the nodes the arrow keys step to from a node (shown next, so made ahead)

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/layers/conv2d.hpp"
#include "core/model/graph.hpp"
#include "core/model/resnet50.hpp"

namespace convscope::gui {

using ConvEdits = std::map<std::string, Conv2DConfig>;  // Conv2D node name -> edited arguments

// True when the options differ only in the input size: the weights fit both, so the built network is kept
// and only its input layer is swapped.
bool only_input_size_differs(const ResNet50Options& a, const ResNet50Options& b);

struct ConvEdit {
    int node = -1;
    Conv2DConfig config;  // what the node must be set to
};

class NetworkModel {
public:
    enum class Change { none, input_size, rebuild };

    bool built() const { return built_; }
    const ResNet50Options& options() const { return options_; }
    Change change(const ResNet50Options& want) const;

    // Builds the graph for `options` and applies `edits` (names the graph lacks are ignored: an edit of a
    // stage-5 conv waits while stage 5 is off). Weights are sized by the caller (build_weights()).
    Graph build(const ResNet50Options& options, const ConvEdits& edits);
    void resize_input(Graph& graph, const ResNet50Options& options);

    // For every Conv2D of `graph`: the configuration `edits` asks for (its seed configuration when not
    // edited), listed only where the node has another one now.
    std::vector<ConvEdit> edits_to_apply(const Graph& graph, const ConvEdits& edits) const;
    std::optional<Conv2DConfig> original(const std::string& name) const;

private:
    bool built_ = false;
    ResNet50Options options_;
    std::map<std::string, Conv2DConfig> originals_;  // each Conv2D's seed configuration, by name
};

// Previous and next node, and where the previous / next block keys go (block_stop), without duplicates.
std::vector<int> step_neighbours(const Graph& graph, int node);

}  // namespace convscope::gui
