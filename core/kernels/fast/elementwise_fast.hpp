#pragma once
// Fast elementwise kernels for the layers around a convolution: BatchNormalization (inference: a per-channel
// affine), ReLU and Add. Pure functions on dense channels-last buffers, written once for xsimd batches and the
// scalar tail (simd_lanes.hpp), parallel over ctx's pool in fixed chunks, cancellable between chunks (throw
// Cancelled). Each element is computed independently, so results never depend on the thread count.
//
//   batch_norm_fast()  out_bn = x * scale + shift per channel; optionally out_relu = max(out_bn, 0) in the same pass
//   relu_fast()        out = max(x, 0)
//   add_fast()         out_sum = a + b; optionally out_relu = max(out_sum, 0) in the same pass
//   affine_add_fast()  out_sum = (a * a_scale + a_shift) + (b * b_scale + b_shift), either affine optional;
//                      optionally out_relu = max(out_sum, 0): a residual block's BN -> Add -> ReLU in one pass
//                      from the conv outputs, so the BN and Add outputs need not be written (see Engine)
//
// An output may alias its input(s) (in-place), but two outputs may not alias each other. Rounding: BN is a
// multiply then an add (never a fused FMA), exactly as conv2d_fast_fused()'s BN epilogue, so either path
// gives the same bits. The ReLU is the reference's std::max(x, 0) in every kernel here: NaN and -0 pass through.

#include <cstddef>

#include "core/thread_pool.hpp"

namespace convscope {

// x, out_bn, out_relu: (pixels, channels); scale, shift: (channels), the folded BatchNormalization
//   scale = gamma / sqrt(moving_variance + epsilon), shift = beta - moving_mean * scale.
// out_bn or out_relu may be nullptr (not wanted); not both.
void batch_norm_fast(const float* x, const float* scale, const float* shift, float* out_bn, float* out_relu,
                     std::size_t pixels, std::size_t channels, const Context& ctx);

// x, out: (count)
void relu_fast(const float* x, float* out, std::size_t count, const Context& ctx);

// a, b, out_sum, out_relu: (count). out_sum or out_relu may be nullptr (not wanted); not both.
void add_fast(const float* a, const float* b, float* out_sum, float* out_relu, std::size_t count,
              const Context& ctx);

// a, b, out_sum, out_relu: (pixels, channels); a_scale, a_shift, b_scale, b_shift: (channels), or both of
//   a pair nullptr (that input is used as it is). out_sum or out_relu may be nullptr; not both.
// Rounding: each affine exactly as batch_norm_fast() (multiply, then add), then the sum exactly as add_fast(),
// so the result is bitwise what batch_norm_fast() into buffers followed by add_fast() gives.
void affine_add_fast(const float* a, const float* a_scale, const float* a_shift, const float* b,
                     const float* b_scale, const float* b_shift, float* out_sum, float* out_relu, std::size_t pixels,
                     std::size_t channels, const Context& ctx);

}  // namespace convscope
