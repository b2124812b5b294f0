#pragma once
// InputLayer: the graph's entry point; its "forward" is the image the engine was given.

#include "core/errors.hpp"
#include "core/layers/layer.hpp"

namespace convscope {

class InputLayer : public Layer {
public:
    explicit InputLayer(Shape shape) : shape_(shape) {}
    const char* type_name() const override { return "InputLayer"; }
    int input_count() const override { return 0; }
    void validate() const override {
        if (shape_.h < 1 || shape_.w < 1 || shape_.c < 1)
            throw ConfigError("input shape " + plain_shape(shape_) + ": every dimension must be at least 1");
        check_output_budget(shape_.h, shape_.w, shape_.c);
    }
    Shape output_shape(const std::vector<Shape>&) const override {
        validate();
        return shape_;
    }
    void forward(const std::vector<const Tensor3*>&, Tensor3&, const Context&) const override {
        throw ShapeError("InputLayer has no forward(): the engine supplies the input tensor");
    }
    std::string keras_line() const override { return "Input(shape=" + plain_shape(shape_) + ")"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<InputLayer>(*this); }
    const Shape& shape() const { return shape_; }

private:
    Shape shape_;
};

}  // namespace convscope
