#pragma once
// One Conv2D output value taken apart: the window it reads, the kernel, the products, the sums.
//
//   explain_conv(conv, input, row, col, filter)   everything that makes output[row, col, filter]
//   print_explanation(out, e)                      the same as text (convscope-cli conv --explain)
//
// output[row, col, f] = activation(bias[f] + sum over c of partial_sum[c]),
// partial_sum[c] = sum over ky, kx of input[row*sh - pad_top + ky*dh, col*sw - pad_left + kx*dw, c] * kernel[ky, kx, c, f]
// where positions outside the input are the zero padding.

#include <ostream>
#include <vector>

#include "core/layers/conv2d.hpp"

namespace convscope {

struct WindowTap {
    int ky = 0, kx = 0;          // position in the kernel
    int in_row = 0, in_col = 0;  // the input position it reads (outside the input: padding)
    bool padding = false;        // true: outside the input, the value is a padded zero
};

struct ConvExplanation {
    int row = 0, col = 0, filter = 0;
    int kernel_h = 1, kernel_w = 1, in_c = 1;
    ConvGeometry geometry;
    std::vector<WindowTap> taps;        // (kernel_h, kernel_w), row-major
    std::vector<float> inputs;          // (kernel_h, kernel_w, in_c): 0 at padded taps
    std::vector<float> weights;         // (kernel_h, kernel_w, in_c): kernel[ky, kx, c, filter]
    std::vector<double> products;       // (kernel_h, kernel_w, in_c): inputs * weights, exact in double
    std::vector<double> channel_sums;   // (in_c): the partial sum of each input channel
    double total = 0.0;                 // sum of the partial sums
    bool has_bias = false;
    double bias = 0.0;
    double pre_activation = 0.0;        // total + bias
    ActivationKind activation = ActivationKind::linear;
    std::vector<double> softmax_inputs; // softmax only: every filter's pre-activation at this position (F)
    double softmax_max = 0.0;           // softmax only: their largest, subtracted before exp (as Keras does)
    double softmax_sum = 0.0;           // softmax only: the sum of exp(value - max) over the filters
    double output = 0.0;                // activation(pre_activation), the value Keras writes
    std::size_t index(int ky, int kx, int c) const { return (std::size_t(ky) * kernel_w + kx) * in_c + c; }
};

// `conv` must be built for `input`'s shape (H, W, Cin). Throws ConfigError naming the position or filter
// that is out of range.
ConvExplanation explain_conv(const Conv2D& conv, const Tensor3& input, int row, int col, int filter);

void print_explanation(std::ostream& out, const ConvExplanation& e);

}  // namespace convscope
