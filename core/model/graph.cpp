#include "core/model/graph.hpp"

#include <numeric>

#include "core/errors.hpp"
#include "core/limits.hpp"

namespace convscope {

const char* to_string(BlockKind k) { return k == BlockKind::conv_block ? "conv_block" : "identity_block"; }

Graph Graph::clone() const {
    Graph g;
    g.nodes_.reserve(nodes_.size());
    for (const Node& n : nodes_) g.nodes_.push_back(Node{n.name, n.layer->clone(), n.inputs});
    g.readers_ = readers_;
    g.blocks = blocks;
    return g;
}

int Graph::add(std::string name, std::unique_ptr<Layer> layer, const std::vector<std::string>& inputs) {
    if (find(name) >= 0) throw ConfigError("a node named \"" + name + "\" already exists");
    Node n{std::move(name), std::move(layer), {}};
    for (const std::string& in : inputs) {
        const int i = find(in);
        if (i < 0) throw ConfigError("node \"" + n.name + "\" reads \"" + in + "\", which does not exist (yet)");
        n.inputs.push_back(i);
    }
    const int index = int(nodes_.size());
    for (int i : n.inputs) readers_[std::size_t(i)].push_back(index);
    nodes_.push_back(std::move(n));
    readers_.emplace_back();
    return index;
}

int Graph::find(const std::string& name) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (nodes_[i].name == name) return int(i);
    return -1;
}

std::vector<int> Graph::downstream(int i) const {
    // Nodes are in topological order, so one forward sweep marks everything reachable from i.
    std::vector<char> reached(nodes_.size(), 0);
    std::vector<int> out;
    reached.at(std::size_t(i)) = 1;
    for (std::size_t j = std::size_t(i); j < nodes_.size(); ++j) {
        for (int in : nodes_[j].inputs)
            if (reached[std::size_t(in)]) reached[j] = 1;
        if (reached[j]) out.push_back(int(j));
    }
    return out;
}

std::vector<int> Graph::dead_nodes() const {
    // One backward sweep from the output: a node is live when a live node reads it.
    std::vector<char> live(nodes_.size(), 0);
    std::vector<int> dead;
    if (nodes_.empty()) return dead;
    live.back() = 1;
    for (std::size_t j = nodes_.size(); j-- > 0;)
        if (live[j])
            for (int in : nodes_[j].inputs) live[std::size_t(in)] = 1;
    for (std::size_t j = 0; j < nodes_.size(); ++j)
        if (!live[j]) dead.push_back(int(j));
    return dead;
}

std::vector<NodeShape> Graph::infer_shapes() const {
    std::vector<NodeShape> result(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        std::vector<Shape> in;
        bool inputs_ok = true;
        for (int j : nodes_[i].inputs) {
            if (!result[std::size_t(j)].ok()) inputs_ok = false;
            else in.push_back(*result[std::size_t(j)].shape);
        }
        if (!inputs_ok) {
            result[i].upstream_error = true;
            continue;
        }
        try {
            result[i].shape = nodes_[i].layer->output_shape(in);
        } catch (const std::exception& e) {  // ConfigError or ShapeError: both are this node's problem
            result[i].error = e.what();
        }
    }
    return result;
}

std::vector<Shape> Graph::shapes_or_throw() const {
    std::vector<NodeShape> inferred = infer_shapes();
    std::vector<Shape> out;
    for (std::size_t i = 0; i < inferred.size(); ++i) {
        if (!inferred[i].ok() && !inferred[i].upstream_error)
            throw ShapeError("node \"" + nodes_[i].name + "\": " + inferred[i].error);
        if (inferred[i].ok()) out.push_back(*inferred[i].shape);
    }
    return out;
}

