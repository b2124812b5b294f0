#pragma once
// Activation: an elementwise function, as keras.layers.Activation (and Conv2D's `activation=`).
//
// Every function Keras' Conv2D accepts by name, defined as in tf.keras 2.4-2.15 (Keras 2), the Keras the seed
// was written for; where Keras 3 changed a definition, activation_definition() says so:
//   linear (Keras None)  x                          elu          x > 0 ? x : exp(x) - 1   (alpha 1)
//   relu                 max(x, 0)                  selu         1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1))
//   sigmoid              1 / (1 + exp(-x))          softplus     log(exp(x) + 1)
//   tanh                 tanh(x)                    softsign     x / (|x| + 1)
//   softmax              exp(x_c) / sum exp, over channels        swish   x * sigmoid(x)
//   gelu                 0.5 * x * (1 + erf(x / sqrt(2)))  (exact; Keras 3's default is the tanh approximation)
//   hard_sigmoid         clip(0.2 * x + 0.5, 0, 1)  (Keras 3: clip(x / 6 + 0.5, 0, 1))
//   exponential          exp(x)
//
//   activate(a, x)                 one value in double, for explanations and as the tests' oracle
//   activation_definition(a)       the formula above as text

#include "core/layers/layer.hpp"

namespace convscope {

// New kinds go at the end: sessions and the GUI's list index them in this order.
enum class ActivationKind {
    linear, relu, sigmoid, tanh, softmax, elu, selu, softplus, softsign, swish, gelu, hard_sigmoid, exponential
};
// Every kind, in enum order (for lists and tests).
const std::vector<ActivationKind>& all_activations();
const char* to_string(ActivationKind a);                 // "linear", "relu", ...
ActivationKind parse_activation(const std::string& s);   // accepts "None"/"linear"; throws ConfigError

// One value (not softmax, which needs the whole channel vector: throws ConfigError).
double activate(ActivationKind a, double x);
std::string activation_definition(ActivationKind a);

// Applies the activation in place over `count` values laid out as (pixels, channels).
void apply_activation(ActivationKind a, float* values, std::size_t pixels, std::size_t channels);

struct ActivationConfig {
    ActivationKind activation = ActivationKind::relu;
};

class Activation : public Layer {
public:
    explicit Activation(ActivationConfig config = {}) : config_(config) {}
    const char* type_name() const override { return "Activation"; }
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Activation>(*this); }
    const ActivationConfig& config() const { return config_; }

private:
    ActivationConfig config_;
};

}  // namespace convscope
