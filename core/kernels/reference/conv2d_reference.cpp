#include "core/kernels/reference/conv2d_reference.hpp"

#include <cassert>

namespace convscope {

void conv2d_reference(const Conv2DParams& p, const float* input, const float* kernel, const float* bias,
                      float* output) {
    assert(input && kernel && output);
    assert(p.out_h >= 1 && p.out_w >= 1 && p.in_c >= 1 && p.filters >= 1);
    for (int oy = 0; oy < p.out_h; ++oy) {
        for (int ox = 0; ox < p.out_w; ++ox) {
            for (int f = 0; f < p.filters; ++f) {
                // Accumulate in double so the oracle is more accurate than anything it checks.
                double sum = bias ? bias[f] : 0.0;
                for (int ky = 0; ky < p.kernel_h; ++ky) {
                    const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                    if (iy < 0 || iy >= p.in_h) continue;  // a padded row contributes zeros
                    for (int kx = 0; kx < p.kernel_w; ++kx) {
                        const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                        if (ix < 0 || ix >= p.in_w) continue;
                        const float* pixel = input + (iy * p.in_w + ix) * p.in_c;
                        const float* taps = kernel + ((ky * p.kernel_w + kx) * p.in_c) * p.filters + f;
                        for (int c = 0; c < p.in_c; ++c) sum += double(pixel[c]) * double(taps[c * p.filters]);
                    }
                }
                output[(oy * p.out_w + ox) * p.filters + f] = float(sum);
            }
        }
    }
}

}  // namespace convscope
