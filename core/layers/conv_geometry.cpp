#include "core/layers/conv_geometry.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace convscope {

const char* to_string(Padding p) { return p == Padding::same ? "same" : "valid"; }

Padding parse_padding(const std::string& s) {
    if (s == "valid") return Padding::valid;
    if (s == "same") return Padding::same;
    throw ConfigError("padding=\"" + s + "\": Keras accepts only \"valid\" or \"same\"");
}

static int ceil_div(int a, int b) {  // b > 0; rounds toward +infinity for negative a too
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

AxisGeometry axis_geometry(int in, int kernel, int stride, int dilation, Padding padding) {
    AxisGeometry g;
    g.in = in;
    g.kernel = kernel;
    g.stride = stride;
    g.dilation = dilation;
    g.padding = padding;
    g.effective_kernel = (kernel - 1) * dilation + 1;
    const std::string n = std::to_string(in), s = std::to_string(stride);
    const std::string k = dilation == 1 ? std::to_string(kernel)
                                        : "((" + std::to_string(kernel) + " - 1) * " + std::to_string(dilation) + " + 1)";
    if (padding == Padding::valid) {
        g.out = ceil_div(in - g.effective_kernel + 1, stride);
        g.formula = "ceil((" + n + " - " + k + " + 1) / " + s + ") = " + std::to_string(g.out);
    } else {
        g.out = ceil_div(in, stride);
        int total = std::max(0, (g.out - 1) * stride + g.effective_kernel - in);
        g.pad_before = total / 2;
        g.pad_after = total - g.pad_before;
        g.formula = "ceil(" + n + " / " + s + ") = " + std::to_string(g.out);
    }
    return g;
}

}  // namespace convscope
