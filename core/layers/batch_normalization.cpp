#include "core/layers/batch_normalization.hpp"

#include <cmath>
#include <sstream>

#include "core/errors.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"

namespace convscope {

BatchNormalization::BatchNormalization(BatchNormalizationConfig config) : config_(config) {
    weights_ = {Weight{"gamma", {}, true}, Weight{"beta", {}, true}, Weight{"moving_mean", {}, false},
                Weight{"moving_variance", {}, false}};
}

void BatchNormalization::validate() const {
    if (!(config_.epsilon > 0.0f))
        throw ConfigError("epsilon=" + std::to_string(config_.epsilon) + ": must be greater than 0");
}

Shape BatchNormalization::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    validate();
    return inputs[0];
}

std::vector<std::vector<std::size_t>> BatchNormalization::weight_shapes(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    return std::vector<std::vector<std::size_t>>(4, {std::size_t(inputs[0].c)});
}

bool BatchNormalization::build(const std::vector<Shape>& inputs) {
    const bool resized = Layer::build(inputs);
    if (resized) {  // Keras' initialisers for a fresh layer: gamma 1, variance 1 (beta, mean 0)
        weights_[0].values.fill(1.0f);
        weights_[3].values.fill(1.0f);
    }
    return resized;
}

void BatchNormalization::scale_and_shift(std::vector<float>& scale, std::vector<float>& shift) const {
    const std::size_t channels = weights_[0].values.size();
    scale.resize(channels);
    shift.resize(channels);
    for (std::size_t c = 0; c < channels; ++c) {
        const float gamma = weights_[0].values.data()[c], beta = weights_[1].values.data()[c];
        const float mean = weights_[2].values.data()[c], variance = weights_[3].values.data()[c];
        scale[c] = gamma / std::sqrt(variance + config_.epsilon);
        shift[c] = beta - mean * scale[c];
    }
}

void BatchNormalization::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const {
    const Tensor3& x = *inputs[0];  // (H, W, C)
    const std::size_t channels = x.shape()[2], pixels = x.shape()[0] * x.shape()[1];
    if (ctx.kernels == Kernels::fast) {
        std::vector<float> scale, shift;  // (C): the formula below folded into one multiply-add
        scale_and_shift(scale, shift);
        batch_norm_fast(x.data(), scale.data(), shift.data(), output.data(), nullptr, pixels, channels, ctx);
        return;
    }
    // The reference: Keras' formula as written, one value at a time.
    const float* gamma = weights_[0].values.data();
    const float* beta = weights_[1].values.data();
    const float* mean = weights_[2].values.data();
    const float* variance = weights_[3].values.data();
    for (std::size_t p = 0; p < pixels; ++p)
        for (std::size_t c = 0; c < channels; ++c) {
            const float v = x.data()[p * channels + c];
            output.data()[p * channels + c] = gamma[c] * (v - mean[c]) / std::sqrt(variance[c] + config_.epsilon) + beta[c];
        }
}

std::string BatchNormalization::keras_line() const {
    std::ostringstream s;
    s << "BatchNormalization(";
    if (config_.epsilon != 1e-3f) s << "epsilon=" << config_.epsilon;
    s << ")";
    return s.str();
}

}  // namespace convscope