Graph::MemoryNeeds Graph::memory_needs() const {
    const std::vector<NodeShape> shapes = infer_shapes();
    MemoryNeeds needs{0, 0, {}};
    std::int64_t largest = -1;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (!shapes[i].ok()) continue;
        std::vector<Shape> in;
        for (int j : nodes_[i].inputs) in.push_back(*shapes[std::size_t(j)].shape);
        const auto w = weight_bytes(nodes_[i].layer->weight_shapes(in));
        if (w && *w > largest) {
            largest = *w;
            needs.largest_weights = nodes_[i].name + " (" + byte_size_text(*w) + ")";
        }
        needs.weight_bytes = w && needs.weight_bytes ? checked_add(*needs.weight_bytes, *w) : std::nullopt;
        const Shape& s = *shapes[i].shape;
        const auto a = checked_product({s.h, s.w, s.c, std::int64_t(sizeof(float))});
        needs.activation_bytes = a && needs.activation_bytes ? checked_add(*needs.activation_bytes, *a) : std::nullopt;
    }
    return needs;
}

void Graph::check_memory_budget() const {
    const MemoryNeeds needs = memory_needs();
    const bool weights_ok = needs.weight_bytes && *needs.weight_bytes <= kWeightsBudgetBytes;
    const bool activations_ok = needs.activation_bytes && *needs.activation_bytes <= kActivationsBudgetBytes;
    if (weights_ok && activations_ok) return;
    const std::string sizes = "weights " + byte_size_text(needs.weight_bytes) + " (budget " +
                              byte_size_text(kWeightsBudgetBytes) + "), node outputs " +
                              byte_size_text(needs.activation_bytes) + " (budget " +
                              byte_size_text(kActivationsBudgetBytes) + ")";
    if (!weights_ok)
        throw BudgetError("the network's weights are over convscope's memory budget: " + sizes + "; the largest are " +
                          needs.largest_weights);
    throw BudgetError("the network's node outputs are over convscope's memory budget: " + sizes +
                      "; use a smaller input size");
}

std::vector<int> Graph::build_weights() {
    check_memory_budget();
    std::vector<NodeShape> shapes = infer_shapes();
    std::vector<int> changed;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (!shapes[i].ok()) continue;  // reported by infer_shapes(); its weights wait for a valid shape
        std::vector<Shape> in;
        for (int j : nodes_[i].inputs) in.push_back(*shapes[std::size_t(j)].shape);
        if (nodes_[i].layer->build(in)) changed.push_back(int(i));
    }
    return changed;
}

std::int64_t Graph::param_count() const {
    std::int64_t n = 0;
    for (const Node& node : nodes_) n += node.layer->param_count();
    return n;
}

std::int64_t Graph::trainable_param_count() const {
    std::int64_t n = 0;
    for (const Node& node : nodes_) n += node.layer->trainable_param_count();
    return n;
}

std::vector<std::int64_t> Graph::node_macs() const {
    std::vector<NodeShape> inferred = infer_shapes();
    std::vector<std::int64_t> macs(nodes_.size(), 0);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        std::vector<Shape> in;
        for (int j : nodes_[i].inputs) {
            if (!inferred[std::size_t(j)].ok()) return {};
            in.push_back(*inferred[std::size_t(j)].shape);
        }
        if (!inferred[i].ok()) return {};
        macs[i] = nodes_[i].layer->macs(in);
    }
    return macs;
}

std::int64_t Graph::macs() const {
    const std::vector<std::int64_t> per_node = node_macs();
    return std::accumulate(per_node.begin(), per_node.end(), std::int64_t(0));
}

void BlockList::push_back(Block b) {
    const int index = int(blocks_.size());
    auto note = [&](int node) {
        if (node < 0) return;
        if (std::size_t(node) >= block_of_.size()) block_of_.resize(std::size_t(node) + 1, -1);
        if (block_of_[std::size_t(node)] < 0) block_of_[std::size_t(node)] = index;  // an earlier block keeps it
    };
    for (int n : b.main_path) note(n);
    for (int n : b.shortcut) note(n);
    note(b.add);
    note(b.output);
    blocks_.push_back(std::move(b));
}

}  // namespace convscope
