#include "core/layers/max_pooling2d.hpp"

#include <limits>
#include <sstream>

#include "core/errors.hpp"
#include "core/kernels/fast/max_pooling2d_fast.hpp"

namespace convscope {

void MaxPooling2D::validate() const {
    auto positive = [](const char* name, IntPair v) {
        if (v.rows < 1 || v.cols < 1)
            throw ConfigError(std::string(name) + "=" + to_string(v) + ": every value must be at least 1");
    };
    positive("pool_size", config_.pool_size);
    positive("strides", config_.effective_strides());
}

Shape MaxPooling2D::output_shape(const std::vector<Shape>& inputs) const {
    expect_inputs(inputs.size());
    validate();
    const Shape& in = inputs[0];
    if (in.flat) throw ShapeError("MaxPooling2D needs an (H, W, C) input, got " + plain_shape(in));
    const IntPair s = config_.effective_strides();
    AxisGeometry rows = axis_geometry(in.h, config_.pool_size.rows, s.rows, 1, config_.padding);
    AxisGeometry cols = axis_geometry(in.w, config_.pool_size.cols, s.cols, 1, config_.padding);
    if (rows.out < 1 || cols.out < 1)
        throw ShapeError("MaxPooling2D output would be " + std::to_string(rows.out) + "x" + std::to_string(cols.out) +
                         ": pool_size=" + to_string(config_.pool_size) + " does not fit the input " + plain_shape(in) +
                         " with padding=\"valid\"");
    return Shape::image(rows.out, cols.out, in.c);
}

void MaxPooling2D::forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const {
    const Tensor3& x = *inputs[0];  // (H, W, C)
    const int h = int(x.shape()[0]), w = int(x.shape()[1]), c = int(x.shape()[2]);
    const IntPair s = config_.effective_strides();
    const AxisGeometry rows = axis_geometry(h, config_.pool_size.rows, s.rows, 1, config_.padding);
    const AxisGeometry cols = axis_geometry(w, config_.pool_size.cols, s.cols, 1, config_.padding);
    if (ctx.kernels == Kernels::fast) {
        MaxPool2DParams p;
        p.in_h = h;
        p.in_w = w;
        p.channels = c;
        p.pool_h = config_.pool_size.rows;
        p.pool_w = config_.pool_size.cols;
        p.stride_h = s.rows;
        p.stride_w = s.cols;
        p.pad_top = rows.pad_before;
        p.pad_left = cols.pad_before;
        p.out_h = rows.out;
        p.out_w = cols.out;
        max_pool2d_fast(p, x.data(), output.data(), ctx);
        return;
    }
    // The reference: for every output cell, the largest input value under the window.
    for (int oy = 0; oy < rows.out; ++oy)
        for (int ox = 0; ox < cols.out; ++ox)
            for (int ch = 0; ch < c; ++ch) {
                float best = -std::numeric_limits<float>::infinity();
                for (int ky = 0; ky < config_.pool_size.rows; ++ky) {
                    const int iy = oy * s.rows - rows.pad_before + ky;
                    if (iy < 0 || iy >= h) continue;  // padded cells never win
                    for (int kx = 0; kx < config_.pool_size.cols; ++kx) {
                        const int ix = ox * s.cols - cols.pad_before + kx;
                        if (ix < 0 || ix >= w) continue;
                        best = std::max(best, x(iy, ix, ch));
                    }
                }
                output(oy, ox, ch) = best;
            }
}

std::string MaxPooling2D::keras_line() const {
    std::ostringstream out;
    out << "MaxPooling2D(" << to_string(config_.pool_size);
    if (config_.strides) out << ", strides=" << to_string(*config_.strides);
    if (config_.padding != Padding::valid) out << ", padding=\"" << to_string(config_.padding) << "\"";
    out << ")";
    return out.str();
}

}  // namespace convscope
