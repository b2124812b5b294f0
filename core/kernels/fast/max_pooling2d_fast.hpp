#pragma once
// Fast MaxPooling2D with Keras semantics, channels-last (xsimd batches across channels), parallel over output
// rows, cancellable between rows.
//
//   out[oy, ox, c] = max over the window cells (iy, ix) that lie inside the input of in[iy, ix, c]
//       iy = oy * stride_h - pad_top + ky,  ix = ox * stride_w - pad_left + kx
//
// Padded cells never win (they are skipped, not read as 0), so an all-negative window keeps its maximum.
// pad_top/pad_left and out_h/out_w come from axis_geometry() (core/layers/conv_geometry.hpp): for 'same' the
// total padding is split as TensorFlow does, before = total / 2. A window with no cell inside the input
// (impossible with Keras geometry) yields -infinity. NaN handling matches the reference layer
// (std::max(best, x): a NaN never replaces a number already seen).

#include "core/thread_pool.hpp"

namespace convscope {

struct MaxPool2DParams {
    int in_h = 0, in_w = 0, channels = 0;
    int pool_h = 1, pool_w = 1;
    int stride_h = 1, stride_w = 1;
    int pad_top = 0, pad_left = 0;  // bottom/right padding is implied by out_h/out_w
    int out_h = 0, out_w = 0;
};

// input (in_h, in_w, channels) -> output (out_h, out_w, channels); they must not overlap.
void max_pool2d_fast(const MaxPool2DParams& p, const float* input, float* output, const Context& ctx);

}  // namespace convscope
