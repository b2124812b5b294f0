#include "core/layers/dense.hpp"

#include "core/errors.hpp"
#include "core/kernels/fast/dense_fast.hpp"

namespace convscope {

Dense::Dense(DenseConfig config) : config_(config) {
    weights_.push_back(Weight{"kernel", {}, true});
    if (config_.use_bias) weights_.push_back(Weight{"bias", {}, true});
}

void Dense::validate() const {
    if (config_.units < 1) throw ConfigError("units=" + std::to_string(config_.units) + ": must be at least 1");
}

Shape Dense::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    validate();
    if (!inputs[0].flat)
        throw ShapeError("Dense here takes a (C,) vector, got " + plain_shape(inputs[0]) +
                         "; put GlobalAveragePooling2D or Flatten before it");
    check_weights_budget(weight_shapes(inputs));
    return Shape::vector(config_.units);
}

std::vector<std::vector<std::size_t>> Dense::weight_shapes(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    std::vector<std::vector<std::size_t>> shapes{{std::size_t(inputs[0].c), std::size_t(config_.units)}};
    if (config_.use_bias) shapes.push_back({std::size_t(config_.units)});
    return shapes;
}

std::int64_t Dense::macs(const std::vector<Shape>& inputs) const {
    return std::int64_t(inputs[0].c) * config_.units;
}

void Dense::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const {
    const float* x = inputs[0]->data();  // (1, 1, in)
    const float* kernel = weights_[0].values.data();  // (in, units)
    const std::size_t in = inputs[0]->size(), units = std::size_t(config_.units);
    if (ctx.kernels == Kernels::fast) {
        dense_fast(x, kernel, config_.use_bias ? weights_[1].values.data() : nullptr, output.data(), int(in),
                   int(units), ctx);
        apply_activation(config_.activation, output.data(), 1, units);
        return;
    }
    // The reference: y[u] = bias[u] + sum_i x[i] * kernel[i, u], summed in double.
    for (std::size_t u = 0; u < units; ++u) {
        double sum = config_.use_bias ? weights_[1].values.data()[u] : 0.0;
        for (std::size_t i = 0; i < in; ++i) sum += double(x[i]) * kernel[i * units + u];
        output.data()[u] = float(sum);
    }
    apply_activation(config_.activation, output.data(), 1, units);
}

std::string Dense::keras_line() const {
    std::string s = "Dense(" + std::to_string(config_.units);
    if (!config_.use_bias) s += ", use_bias=False";
    if (config_.activation != ActivationKind::linear) s += std::string(", activation=\"") + to_string(config_.activation) + "\"";
    return s + ")";
}

}  // namespace convscope
