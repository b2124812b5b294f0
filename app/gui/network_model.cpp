#include "app/gui/network_model.hpp"

#include <algorithm>
#include <memory>

#include "app/gui/ui_rules.hpp"
#include "core/layers/input_layer.hpp"

namespace convscope::gui {

bool only_input_size_differs(const ResNet50Options& a, const ResNet50Options& b) {
    // Through ==, so that any other field, including one added later, counts as a change of structure.
    ResNet50Options resized = a;
    resized.height = b.height;
    resized.width = b.width;
    return a != b && resized == b;
}

NetworkModel::Change NetworkModel::change(const ResNet50Options& want) const {
    if (!built_) return Change::rebuild;
    if (want == options_) return Change::none;
    return only_input_size_differs(want, options_) ? Change::input_size : Change::rebuild;
}

Graph NetworkModel::build(const ResNet50Options& options, const ConvEdits& edits) {
    Graph g = build_resnet50(options);
    // A node seen for the first time still has its seed configuration: that is when it is remembered.
    for (int i = 0; i < g.size(); ++i)
        if (auto* c = dynamic_cast<Conv2D*>(g.node(i).layer.get())) originals_.try_emplace(g.node(i).name, c->config());
    for (const ConvEdit& e : edits_to_apply(g, edits))
        static_cast<Conv2D*>(g.node(e.node).layer.get())->set_config(e.config);
    options_ = options;
    built_ = true;
    return g;
}

void NetworkModel::resize_input(Graph& graph, const ResNet50Options& options) {
    graph.node(0).layer = std::make_unique<InputLayer>(Shape::image(options.height, options.width, 3));
    options_ = options;
}

std::vector<ConvEdit> NetworkModel::edits_to_apply(const Graph& graph, const ConvEdits& edits) const {
    std::vector<ConvEdit> out;
    for (int i = 0; i < graph.size(); ++i) {
        const auto* conv = dynamic_cast<const Conv2D*>(graph.node(i).layer.get());
        if (!conv) continue;
        const std::string& name = graph.node(i).name;
        auto edit = edits.find(name);
        auto seed = originals_.find(name);
        if (edit == edits.end() && seed == originals_.end()) continue;
        const Conv2DConfig& want = edit != edits.end() ? edit->second : seed->second;
        if (conv->config() != want) out.push_back({i, want});
    }
    return out;
}

std::optional<Conv2DConfig> NetworkModel::original(const std::string& name) const {
    auto it = originals_.find(name);
    if (it == originals_.end()) return std::nullopt;
    return it->second;
}

std::vector<int> step_neighbours(const Graph& g, int node) {
    std::vector<int> around;
    auto add = [&](int n) {
        if (n >= 0 && n < g.size() && n != node && std::find(around.begin(), around.end(), n) == around.end())
            around.push_back(n);
    };
    add(node + 1);
    add(node - 1);
    add(block_stop(g, node, +1));  // where Down / Up go
    add(block_stop(g, node, -1));
    return around;
}


}  // namespace convscope::gui
