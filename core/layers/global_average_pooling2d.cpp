#include "core/layers/global_average_pooling2d.hpp"

#include <vector>

#include "core/errors.hpp"

namespace convscope {

Shape GlobalAveragePooling2D::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    if (inputs[0].flat) throw ShapeError("GlobalAveragePooling2D needs an (H, W, C) input, got " + plain_shape(inputs[0]));
    return Shape::vector(inputs[0].c);
}

void GlobalAveragePooling2D::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context&) const {
    const Tensor3& x = *inputs[0];  // (H, W, C)
    const std::size_t pixels = x.shape()[0] * x.shape()[1], channels = x.shape()[2];
    std::vector<double> sum(channels, 0.0);
    for (std::size_t p = 0; p < pixels; ++p)
        for (std::size_t c = 0; c < channels; ++c) sum[c] += x.data()[p * channels + c];
    for (std::size_t c = 0; c < channels; ++c) output.data()[c] = float(sum[c] / double(pixels));  // output (1, 1, C)
}

}  // namespace convscope
