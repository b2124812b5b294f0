#pragma once
// GlobalAveragePooling2D: (H, W, C) -> (C,), the mean of each channel over all positions.

#include "core/layers/layer.hpp"

namespace convscope {

class GlobalAveragePooling2D : public Layer {
public:
    const char* type_name() const override { return "GlobalAveragePooling2D"; }
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override { return "GlobalAveragePooling2D()"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<GlobalAveragePooling2D>(*this); }
};

}  // namespace convscope
