#pragma once
// Add, as keras.layers.Add: the elementwise sum of inputs of one shape (ResNet's residual join).

#include "core/layers/layer.hpp"

namespace convscope {

class Add : public Layer {
public:
    explicit Add(int inputs = 2) : inputs_(inputs) {}
    const char* type_name() const override { return "Add"; }
    int input_count() const override { return inputs_; }
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override { return "Add()"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Add>(*this); }

private:
    int inputs_;
};

}  // namespace convscope
