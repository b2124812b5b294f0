#pragma once
// The shape arithmetic of sliding windows (Conv2D, MaxPooling2D), exactly as Keras/TensorFlow do it.
//
//   effective kernel   k_eff = (k - 1) * d + 1
//   'valid'            out = ceil((in - k_eff + 1) / s), no padding
//   'same'             out = ceil(in / s);  total pad = max(0, (out - 1) * s + k_eff - in)
//                      pad before = total / 2, pad after = total - before  (the odd row goes bottom/right)
//
//   axis_geometry()    one axis: output size, padding split and a human formula with the numbers filled in

#include <string>

namespace convscope {

enum class Padding { valid, same };
const char* to_string(Padding p);              // "valid" / "same"
Padding parse_padding(const std::string& s);   // throws ConfigError naming the value

struct AxisGeometry {
    int in = 0, kernel = 1, stride = 1, dilation = 1;
    Padding padding = Padding::valid;
    int effective_kernel = 1;  // (kernel - 1) * dilation + 1
    int out = 0;               // may be < 1: the caller reports that as an error
    int pad_before = 0;        // top or left
    int pad_after = 0;         // bottom or right (gets the odd extra row/column)
    std::string formula;       // e.g. "ceil((600 - 3 + 1) / 2) = 299"
};

// The widest window (dilated kernel) or padded input along one axis. Far beyond any real network, and small
// enough that every index the kernels compute (oy * stride - pad + ky * dilation) fits in an int.
constexpr int kMaxWindow = 1 << 30;

// Kernel, stride, dilation >= 1 are the caller's to check. Computed in 64 bits; throws ConfigError when the
// window or the padded input would span more than kMaxWindow pixels.
AxisGeometry axis_geometry(int in, int kernel, int stride, int dilation, Padding padding);

}  // namespace convscope
