#include "core/layers/activation.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"

namespace convscope {

const char* to_string(ActivationKind a) {
    switch (a) {
        case ActivationKind::linear: return "linear";
        case ActivationKind::relu: return "relu";
        case ActivationKind::sigmoid: return "sigmoid";
        case ActivationKind::tanh: return "tanh";
        case ActivationKind::softmax: return "softmax";
    }
    return "linear";
}

ActivationKind parse_activation(const std::string& s) {
    if (s == "None" || s == "none" || s == "linear" || s.empty()) return ActivationKind::linear;
    if (s == "relu") return ActivationKind::relu;
    if (s == "sigmoid") return ActivationKind::sigmoid;
    if (s == "tanh") return ActivationKind::tanh;
    if (s == "softmax") return ActivationKind::softmax;
    throw ConfigError("activation=\"" + s + "\": expected None, \"relu\", \"sigmoid\", \"tanh\" or \"softmax\"");
}

void apply_activation(ActivationKind a, float* v, std::size_t pixels, std::size_t channels) {
    const std::size_t n = pixels * channels;
    switch (a) {
        case ActivationKind::linear: return;
        case ActivationKind::relu:
            for (std::size_t i = 0; i < n; ++i) v[i] = std::max(v[i], 0.0f);
            return;
        case ActivationKind::sigmoid:
            for (std::size_t i = 0; i < n; ++i) v[i] = 1.0f / (1.0f + std::exp(-v[i]));
            return;
        case ActivationKind::tanh:
            for (std::size_t i = 0; i < n; ++i) v[i] = std::tanh(v[i]);
            return;
        case ActivationKind::softmax:
            // Over the channel axis, shifted by the maximum so exp() cannot overflow.
            for (std::size_t p = 0; p < pixels; ++p) {
                float* x = v + p * channels;
                const float top = *std::max_element(x, x + channels);
                double sum = 0.0;
                for (std::size_t c = 0; c < channels; ++c) sum += (x[c] = std::exp(x[c] - top));
                for (std::size_t c = 0; c < channels; ++c) x[c] = float(x[c] / sum);
            }
            return;
    }
}

Shape Activation::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    return inputs[0];
}

void Activation::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const {
    if (ctx.kernels == Kernels::fast && config_.activation == ActivationKind::relu) {
        relu_fast(inputs[0]->data(), output.data(), output.size(), ctx);
        return;
    }
    output = *inputs[0];
    apply_activation(config_.activation, output.data(), output.shape()[0] * output.shape()[1], output.shape()[2]);
}

std::string Activation::keras_line() const {
    return std::string("Activation(\"") + to_string(config_.activation) + "\")";
}

}  // namespace convscope
