#pragma once
// Internal to the fast Conv2D: 3x3 stride-1 convolutions by Winograd's minimal filtering F(m x m, 3x3) with
// m = 2, 4 or 6 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015). Not for use outside
// core/kernels/.
//
// Each m x m block of output pixels ("tile") is computed from the alpha x alpha input patch under it, alpha = m + 2:
//     Y = A^T [ (G g G^T) (.) (B^T d B) ] A          (.) = elementwise over the alpha^2 "frequencies" xi
// Summed over input channels, the elementwise product becomes alpha^2 independent GEMMs, one per xi:
//     M_xi (tiles, filters) = V_xi (tiles, in_c) x U_xi (in_c, filters)
// which run on the same register-blocked microkernels as the direct path.
//   F(2x2, 3x3): 16 multiplies per 4 outputs instead of 36, 2.25x fewer. Its transforms hold only 0, +-1 and
//                +-1/2, so its rounding error stays close to the direct method's.
//   F(4x4, 3x3): 36 per 16 outputs, 4x fewer, and its input transform touches 2.25 floats per output instead of 4.
//                Its transforms hold +-4, 5, 8 and 1/6, 1/24, so it rounds somewhat more (still ~1e-6 relative
//                to the output's scale, far inside Keras-vs-PyTorch agreement); it pays off only with enough
//                tiles, since its transformed kernel is 2.25x the size of F(2x2)'s and 4x the kernel's.
//   F(6x6, 3x3): 64 per 36 outputs, 5.06x fewer, and 1.78 floats of transformed input per output. Its larger
//                constants (21/4, 17/4, 1/90 ...) round about twice as much as F(4x4)'s (the tests' worst: 2.4e-5
//                of the output's scale against 1.1e-5); its transformed kernel is 7.1x the kernel's, and its 64
//                slices of scratch per tile need a small tile (see winograd_tile), so it serves the large convs
//                with few channels (ResNet50's stages 2-3 at 600 x 600 on AVX2).
//
//   winograd_kernel_fits(...)   the kernel shape qualifies (3x3, enough channels to amortise the transforms)
//   winograd_applies(p)         Winograd applies to this conv (3x3 stride 1, no dilation, enough channels and tiles)
//   winograd_tile(p, uk)        m for this conv on microkernel uk: 6, 4, 2, or 0 when Winograd does not apply
//                               (only the choice of 6 depends on uk, through its tile's scratch)
//   winograd_packed_floats()    size of the transformed, packed kernel for tile m
//   winograd_pack_kernel()      kernel (3, 3, in_c, filters) -> U, packed as (alpha^2, panels, in_c, NR)
//   winograd_tasks()            how winograd_conv() cuts a conv into tasks
//   winograd_conv()             the convolution, with the same fused epilogue as the direct path

#include <cstddef>

#include "core/kernels/conv2d_params.hpp"
#include "core/kernels/fast/gemm_microkernel.hpp"
#include "core/thread_pool.hpp"

namespace convscope {
namespace detail {

bool winograd_kernel_fits(int kernel_h, int kernel_w, int in_c, int filters);
bool winograd_applies(const Conv2DParams& p);
int winograd_tile(const Conv2DParams& p, const MicroKernel& uk);
std::size_t winograd_packed_floats(int m, int in_c, int filters, int nr);
void winograd_pack_kernel(int m, const float* kernel, int in_c, int filters, const MicroKernel& uk, float* packed,
                          const Context& ctx);
// How winograd_conv() cuts a conv into tasks: runs of run_tiles tiles x blocks of panels_per_task filter panels,
// on uk (isa's microkernel, or a narrower one for few tiles). A shape-only choice: values never depend on it.
struct WinogradTasks {
    int tile = 0;                 // m
    MicroKernel uk;
    int run_tiles = 0;            // a multiple of uk.mr
    int panels_per_task = 0;
    long long runs = 0;           // runs of tiles
    int filter_blocks = 0;        // blocks of filter panels; tasks = runs x filter_blocks
    bool shared_input = false;    // the input transformed once for all tasks, in a first pass
};
WinogradTasks winograd_tasks(const Conv2DParams& p, const MicroKernel& isa_kernel);  // needs winograd_applies(p)
// Grows the calling thread's scratch to what winograd_conv(p) needs of it, its pages mapped (Engine::prepare()).
void winograd_reserve_scratch(const Conv2DParams& p, const MicroKernel& isa_kernel);
// packed: from winograd_pack_kernel() with m = winograd_tile(p, uk).
void winograd_conv(const Conv2DParams& p, const float* input, const float* packed, const MicroKernel& uk,
                   const float* bias, float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                   float* out_relu, const Context& ctx);

}  // namespace detail
}  // namespace convscope
