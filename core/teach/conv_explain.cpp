#include "core/teach/conv_explain.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "core/errors.hpp"

namespace convscope {

namespace {

// The pre-activation of output[row, col, f]: written out as its own loop, in double like the reference kernel.
double pre_activation_of(const Conv2DParams& p, const float* x, const float* kernel, const float* bias, int row,
                         int col, int f) {
    double sum = bias ? bias[f] : 0.0;
    for (int ky = 0; ky < p.kernel_h; ++ky)
        for (int kx = 0; kx < p.kernel_w; ++kx) {
            const int iy = row * p.stride_h - p.pad_top + ky * p.dilation_h;
            const int ix = col * p.stride_w - p.pad_left + kx * p.dilation_w;
            if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
            for (int c = 0; c < p.in_c; ++c)
                sum += double(x[(std::size_t(iy) * p.in_w + ix) * p.in_c + c]) *
                       double(kernel[((std::size_t(ky) * p.kernel_w + kx) * p.in_c + c) * p.filters + f]);
        }
    return sum;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7g", v);
    return buf;
}

std::string cell(double v, bool padding) {
    char buf[32];
    if (padding) std::snprintf(buf, sizeof buf, "%11s", "pad 0");
    else std::snprintf(buf, sizeof buf, "%11.5g", v == 0.0 ? 0.0 : v);  // no "-0" for a product with a zero
    return buf;
}

}  // namespace

ConvExplanation explain_conv(const Conv2D& conv, const Tensor3& input, int row, int col, int filter) {
    const Conv2DParams p = conv.params(shape_of(input));
    if (row < 0 || row >= p.out_h || col < 0 || col >= p.out_w)
        throw ConfigError("position (" + std::to_string(row) + ", " + std::to_string(col) + "): the output is " +
                          std::to_string(p.out_h) + " x " + std::to_string(p.out_w) + ", so row must be 0.." +
                          std::to_string(p.out_h - 1) + " and col 0.." + std::to_string(p.out_w - 1));
    if (filter < 0 || filter >= p.filters)
        throw ConfigError("filter " + std::to_string(filter) + ": this Conv2D has " + std::to_string(p.filters) +
                          " filters (0.." + std::to_string(p.filters - 1) + ")");
    const WeightArray& kernel = conv.weights()[0].values;  // (kh, kw, in, filters)
    if (kernel.size() != std::size_t(p.kernel_h) * p.kernel_w * p.in_c * p.filters)
        throw ShapeError("the Conv2D's kernel is not built for an input with " + std::to_string(p.in_c) + " channels");
    const float* bias = conv.config().use_bias ? conv.weights()[1].values.data() : nullptr;

    ConvExplanation e;
    e.row = row;
    e.col = col;
    e.filter = filter;
    e.kernel_h = p.kernel_h;
    e.kernel_w = p.kernel_w;
    e.in_c = p.in_c;
    e.geometry = conv.geometry(shape_of(input));
    const std::size_t n = std::size_t(p.kernel_h) * p.kernel_w * p.in_c;
    e.inputs.assign(n, 0.0f);
    e.weights.assign(n, 0.0f);
    e.products.assign(n, 0.0);
    e.channel_sums.assign(std::size_t(p.in_c), 0.0);
    for (int ky = 0; ky < p.kernel_h; ++ky)
        for (int kx = 0; kx < p.kernel_w; ++kx) {
            WindowTap t;
            t.ky = ky;
            t.kx = kx;
            t.in_row = row * p.stride_h - p.pad_top + ky * p.dilation_h;
            t.in_col = col * p.stride_w - p.pad_left + kx * p.dilation_w;
            t.padding = t.in_row < 0 || t.in_row >= p.in_h || t.in_col < 0 || t.in_col >= p.in_w;
            e.taps.push_back(t);
            for (int c = 0; c < p.in_c; ++c) {
                const std::size_t i = e.index(ky, kx, c);
                e.weights[i] = kernel.data()[i * std::size_t(p.filters) + std::size_t(filter)];
                if (!t.padding) e.inputs[i] = input(std::size_t(t.in_row), std::size_t(t.in_col), std::size_t(c));
                e.products[i] = double(e.inputs[i]) * double(e.weights[i]);
                e.channel_sums[std::size_t(c)] += e.products[i];
            }
        }
    for (double s : e.channel_sums) e.total += s;
    e.has_bias = bias != nullptr;
    e.bias = bias ? bias[filter] : 0.0;
    e.pre_activation = e.total + e.bias;
    e.activation = conv.config().activation;
    if (e.activation == ActivationKind::softmax) {
        // Softmax reads every filter's value at this position.
        double top = -INFINITY, sum = 0.0;
        for (int f = 0; f < p.filters; ++f) {
            e.softmax_inputs.push_back(f == filter ? e.pre_activation
                                                   : pre_activation_of(p, input.data(), kernel.data(), bias, row, col, f));
            top = std::max(top, e.softmax_inputs.back());
        }
        for (double v : e.softmax_inputs) sum += std::exp(v - top);
        e.softmax_max = top;
        e.softmax_sum = sum;
        e.output = std::exp(e.pre_activation - top) / sum;
    } else {
        e.output = activate(e.activation, e.pre_activation);
    }
    return e;
}

void print_explanation(std::ostream& out, const ConvExplanation& e) {
    const AxisGeometry& r = e.geometry.rows;
    const AxisGeometry& c = e.geometry.cols;
    out << "output[" << e.row << ", " << e.col << ", " << e.filter << "] (row, col, filter)\n";
    out << "window rows: " << e.row << " * " << r.stride << " - " << r.pad_before << " + ky * " << r.dilation << " = "
        << e.taps.front().in_row << " .. " << e.taps.back().in_row << " for ky = 0.." << e.kernel_h - 1
        << "; cols: " << e.col << " * " << c.stride << " - " << c.pad_before << " + kx * " << c.dilation << " = "
        << e.taps.front().in_col << " .. " << e.taps.back().in_col << " for kx = 0.." << e.kernel_w - 1 << "\n";
    out << "input is " << r.in << " x " << c.in << "; positions outside it are zero padding (shown as pad 0)\n";
    const std::size_t grid_width = std::size_t(e.kernel_w) * 11;
    for (int ch = 0; ch < e.in_c; ++ch) {
        const std::string kernel_title = "kernel[:, :, " + std::to_string(ch) + ", " + std::to_string(e.filter) + "]";
        char head[256];
        std::snprintf(head, sizeof head, "  %-*s   %-*s   products\n", int(grid_width), "input window", int(grid_width),
                      kernel_title.c_str());
        out << "\ninput channel " << ch << ":\n" << head;
        for (int ky = 0; ky < e.kernel_h; ++ky) {
            std::string a, b, p;
            for (int kx = 0; kx < e.kernel_w; ++kx) {
                const std::size_t i = e.index(ky, kx, ch);
                const bool pad = e.taps[std::size_t(ky * e.kernel_w + kx)].padding;
                a += cell(e.inputs[i], pad);
                b += cell(e.weights[i], false);
                p += cell(e.products[i], false);
            }
            out << "  " << a << "   " << b << "   " << p << "\n";
        }
        out << "  partial sum of channel " << ch << " = " << num(e.channel_sums[std::size_t(ch)]) << "\n";
    }
    out << "\nsum over " << e.in_c << " channel" << (e.in_c > 1 ? "s" : "") << " = ";
    if (e.in_c <= 8) {
        for (int ch = 0; ch < e.in_c; ++ch) out << (ch ? " + " : "") << num(e.channel_sums[std::size_t(ch)]);
        out << " = ";
    }
    out << num(e.total) << "\n";
    if (e.has_bias) out << "+ bias[" << e.filter << "] " << num(e.bias) << " = " << num(e.pre_activation) << "\n";
    else out << "no bias (use_bias=False): " << num(e.pre_activation) << "\n";
    if (e.activation == ActivationKind::softmax) {
        // Every number the softmax reads, so that a learner can redo it: each filter's sum + bias here.
        out << "activation softmax over the " << e.softmax_inputs.size() << " filters at this position, each "
            << "filter's sum + bias:\n ";
        for (std::size_t f = 0; f < e.softmax_inputs.size(); ++f)
            out << (f ? ", " : " ") << (int(f) == e.filter ? "[" : "") << num(e.softmax_inputs[f])
                << (int(f) == e.filter ? "]" : "");
        out << "\n  max = " << num(e.softmax_max) << "; sum of exp(value - max) = " << num(e.softmax_sum) << "\n"
            << "  exp(" << num(e.pre_activation) << " - " << num(e.softmax_max) << ") / " << num(e.softmax_sum)
            << " = " << num(e.output) << "\n";
    } else if (e.activation != ActivationKind::linear) {
        out << "activation " << to_string(e.activation) << "(" << num(e.pre_activation) << ") = " << num(e.output)
            << "   [" << activation_definition(e.activation) << "]\n";
    } else {
        out << "activation linear (None): unchanged\n";
    }
    out << "output[" << e.row << ", " << e.col << ", " << e.filter << "] = " << num(e.output) << "\n";
}

}  // namespace convscope
