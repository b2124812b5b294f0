// Portable microkernel: 4 pixels x 8 filters in plain C++, for CPUs without AVX2 (and non-x86 targets).
// Compiled with the library's ordinary flags; at -O2/-O3 the compiler turns the inner loops into SSE2.
// See gemm_microkernel.hpp for the contract.
#include "core/kernels/fast/gemm_microkernel.hpp"

namespace convscope {
namespace detail {
namespace {

#define CONVSCOPE_VECTOR_FLOATS 4
#include "core/kernels/fast/winograd_transforms.inc"
#include "core/kernels/fast/gemm_panels.inc"

constexpr int MR = 4;
constexpr int NR = 8;

void run_panel(const MicroArgs& g) {
    float acc[MR][NR];
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) {
            const bool valid = n < g.cols && m < g.rows;
            if (g.load_c) acc[m][n] = valid ? g.c[m * g.ldc + n] : 0.0f;
            else acc[m][n] = (g.bias && n < g.cols) ? g.bias[n] : 0.0f;
        }

    const float* b = g.b;
    for (int t = 0; t < g.taps; ++t) {
        const float* a[MR];
        for (int m = 0; m < MR; ++m) a[m] = g.a[t * MR + m] + g.a_offset;
        for (int c = 0; c < g.cin; ++c) {
            for (int m = 0; m < MR; ++m) {
                const float x = a[m][c];
                for (int n = 0; n < NR; ++n) acc[m][n] += x * b[n];
            }
            b += NR;
        }
    }

    const bool bn = g.bn_scale != nullptr;
    for (int m = 0; m < g.rows; ++m)
        for (int n = 0; n < g.cols; ++n) {
            const std::ptrdiff_t at = m * g.ldc + n;
            float x = acc[m][n];
            g.c[at] = x;
            if (bn) {
                x = x * g.bn_scale[n] + g.bn_shift[n];
                if (g.out_bn) g.out_bn[at] = x;
            }
            if (g.residual) {  // the residual join, rounded as affine_add_fast(): bn + (shortcut * s + t)
                float y = g.residual[at];
                if (g.res_scale) y = y * g.res_scale[n] + g.res_shift[n];
                x = x + y;
            }
            if (g.out_relu) g.out_relu[at] = 0.0f > x ? 0.0f : x;  // as max_ps(0, x)
        }
}

// The g.panels panels of the tile, one after the other (as gemm_tile.inc does).
void run_4x8(const MicroArgs& g) {
    for (int p = 0; p < g.panels; ++p) run_panel(panel_args<NR>(g, p));
}

}  // namespace

MicroKernel microkernel_scalar() {
    return MicroKernel{MR, NR, &run_4x8, {&winograd_input, &winograd_output, &winograd_kernel},
                       {&winograd4_input, &winograd4_output, &winograd4_kernel},
                       {&winograd6_input, &winograd6_output, &winograd6_kernel}, {}};
}

}  // namespace detail
}  // namespace convscope
