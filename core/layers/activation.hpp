#pragma once
// Activation: an elementwise function, as keras.layers.Activation (and Conv2D's `activation=`).
//   linear (Keras None), relu, sigmoid, tanh; softmax over channels (for fc1000).

#include "core/layers/layer.hpp"

namespace convscope {

enum class ActivationKind { linear, relu, sigmoid, tanh, softmax };
const char* to_string(ActivationKind a);                 // "linear", "relu", ...
ActivationKind parse_activation(const std::string& s);   // accepts "None"/"linear"; throws ConfigError

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
