#include "core/weights/restore_weights.hpp"

namespace convscope {

static std::vector<std::vector<std::size_t>> shapes_of(const Layer& layer) {
    std::vector<std::vector<std::size_t>> s;
    for (const Weight& w : layer.weights()) s.emplace_back(w.values.shape().begin(), w.values.shape().end());
    return s;
}

WeightShapes weight_shapes(const Graph& graph) {
    WeightShapes all;
    all.reserve(std::size_t(graph.size()));
    for (int i = 0; i < graph.size(); ++i) all.push_back(shapes_of(*graph.node(i).layer));
    return all;
}

std::vector<int> resized_nodes(const Graph& graph, const WeightShapes& reference) {
    std::vector<int> out;
    for (int i = 0; i < graph.size(); ++i) {
        const auto now = shapes_of(*graph.node(i).layer);
        if (now.empty()) continue;
        if (std::size_t(i) >= reference.size() || now != reference[std::size_t(i)]) out.push_back(i);
    }
    return out;
}

std::vector<int> copy_matching_weights(Graph& to, const Graph& from, const std::vector<int>* nodes) {
    std::vector<int> all;
    if (!nodes) {
        for (int i = 0; i < to.size(); ++i) all.push_back(i);
        nodes = &all;
    }
    std::vector<int> copied;
    for (int i : *nodes) {
        Layer& layer = *to.node(i).layer;
        if (layer.weights().empty()) continue;
        const int j = from.find(to.node(i).name);
        if (j < 0) continue;
        const Layer& source = *from.node(j).layer;
        if (shapes_of(layer) != shapes_of(source)) continue;
        std::vector<Weight>& to_weights = layer.mutable_weights();  // marks the layer changed
        for (std::size_t k = 0; k < to_weights.size(); ++k) to_weights[k].values = source.weights()[k].values;
        copied.push_back(i);
    }
    return copied;
}

}  // namespace convscope
