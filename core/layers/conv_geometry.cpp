#include "core/layers/conv_geometry.hpp"

#include <algorithm>
#include <cstdint>

#include "core/errors.hpp"

namespace convscope {

const char* to_string(Padding p) { return p == Padding::same ? "same" : "valid"; }

Padding parse_padding(const std::string& s) {
    if (s == "valid") return Padding::valid;
    if (s == "same") return Padding::same;
    throw ConfigError("padding=\"" + s + "\": Keras accepts only \"valid\" or \"same\"");
}

static std::int64_t ceil_div(std::int64_t a, std::int64_t b) {  // b > 0; rounds toward +infinity for negative a too
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

AxisGeometry axis_geometry(int in, int kernel, int stride, int dilation, Padding padding) {
    AxisGeometry g;
    g.in = in;
    g.kernel = kernel;
    g.stride = stride;
    g.dilation = dilation;
    g.padding = padding;
    // In 64 bits: (kernel - 1) * dilation alone overflows an int for kernel 9, dilation 2^29.
    const std::int64_t effective = (std::int64_t(kernel) - 1) * dilation + 1;
    if (effective > kMaxWindow)
        throw ConfigError("kernel_size " + std::to_string(kernel) + " with dilation_rate " + std::to_string(dilation) +
                          " spans (" + std::to_string(kernel) + " - 1) * " + std::to_string(dilation) + " + 1 = " +
                          std::to_string(effective) + " pixels; a window may span at most " +
                          std::to_string(kMaxWindow));
    g.effective_kernel = int(effective);
    const std::string n = std::to_string(in), s = std::to_string(stride);
    const std::string k = dilation == 1 ? std::to_string(kernel)
                                        : "((" + std::to_string(kernel) + " - 1) * " + std::to_string(dilation) + " + 1)";
    if (padding == Padding::valid) {
        g.out = int(ceil_div(std::int64_t(in) - effective + 1, stride));
        g.formula = "ceil((" + n + " - " + k + " + 1) / " + s + ") = " + std::to_string(g.out);
    } else {
        g.out = int(ceil_div(in, stride));
        const std::int64_t total = std::max<std::int64_t>(0, (std::int64_t(g.out) - 1) * stride + effective - in);
        // The kernels index padded rows as int, so the padded input must fit too.
        if (std::int64_t(in) + total > kMaxWindow)
            throw ConfigError("padding=\"same\" would pad an input of " + n + " pixels by " + std::to_string(total) +
                              "; the padded input may span at most " + std::to_string(kMaxWindow) + " pixels");
        g.pad_before = int(total / 2);
        g.pad_after = int(total - g.pad_before);
        g.formula = "ceil(" + n + " / " + s + ") = " + std::to_string(g.out);
    }
    return g;
}

}  // namespace convscope
