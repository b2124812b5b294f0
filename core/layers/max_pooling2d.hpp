#pragma once
// MaxPooling2D, as keras.layers.MaxPooling2D: pool_size, strides (None means pool_size), padding.
// With padding="same" the padded cells never win: they are skipped, not treated as 0 (or -inf values
// would leak into all-negative windows).

#include <optional>

#include "core/layers/conv_geometry.hpp"
#include "core/layers/layer.hpp"

namespace convscope {

struct MaxPooling2DConfig {
    IntPair pool_size = {2, 2};
    std::optional<IntPair> strides;  // std::nullopt: Keras' strides=None, i.e. pool_size
    Padding padding = Padding::valid;
    IntPair effective_strides() const { return strides ? *strides : pool_size; }
};

class MaxPooling2D : public Layer {
public:
    explicit MaxPooling2D(MaxPooling2DConfig config = {}) : config_(config) {}
    const char* type_name() const override { return "MaxPooling2D"; }
    void validate() const override;
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<MaxPooling2D>(*this); }
    const MaxPooling2DConfig& config() const { return config_; }

private:
    MaxPooling2DConfig config_;
};

}  // namespace convscope
