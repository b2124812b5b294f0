#pragma once
// BatchNormalization at inference, as keras.layers.BatchNormalization(axis=-1):
//   y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta, per channel.
// Weights: gamma, beta, moving_mean, moving_variance, each (C,); the last two are non-trainable.

#include "core/layers/layer.hpp"

namespace convscope {

struct BatchNormalizationConfig {
    float epsilon = 1e-3f;  // Keras' default
};

class BatchNormalization : public Layer {
public:
    explicit BatchNormalization(BatchNormalizationConfig config = {});
    const char* type_name() const override { return "BatchNormalization"; }
    void validate() const override;
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    bool build(const std::vector<Shape>& inputs) override;
    std::vector<std::vector<std::size_t>> weight_shapes(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNormalization>(*this); }
    const BatchNormalizationConfig& config() const { return config_; }

    // The affine form the forward pass uses: y = x * scale[c] + shift[c].
    void scale_and_shift(std::vector<float>& scale, std::vector<float>& shift) const;

private:
    BatchNormalizationConfig config_;
};

}  // namespace convscope
