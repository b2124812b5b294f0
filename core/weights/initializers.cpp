#include "core/weights/initializers.hpp"

#include <cmath>
#include <random>

#include "core/layers/conv2d.hpp"
#include "core/weights/initializer_spec.hpp"

namespace convscope {

double glorot_limit(const std::vector<std::size_t>& s) {
    double receptive = 1.0;  // kh * kw for a conv kernel, 1 for Dense
    for (std::size_t i = 0; i + 2 < s.size(); ++i) receptive *= double(s[i]);
    const double fan_in = receptive * double(s[s.size() - 2]);
    const double fan_out = receptive * double(s[s.size() - 1]);
    return std::sqrt(6.0 / (fan_in + fan_out));
}

// FNV-1a: a stable hash of the node name (std::hash may differ between standard libraries).
static std::uint64_t stable_hash(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

void initialize_layer(Layer& layer, std::uint64_t seed, const std::string& name) {
    std::mt19937_64 random(seed ^ stable_hash(name));
    if (const auto* conv = dynamic_cast<const Conv2D*>(&layer)) {  // the user picks its initializers
        for (Weight& w : layer.mutable_weights()) {
            const std::vector<std::size_t> shape(w.values.shape().begin(), w.values.shape().end());
            draw_initializer(w.name == "kernel" ? conv->config().kernel_initializer : conv->config().bias_initializer,
                             shape, random, w.values.data());
        }
        return;
    }
    for (Weight& w : layer.mutable_weights()) {
        if (w.name == "kernel" && w.values.dimension() >= 2) {
            std::vector<std::size_t> shape(w.values.shape().begin(), w.values.shape().end());
            const double limit = glorot_limit(shape);
            // 24 random bits -> [0, 1): portable, unlike std::uniform_real_distribution.
            for (float& v : w.values) v = float((unit_uniform24(random) * 2.0 - 1.0) * limit);
        } else if (w.name == "gamma" || w.name == "moving_variance") {
            w.values.fill(1.0f);
        } else {
            w.values.fill(0.0f);  // bias, beta, moving_mean
        }
    }
}

void initialize_graph(Graph& graph, std::uint64_t seed) {
    for (int i = 0; i < graph.size(); ++i) initialize_layer(*graph.node(i).layer, seed, graph.node(i).name);
}

}  // namespace convscope
