#pragma once
// A network as a list of named nodes in topological order, with ResNet blocks as first-class groups.
//
//   Graph::add()             appends a node (its inputs must already exist); returns its index
//   Graph::find()            index of a node by name, or -1
//   Graph::consumers()       nodes that read a node's output (kept up to date by add())
//   Graph::dead_nodes()      nodes from which no path leads to the output (e.g. the seed's identity_block typo)
//   Graph::infer_shapes()    a shape or an error for every node, without data (microseconds)
//   Graph::build_weights()   sizes every layer's weights for the current shapes; reports re-sized nodes
//   Graph::memory_needs()    bytes of all weights and of all node outputs, computed without allocating
//   Graph::check_memory_budget()  throws ConfigError naming both sizes when either exceeds its budget
//   Graph::clone()           a deep copy (layers and weights), for handing a snapshot to another thread
//   Block                    a ResNet conv_block / identity_block: main path, shortcut, Add, output
//   Graph::blocks            the blocks, read like a vector; push_back() also indexes which block each node is in

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/layers/layer.hpp"

namespace convscope {

struct Node {
    std::string name;              // Keras layer name, e.g. "res3a_branch2a"
    std::unique_ptr<Layer> layer;  // InputLayer for the graph input
    std::vector<int> inputs;       // indices of earlier nodes, in argument order
};

enum class BlockKind { conv_block, identity_block };
const char* to_string(BlockKind k);  // "conv_block" / "identity_block"

struct Block {
    std::string name;            // "res3a"
    BlockKind kind = BlockKind::identity_block;
    int stage = 2;               // 2..5
    int input = -1;              // the node feeding the block (previous block's output, or pool1)
    std::vector<int> main_path;  // branch2a, bn, relu, branch2b, bn, relu, branch2c, bn
    std::vector<int> shortcut;   // conv_block: branch1, bn; identity_block: empty (the input itself)
    int add = -1;                // "<block>_add"
    int output = -1;             // "<block>_relu"
};

// The blocks of a graph in network order, with the index behind Graph::block_of() (the GUI asks it for every
// node every frame). Read like a std::vector; blocks are added with push_back() and not changed afterwards,
// which keeps the index right.
class BlockList {
public:
    using const_iterator = std::vector<Block>::const_iterator;

    void push_back(Block b);
    std::size_t size() const { return blocks_.size(); }
    bool empty() const { return blocks_.empty(); }
    const Block& operator[](std::size_t i) const { return blocks_[i]; }
    const Block& front() const { return blocks_.front(); }
    const Block& back() const { return blocks_.back(); }
    const_iterator begin() const { return blocks_.begin(); }
    const_iterator end() const { return blocks_.end(); }
    // The first block that contains node i (main path, shortcut, add or output), or -1.
    int block_of(int i) const {
        return i >= 0 && std::size_t(i) < block_of_.size() ? block_of_[std::size_t(i)] : -1;
    }

private:
    std::vector<Block> blocks_;
    std::vector<int> block_of_;  // per node up to the highest one in a block; -1 outside blocks
};

struct NodeShape {
    std::optional<Shape> shape;  // set when this node's shape could be inferred
    std::string error;           // why not, when the problem arises at this node
    bool upstream_error = false; // true when an input has no shape (the error is reported there)
    bool ok() const { return shape.has_value(); }
};

class Graph {
public:
    Graph() = default;
    Graph(Graph&&) = default;
    Graph& operator=(Graph&&) = default;
    Graph clone() const;

    int add(std::string name, std::unique_ptr<Layer> layer, const std::vector<std::string>& inputs);
    int find(const std::string& name) const;
    int size() const { return int(nodes_.size()); }
    const Node& node(int i) const { return nodes_.at(std::size_t(i)); }
    Node& node(int i) { return nodes_.at(std::size_t(i)); }
    const std::vector<Node>& nodes() const { return nodes_; }
    const std::vector<int>& consumers(int i) const { return readers_.at(std::size_t(i)); }
    // Every node that depends on node i (directly or not), i itself included, in topological order.
    std::vector<int> downstream(int i) const;
    // Nodes with no path to the output: computed, but nothing the network returns depends on them.
    std::vector<int> dead_nodes() const;
    int output() const { return nodes_.empty() ? -1 : int(nodes_.size()) - 1; }

    std::vector<NodeShape> infer_shapes() const;
    // Throws ShapeError naming the first node whose shape fails.
    std::vector<Shape> shapes_or_throw() const;
    // Re-sizes weights for the current shapes of every node whose shape is valid; returns the nodes
    // whose weights changed shape (their values are reset and must be initialised again).
    // Checks the memory budget first (check_memory_budget), so nothing is allocated for a graph over it.
    std::vector<int> build_weights();

    struct MemoryNeeds {
        std::optional<std::int64_t> weight_bytes;      // nullopt: more than 64 bits can count
        std::optional<std::int64_t> activation_bytes;  // every node output at once (the engine's worst case)
        std::string largest_weights;                   // the node whose weights take the most, for messages
    };
    MemoryNeeds memory_needs() const;  // nodes whose shapes fail count for nothing
    void check_memory_budget() const;

    std::int64_t param_count() const;
    std::int64_t trainable_param_count() const;
    std::int64_t macs() const;  // whole-graph multiply-accumulates, or 0 if shapes fail
    std::vector<std::int64_t> node_macs() const;  // per node, in node order; empty if shapes fail

    BlockList blocks;  // in network order
    // The block that contains node i (main path, shortcut, add or output), or -1.
    int block_of(int i) const { return blocks.block_of(i); }

private:
    std::vector<Node> nodes_;
    std::vector<std::vector<int>> readers_;  // per node: the nodes that read it, in order
};

}  // namespace convscope
