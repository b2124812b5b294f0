#pragma once
// Conv2D, as keras.layers.Conv2D. Computed in channels_last; data_format="channels_first" changes how shapes
// are written, not the maps (see data_format.hpp).
//
//   Conv2DConfig          all fifteen Keras arguments, with the Keras names and defaults; the initializers
//                         decide the weights initialize_layer() draws; regularizers and constraints act only
//                         in training, so here they are explained, never applied (regularizers.hpp, constraints.hpp)
//   Conv2D::validate()    rejects what Keras rejects, naming the value and the rule
//   Conv2D::geometry()    per-axis output size, padding split and formula (see conv_geometry.hpp)
//   weights               kernel (kh, kw, in, filters), bias (filters) if use_bias

#include "core/layers/activation.hpp"
#include "core/layers/conv_geometry.hpp"
#include "core/layers/data_format.hpp"
#include "core/layers/layer.hpp"
#include "core/kernels/conv2d_params.hpp"
#include "core/weights/constraints.hpp"
#include "core/weights/initializer_spec.hpp"
#include "core/weights/regularizers.hpp"

namespace convscope {

struct Conv2DConfig {
    int filters = 64;
    IntPair kernel_size = {3, 3};
    IntPair strides = {1, 1};
    Padding padding = Padding::valid;
    IntPair dilation_rate = {1, 1};
    bool use_bias = true;
    ActivationKind activation = ActivationKind::linear;
    DataFormat data_format = DataFormat::channels_last;
    Initializer kernel_initializer = Initializer::of(InitializerKind::glorot_uniform);
    Initializer bias_initializer = Initializer::of(InitializerKind::zeros);
    Regularizer kernel_regularizer, bias_regularizer, activity_regularizer;
    Constraint kernel_constraint, bias_constraint;
    bool operator==(const Conv2DConfig& o) const {
        return filters == o.filters && kernel_size == o.kernel_size && strides == o.strides && padding == o.padding &&
               dilation_rate == o.dilation_rate && use_bias == o.use_bias && activation == o.activation &&
               data_format == o.data_format && kernel_initializer == o.kernel_initializer &&
               bias_initializer == o.bias_initializer && kernel_regularizer == o.kernel_regularizer &&
               bias_regularizer == o.bias_regularizer && activity_regularizer == o.activity_regularizer &&
               kernel_constraint == o.kernel_constraint && bias_constraint == o.bias_constraint;
    }
    bool operator!=(const Conv2DConfig& o) const { return !(*this == o); }
};

struct ConvGeometry {
    AxisGeometry rows, cols;
};

class Conv2D : public Layer {
public:
    explicit Conv2D(Conv2DConfig config = {});
    const char* type_name() const override { return "Conv2D"; }
    void validate() const override;
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    // The output shape by Keras' rules, the kernel within its budget and the MACs within 64 bits, but without
    // the activations budget: for what only does the arithmetic (convscope-cli shape), never allocates.
    Shape arithmetic_output_shape(const Shape& input) const;
    std::vector<std::vector<std::size_t>> weight_shapes(const std::vector<Shape>& inputs) const override;
    std::int64_t macs(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Conv2D>(*this); }

    const Conv2DConfig& config() const { return config_; }
    // Changes the arguments; the weights keep their values until the next build() finds new shapes.
    void set_config(const Conv2DConfig& config);
    // Validates the config too, then returns the per-axis arithmetic for an input of this shape.
    ConvGeometry geometry(const Shape& input) const;
    Conv2DParams params(const Shape& input) const;

private:
    Conv2DConfig config_;
};

}  // namespace convscope
