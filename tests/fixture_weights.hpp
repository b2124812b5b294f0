#pragma once
// Deterministic "formula" weights for the ResNet50 end-to-end fixtures, so no weights file is committed.
// tests/fixtures/make_fixtures.py implements the same formula in numpy; both must stay identical.
//
// For weight number `widx` of a layer (Keras order: kernel 0, bias 1; gamma 0, beta 1, moving_mean 2,
// moving_variance 3) and element `i` (flat, row-major index in the Keras layout):
//
//   h = splitmix64(fnv1a64(layer_name) ^ (widx << 56) ^ i)      uint64, wrapping
//   u = (h >> 40) / 2^24                                        in [0, 1), exact in float32
//   Conv2D / Dense kernel   (2u - 1) * glorot_limit   (limit = sqrt(6 / (fan_in + fan_out)),
//                           Conv2D fan_in = kh*kw*in, fan_out = kh*kw*out; Dense fan_in = in, fan_out = out)
//   bias                    0.1 * (2u - 1)
//   BN gamma 0.5 + u, beta 0.2 * (2u - 1), moving_mean 0.2 * (2u - 1), moving_variance 0.5 + u
//
// Each value is computed in double and rounded once to float, as numpy does with astype(float32).
//
//   formula_uniform(name, widx, i)     u
//   fill_formula_weights(layer, name)  one layer (Conv2D, Dense, BatchNormalization; others have none)
//   fill_formula_weights(graph)        every node, by node name

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/layers/layer.hpp"
#include "core/model/graph.hpp"

namespace convscope_test {

inline std::uint64_t fnv1a64(const std::string& text) {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (unsigned char byte : text) {
        h ^= byte;
        h *= 0x100000001B3ull;
    }
    return h;
}

inline std::uint64_t splitmix64(std::uint64_t x) {
    std::uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline double formula_uniform(const std::string& layer_name, std::uint64_t widx, std::uint64_t element) {
    const std::uint64_t h = splitmix64(fnv1a64(layer_name) ^ (widx << 56) ^ element);
    return double(h >> 40) / double(1u << 24);
}

inline void fill_formula_weights(convscope::Layer& layer, const std::string& name) {
    auto& weights = layer.mutable_weights();
    for (std::size_t widx = 0; widx < weights.size(); ++widx) {
        convscope::Weight& w = weights[widx];
        const auto& shape = w.values.shape();
        double limit = 0.0;
        if (w.name == "kernel") {
            double fan_in = 0, fan_out = 0;
            if (shape.size() == 4) {  // (kh, kw, in, out)
                const double receptive = double(shape[0]) * double(shape[1]);
                fan_in = receptive * double(shape[2]);
                fan_out = receptive * double(shape[3]);
            } else if (shape.size() == 2) {  // (in, out)
                fan_in = double(shape[0]);
                fan_out = double(shape[1]);
            } else {
                throw std::logic_error(name + "/kernel: expected rank 2 or 4");
            }
            limit = std::sqrt(6.0 / (fan_in + fan_out));
        }
        float* v = w.values.data();
        for (std::size_t i = 0; i < w.values.size(); ++i) {
            const double u = formula_uniform(name, widx, i);
            double value;
            if (w.name == "kernel") value = (2.0 * u - 1.0) * limit;
            else if (w.name == "bias") value = 0.1 * (2.0 * u - 1.0);
            else if (w.name == "gamma" || w.name == "moving_variance") value = 0.5 + u;
            else if (w.name == "beta" || w.name == "moving_mean") value = 0.2 * (2.0 * u - 1.0);
            else throw std::logic_error(name + "/" + w.name + ": no formula for this weight");
            v[i] = float(value);
        }
    }
}

inline void fill_formula_weights(convscope::Graph& graph) {
    for (int i = 0; i < graph.size(); ++i) fill_formula_weights(*graph.node(i).layer, graph.node(i).name);
}

}  // namespace convscope_test
