#pragma once
// Dense, as keras.layers.Dense on a (C,) vector: y = activation(x . kernel + bias).
// Weights: kernel (in, units), bias (units).

#include "core/layers/activation.hpp"
#include "core/layers/layer.hpp"

namespace convscope {

struct DenseConfig {
    int units = 1000;
    bool use_bias = true;
    ActivationKind activation = ActivationKind::linear;
};

class Dense : public Layer {
public:
    explicit Dense(DenseConfig config = {});
    const char* type_name() const override { return "Dense"; }
    void validate() const override;
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    std::vector<std::vector<std::size_t>> weight_shapes(const std::vector<Shape>& inputs) const override;
    std::int64_t macs(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Dense>(*this); }
    const DenseConfig& config() const { return config_; }

private:
    DenseConfig config_;
};

}  // namespace convscope
