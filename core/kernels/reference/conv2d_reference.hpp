#pragma once
// Conv2D written to be read: plain loops, the Keras formula in the comments. It is the oracle that
// the fast kernels are tested against, and what the playground's "how is this computed" points to.

#include "core/kernels/conv2d_params.hpp"

namespace convscope {

// output[oy, ox, f] = bias[f] + sum over ky, kx, c of
//     input[oy*sh - pad_top + ky*dh, ox*sw - pad_left + kx*dw, c] * kernel[ky, kx, c, f]
// Layouts: see conv2d_params.hpp. Never allocates.
void conv2d_reference(const Conv2DParams& p, const float* input, const float* kernel, const float* bias,
                      float* output);

}  // namespace convscope
