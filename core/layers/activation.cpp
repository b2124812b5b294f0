#include "core/layers/activation.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"

namespace convscope {

namespace {

// tf.nn.selu's constants (Klambauer et al. 2017), as TensorFlow spells them.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

struct ActivationInfo {
    ActivationKind kind;
    const char* name;
    const char* definition;
};

const ActivationInfo kActivations[] = {
    {ActivationKind::linear, "linear", "linear(x) = x  (Keras' activation=None)"},
    {ActivationKind::relu, "relu", "relu(x) = max(x, 0)"},
    {ActivationKind::sigmoid, "sigmoid", "sigmoid(x) = 1 / (1 + exp(-x))"},
    {ActivationKind::tanh, "tanh", "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))"},
    {ActivationKind::softmax, "softmax", "softmax(x)_c = exp(x_c) / sum over channels k of exp(x_k)  (over the filters at one position)"},
    {ActivationKind::elu, "elu", "elu(x) = x if x > 0, else alpha * (exp(x) - 1), alpha = 1"},
    {ActivationKind::selu, "selu",
     "selu(x) = scale * (x if x > 0, else alpha * (exp(x) - 1)), alpha = 1.6732632423543772, scale = 1.0507009873554805"},
    {ActivationKind::softplus, "softplus", "softplus(x) = log(exp(x) + 1)"},
    {ActivationKind::softsign, "softsign", "softsign(x) = x / (|x| + 1)"},
    {ActivationKind::swish, "swish", "swish(x) = x * sigmoid(x) = x / (1 + exp(-x))  (also called silu)"},
    {ActivationKind::gelu, "gelu",
     "gelu(x) = 0.5 * x * (1 + erf(x / sqrt(2)))  (tf.keras 2.4-2.15 default approximate=False; Keras 3 defaults "
     "to approximate=True: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))))"},
    {ActivationKind::hard_sigmoid, "hard_sigmoid",
     "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)  (tf.keras 2.x; Keras 3 uses clip(x / 6 + 0.5, 0, 1))"},
    {ActivationKind::exponential, "exponential", "exponential(x) = exp(x)"},
};

const ActivationInfo& info(ActivationKind a) {
    for (const ActivationInfo& i : kActivations)
        if (i.kind == a) return i;
    return kActivations[0];
}

}  // namespace

const std::vector<ActivationKind>& all_activations() {
    static const std::vector<ActivationKind> kinds = [] {
        std::vector<ActivationKind> k;
        for (const ActivationInfo& i : kActivations) k.push_back(i.kind);
        return k;
    }();
    return kinds;
}

const char* to_string(ActivationKind a) { return info(a).name; }

std::string activation_definition(ActivationKind a) { return info(a).definition; }

ActivationKind parse_activation(const std::string& s) {
    if (s == "None" || s == "none" || s.empty()) return ActivationKind::linear;
    if (s == "silu") return ActivationKind::swish;  // tf.keras 2.x accepts both names for tf.nn.silu
    std::vector<std::string> names{"None"};
    for (const ActivationInfo& i : kActivations) {
        if (s == i.name) return i.kind;
        names.push_back(std::string("\"") + i.name + "\"");
    }
    throw ConfigError("activation=\"" + s + "\": expected " + or_list(names));
}

double activate(ActivationKind a, double x) {
    switch (a) {
        case ActivationKind::linear: return x;
        case ActivationKind::relu: return std::max(x, 0.0);
        case ActivationKind::sigmoid: return 1.0 / (1.0 + std::exp(-x));
        case ActivationKind::tanh: return std::tanh(x);
        case ActivationKind::softmax: throw ConfigError("softmax needs every channel at a position, not one value");
        case ActivationKind::elu: return x > 0.0 ? x : std::expm1(x);
        case ActivationKind::selu: return kSeluScale * (x > 0.0 ? x : kSeluAlpha * std::expm1(x));
        case ActivationKind::softplus: return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
        case ActivationKind::softsign: return x / (std::fabs(x) + 1.0);
        case ActivationKind::swish: return x / (1.0 + std::exp(-x));
        case ActivationKind::gelu: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
        case ActivationKind::hard_sigmoid: return std::min(1.0, std::max(0.0, 0.2 * x + 0.5));
        case ActivationKind::exponential: return std::exp(x);
    }
    return x;
}

void apply_activation(ActivationKind a, float* v, std::size_t pixels, std::size_t channels) {
    const std::size_t n = pixels * channels;
    // Each in float, the way TensorFlow's CPU kernels evaluate them (softplus in its overflow-safe form).
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
        case ActivationKind::elu:
            for (std::size_t i = 0; i < n; ++i) v[i] = v[i] > 0.0f ? v[i] : std::expm1(v[i]);
            return;
        case ActivationKind::selu:
            for (std::size_t i = 0; i < n; ++i)
                v[i] = float(kSeluScale) * (v[i] > 0.0f ? v[i] : float(kSeluAlpha) * std::expm1(v[i]));
            return;
        case ActivationKind::softplus:
            for (std::size_t i = 0; i < n; ++i) v[i] = std::max(v[i], 0.0f) + std::log1p(std::exp(-std::fabs(v[i])));
            return;
        case ActivationKind::softsign:
            for (std::size_t i = 0; i < n; ++i) v[i] = v[i] / (std::fabs(v[i]) + 1.0f);
            return;
        case ActivationKind::swish:
            for (std::size_t i = 0; i < n; ++i) v[i] = v[i] / (1.0f + std::exp(-v[i]));
            return;
        case ActivationKind::gelu:
            // 1 + erf(x / sqrt 2) written as erfc(-x / sqrt 2): the same function without the cancellation
            // that costs 1 + erf() most of its digits for x < -2 in float.
            for (std::size_t i = 0; i < n; ++i) v[i] = 0.5f * v[i] * std::erfc(v[i] * -0.70710678118654752f);
            return;
        case ActivationKind::hard_sigmoid:
            for (std::size_t i = 0; i < n; ++i) v[i] = std::min(1.0f, std::max(0.0f, 0.2f * v[i] + 0.5f));
            return;
        case ActivationKind::exponential:
            for (std::size_t i = 0; i < n; ++i) v[i] = std::exp(v[i]);
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
