#include "core/layers/zero_padding2d.hpp"

#include <algorithm>
#include <cstring>

#include "core/errors.hpp"

namespace convscope {

void ZeroPadding2D::validate() const {
    const ZeroPadding2DConfig& c = config_;
    if (c.top < 0 || c.bottom < 0 || c.left < 0 || c.right < 0)
        throw ConfigError("padding=((" + std::to_string(c.top) + ", " + std::to_string(c.bottom) + "), (" +
                          std::to_string(c.left) + ", " + std::to_string(c.right) + ")): padding cannot be negative");
}

Shape ZeroPadding2D::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    validate();
    const Shape& in = inputs[0];
    if (in.flat) throw ShapeError("ZeroPadding2D needs an (H, W, C) input, got " + plain_shape(in));
    return Shape::image(in.h + config_.top + config_.bottom, in.w + config_.left + config_.right, in.c);
}

void ZeroPadding2D::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context&) const {
    const Tensor3& x = *inputs[0];  // (H, W, C)
    const std::size_t h = x.shape()[0], w = x.shape()[1], c = x.shape()[2], out_w = output.shape()[1];
    std::fill(output.begin(), output.end(), 0.0f);
    for (std::size_t y = 0; y < h; ++y) {
        float* dst = output.data() + ((y + std::size_t(config_.top)) * out_w + std::size_t(config_.left)) * c;
        std::memcpy(dst, x.data() + y * w * c, w * c * sizeof(float));
    }
}

std::string ZeroPadding2D::keras_line() const {
    const ZeroPadding2DConfig& c = config_;
    if (c.top == c.bottom && c.left == c.right) {
        if (c.top == c.left) return "ZeroPadding2D(padding=" + std::to_string(c.top) + ")";
        return "ZeroPadding2D(padding=" + to_string(IntPair{c.top, c.left}) + ")";
    }
    return "ZeroPadding2D(padding=(" + to_string(IntPair{c.top, c.bottom}) + ", " + to_string(IntPair{c.left, c.right}) +
           "))";
}

}  // namespace convscope
