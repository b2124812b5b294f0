#include "core/layers/add.hpp"

#include "core/errors.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"

namespace convscope {

Shape Add::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    for (std::size_t i = 1; i < inputs.size(); ++i)
        if (inputs[i] != inputs[0])
            throw ShapeError("Add needs inputs of one shape, got " + plain_shape(inputs[0]) + " and " +
                             plain_shape(inputs[i]));
    return inputs[0];
}

void Add::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const {
    if (ctx.kernels == Kernels::fast && inputs.size() == 2) {
        add_fast(inputs[0]->data(), inputs[1]->data(), output.data(), nullptr, output.size(), ctx);
        return;
    }
    output = *inputs[0];
    for (std::size_t i = 1; i < inputs.size(); ++i) {
        const float* x = inputs[i]->data();
        float* y = output.data();
        for (std::size_t k = 0; k < output.size(); ++k) y[k] += x[k];
    }
}

}  // namespace convscope
