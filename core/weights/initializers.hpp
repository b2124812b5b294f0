#pragma once
// Keras' default initialisers, reproducible from a seed. A Conv2D's own kernel_initializer and bias_initializer
// (initializer_spec.hpp) decide its weights; the defaults are these.
//
//   glorot_uniform(kernel)        U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out));
//                                 Conv2D (kh, kw, in, out): fan_in = kh*kw*in, fan_out = kh*kw*out
//                                 Dense (in, out): fan_in = in, fan_out = out
//   biases 0; BatchNormalization gamma 1, beta 0, moving_mean 0, moving_variance 1
//
//   initialize_layer(layer, seed, name)   one layer; the stream depends on (seed, name) only, so
//                                         re-initialising one edited node leaves the others unchanged
//   initialize_graph(graph, seed)         every node

#include <cstdint>
#include <string>

#include "core/model/graph.hpp"

namespace convscope {

// The Glorot limit for a kernel of this Keras shape (rank 2 or 4).
double glorot_limit(const std::vector<std::size_t>& kernel_shape);

void initialize_layer(Layer& layer, std::uint64_t seed, const std::string& name);
void initialize_graph(Graph& graph, std::uint64_t seed);

}  // namespace convscope
