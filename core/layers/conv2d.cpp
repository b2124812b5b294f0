#include "core/layers/conv2d.hpp"

#include <sstream>

#include "core/errors.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/reference/conv2d_reference.hpp"
#include "core/limits.hpp"

namespace convscope {

Conv2D::Conv2D(Conv2DConfig config) : config_(config) {
    weights_.push_back(Weight{"kernel", {}, true});
    if (config_.use_bias) weights_.push_back(Weight{"bias", {}, true});
}

void Conv2D::set_config(const Conv2DConfig& config) {
    if (config.use_bias != config_.use_bias) {
        if (config.use_bias) weights_.push_back(Weight{"bias", {}, true});
        else weights_.resize(1);
    }
    config_ = config;
    changed();
}

static void require_positive(const char* name, IntPair v) {
    if (v.rows < 1 || v.cols < 1)
        throw ConfigError(std::string(name) + "=" + to_string(v) + ": every value must be at least 1");
}

void Conv2D::validate() const {
    if (config_.filters < 1)
        throw ConfigError("filters=" + std::to_string(config_.filters) + ": a Conv2D needs at least 1 filter");
    require_positive("kernel_size", config_.kernel_size);
    require_positive("strides", config_.strides);
    require_positive("dilation_rate", config_.dilation_rate);
    const bool strided = config_.strides.rows > 1 || config_.strides.cols > 1;
    const bool dilated = config_.dilation_rate.rows > 1 || config_.dilation_rate.cols > 1;
    if (strided && dilated)
        throw ConfigError("strides=" + to_string(config_.strides) + " with dilation_rate=" +
                          to_string(config_.dilation_rate) + ": Keras allows only one of them to exceed 1");
}

ConvGeometry Conv2D::geometry(const Shape& in) const {
    validate();
    if (in.flat) throw ShapeError("Conv2D needs an (H, W, C) input, got " + plain_shape(in));
    ConvGeometry g{axis_geometry(in.h, config_.kernel_size.rows, config_.strides.rows, config_.dilation_rate.rows,
                                 config_.padding),
                   axis_geometry(in.w, config_.kernel_size.cols, config_.strides.cols, config_.dilation_rate.cols,
                                 config_.padding)};
    auto check = [&](const AxisGeometry& a, const char* axis) {
        if (a.out >= 1) return;
        std::ostringstream msg;
        msg << "output " << axis << " would be " << a.out << " (" << a.formula << "): with padding=\"valid\" the "
            << (a.dilation > 1 ? "dilated " : "") << "kernel (" << a.effective_kernel << ") must fit in the input "
            << axis << " (" << a.in << "); use a smaller kernel_size";
        if (a.dilation > 1) msg << " or dilation_rate";
        msg << ", or padding=\"same\"";
        throw ShapeError(msg.str());
    };
    check(g.rows, "height");
    check(g.cols, "width");
    return g;
}

Shape Conv2D::arithmetic_output_shape(const Shape& input) const {
    ConvGeometry g = geometry(input);
    check_weights_budget(weight_shapes({input}));
    if (!checked_product({g.rows.out, g.cols.out, config_.filters, config_.kernel_size.rows, config_.kernel_size.cols,
                          input.c}))
        throw ConfigError("the multiply-adds of this Conv2D do not fit in 64 bits");
    return Shape::image(g.rows.out, g.cols.out, config_.filters);
}

Shape Conv2D::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    // Refused here, before anything is allocated: a kernel or an output over its budget, and MACs that
    // do not fit in 64 bits.
    const Shape out = arithmetic_output_shape(inputs[0]);
    check_output_budget(out.h, out.w, out.c);
    return out;
}

Conv2DParams Conv2D::params(const Shape& in) const {
    ConvGeometry g = geometry(in);
    Conv2DParams p;
    p.in_h = in.h;
    p.in_w = in.w;
    p.in_c = in.c;
    p.kernel_h = config_.kernel_size.rows;
    p.kernel_w = config_.kernel_size.cols;
    p.filters = config_.filters;
    p.stride_h = config_.strides.rows;
    p.stride_w = config_.strides.cols;
    p.dilation_h = config_.dilation_rate.rows;
    p.dilation_w = config_.dilation_rate.cols;
    p.pad_top = g.rows.pad_before;
    p.pad_left = g.cols.pad_before;
    p.out_h = g.rows.out;
    p.out_w = g.cols.out;
    return p;
}

std::vector<std::vector<std::size_t>> Conv2D::weight_shapes(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    const std::size_t kh = std::size_t(config_.kernel_size.rows), kw = std::size_t(config_.kernel_size.cols);
    std::vector<std::vector<std::size_t>> shapes{{kh, kw, std::size_t(inputs[0].c), std::size_t(config_.filters)}};
    if (config_.use_bias) shapes.push_back({std::size_t(config_.filters)});
    return shapes;
}

std::int64_t Conv2D::macs(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    const Shape out = arithmetic_output_shape(inputs[0]);  // a count: no activations budget
    return out.size() * std::int64_t(config_.kernel_size.rows) * config_.kernel_size.cols * inputs[0].c;
}

void Conv2D::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const {
    const Tensor3& x = *inputs[0];  // (H, W, Cin)
    const Conv2DParams p = params(shape_of(x));
    const float* bias = config_.use_bias ? weights_[1].values.data() : nullptr;
    if (ctx.kernels == Kernels::reference) {
        conv2d_reference(p, x.data(), weights_[0].values.data(), bias, output.data());
    } else {
        conv2d_fast(p, x.data(), weights_[0].values.data(), bias, output.data(), ctx);
    }
    apply_activation(config_.activation, output.data(), std::size_t(p.out_h) * p.out_w, std::size_t(p.filters));
}

std::string Conv2D::keras_line() const {
    // Every argument that differs from Keras' default, in Keras' argument order.
    const Conv2DConfig& c = config_;
    std::ostringstream s;
    s << "Conv2D(" << c.filters << ", " << to_string(c.kernel_size);
    if (c.strides != IntPair{1, 1}) s << ", strides=" << to_string(c.strides);
    if (c.padding != Padding::valid) s << ", padding=\"" << to_string(c.padding) << "\"";
    if (c.data_format != DataFormat::channels_last) s << ", data_format=\"" << to_string(c.data_format) << "\"";
    if (c.dilation_rate != IntPair{1, 1}) s << ", dilation_rate=" << to_string(c.dilation_rate);
    if (c.activation != ActivationKind::linear) s << ", activation=\"" << to_string(c.activation) << "\"";
    if (!c.use_bias) s << ", use_bias=False";
    const Conv2DConfig d;
    if (c.kernel_initializer != d.kernel_initializer) s << ", kernel_initializer=" << keras_argument(c.kernel_initializer);
    if (c.bias_initializer != d.bias_initializer) s << ", bias_initializer=" << keras_argument(c.bias_initializer);
    if (c.kernel_regularizer.active()) s << ", kernel_regularizer=" << keras_argument(c.kernel_regularizer);
    if (c.bias_regularizer.active()) s << ", bias_regularizer=" << keras_argument(c.bias_regularizer);
    if (c.activity_regularizer.active()) s << ", activity_regularizer=" << keras_argument(c.activity_regularizer);
    if (c.kernel_constraint.active()) s << ", kernel_constraint=" << keras_argument(c.kernel_constraint);
    if (c.bias_constraint.active()) s << ", bias_constraint=" << keras_argument(c.bias_constraint);
    s << ")";
    return s.str();
}

}  // namespace convscope
