#pragma once
// Edits and their undo, seen from the weights: which layers hold re-initialised values, and giving every
// other layer back the values it had before (a loaded Keras file's, or the seed's).
//
//   WeightShapes            every node's weight shapes, Keras order: what an edit can change
//   weight_shapes()         of a built graph (Graph::build_weights)
//   resized_nodes()         nodes whose weight shapes differ from a reference: their values were re-initialised
//   copy_matching_weights() copies a reference graph's values into nodes (matched by name) whose weight
//                           shapes are the reference's; returns the nodes it copied
//
// A Conv2D edit that changes filters or kernel_size re-sizes that kernel and the next layers' weights, and
// Keras re-initialises re-sized layers. Undoing the edit makes the shapes fit the original values again:
// those come back instead of fresh random ones, so a reset really resets and a loaded file stays loaded.

#include <cstddef>
#include <vector>

#include "core/model/graph.hpp"

namespace convscope {

using WeightShapes = std::vector<std::vector<std::vector<std::size_t>>>;  // per node, per weight: its shape

WeightShapes weight_shapes(const Graph& graph);
std::vector<int> resized_nodes(const Graph& graph, const WeightShapes& reference);
// Every node of `to` (or only `nodes`, when given) that has weights of the same shapes as the node of that
// name in `from` gets `from`'s values.
std::vector<int> copy_matching_weights(Graph& to, const Graph& from, const std::vector<int>* nodes = nullptr);

}  // namespace convscope
