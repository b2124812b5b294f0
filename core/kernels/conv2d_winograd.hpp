#pragma once
// Internal to the fast Conv2D: 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3)
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015). Not for use outside core/kernels/.
//
// Each 2x2 block of output pixels ("tile") is computed from the 4x4 input patch under it:
//     Y = A^T [ (G g G^T) (.) (B^T d B) ] A          (.) = elementwise over the 4x4 "frequencies" xi
// Summed over input channels, the elementwise product becomes 16 independent GEMMs, one per xi:
//     M_xi (tiles, filters) = V_xi (tiles, in_c) x U_xi (in_c, filters)
// which run on the same register-blocked microkernels as the direct path. That is 16 multiplies per 4 outputs
// instead of 36: 2.25x fewer, for a few additions in the transforms. F(2x2, 3x3)'s transforms have only 0, +-1 and
// +-1/2 in them, so its rounding error stays close to the direct method's (larger tiles such as F(4x4, 3x3)
// would save more and lose more accuracy).
//
//   winograd_kernel_fits(...)   the kernel shape qualifies (3x3, enough channels to amortise the transforms)
//   winograd_applies(p)         the whole conv qualifies (also stride 1 and dilation 1)
//   winograd_packed_floats()    size of the transformed, packed kernel
//   winograd_pack_kernel()      kernel (3, 3, in_c, filters) -> U, packed as (16, panels, in_c, NR)
//   winograd_conv()             the convolution, with the same fused epilogue as the direct path

#include <cstddef>

#include "core/kernels/conv2d_params.hpp"
#include "core/kernels/gemm_microkernel.hpp"
#include "core/thread_pool.hpp"

namespace convscope {
namespace detail {

bool winograd_kernel_fits(int kernel_h, int kernel_w, int in_c, int filters);
bool winograd_applies(const Conv2DParams& p);
std::size_t winograd_packed_floats(int in_c, int filters, int nr);
void winograd_pack_kernel(const float* kernel, int in_c, int filters, const MicroKernel& uk, float* packed,
                          const Context& ctx);
void winograd_conv(const Conv2DParams& p, const float* input, const float* packed, const MicroKernel& uk,
                   const float* bias, float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                   float* out_relu, const Context& ctx);

}  // namespace detail
}  // namespace convscope
