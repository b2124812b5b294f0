// AVX2 + FMA microkernel: 6 pixels x 16 filters, 12 ymm accumulators (of 16), two B vectors and one
// broadcast per step. Compiled with -mavx2 -mfma (core/CMakeLists.txt); only called when
// isa_supported(Isa::avx2). See gemm_microkernel.hpp for the contract.
#include "core/kernels/fast/gemm_microkernel.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace convscope {
namespace detail {
namespace {

#define CONVSCOPE_VECTOR_FLOATS 8
#define CONVSCOPE_STREAM_VECTOR(p, v) _mm256_stream_ps(p, (__m256)(v))
#include "core/kernels/fast/winograd_transforms.inc"

constexpr int MR = 6;
constexpr int NV = 2;  // vectors of 8 floats per row: NR = 16

// The cache lines of one tile row: first and last float of the 16 (the row need not be line-aligned).
inline void prefetch_row(const float* row) {
    __builtin_prefetch(row, 1, 3);
    __builtin_prefetch(row + 15, 1, 3);
}
inline void prefetch_row_to_read(const float* row) {
    __builtin_prefetch(row, 0, 3);
    __builtin_prefetch(row + 15, 0, 3);
}

// Join: g.residual is set; a compile-time switch so that the join's registers cost nothing to other calls.
template <bool Join>
void rows_6x16(const MicroArgs& g) {
    __m256i mask[NV];
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int v = 0; v < NV; ++v) mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(g.cols - 8 * v), lane);

    __m256 acc[MR][NV];
    if (g.load_c) {
#pragma GCC unroll 6
        for (int m = 0; m < MR; ++m)
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v)
                acc[m][v] = m < g.rows ? _mm256_maskload_ps(g.c + m * g.ldc + 8 * v, mask[v]) : _mm256_setzero_ps();
    } else {
        __m256 init[NV];
        for (int v = 0; v < NV; ++v) init[v] = g.bias ? _mm256_maskload_ps(g.bias + 8 * v, mask[v]) : _mm256_setzero_ps();
#pragma GCC unroll 6
        for (int m = 0; m < MR; ++m)
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v) acc[m][v] = init[v];
    }

    // Ask for the output lines now, so the stores at the end do not wait for them: with a short K (a 1x1 conv
    // on 64 channels) a burst of 6 rows of write misses would otherwise stall the tile for a memory latency.
#pragma GCC unroll 6
    for (int m = 0; m < MR; ++m) {
        if (m >= g.rows) break;
        prefetch_row(g.c + m * g.ldc);
        if (g.out_bn) prefetch_row(g.out_bn + m * g.ldc);
        if (g.out_relu) prefetch_row(g.out_relu + m * g.ldc);
    }
    if constexpr (Join)  // the shortcut, read by the epilogue (run_conv asks for later tiles' lines ahead)
        for (int m = 0; m < MR && m < g.rows; ++m) prefetch_row_to_read(g.residual + m * g.ldc);

    const float* b = g.b;
    for (int t = 0; t < g.taps; ++t) {
        const float* const* ap = g.a + t * MR;
        const float* a[MR];
#pragma GCC unroll 6
        for (int m = 0; m < MR; ++m) a[m] = ap[m] + g.a_offset;
        for (int c = 0; c < g.cin; ++c) {
            __m256 bv[NV];
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v) bv[v] = _mm256_load_ps(b + 8 * v);
#pragma GCC unroll 6
            for (int m = 0; m < MR; ++m) {
                const __m256 x = _mm256_broadcast_ss(a[m] + c);
#pragma GCC unroll 2
                for (int v = 0; v < NV; ++v) acc[m][v] = _mm256_fmadd_ps(x, bv[v], acc[m][v]);
            }
            b += 8 * NV;
        }
    }

    const bool bn = g.bn_scale != nullptr, res_bn = Join && g.res_scale != nullptr;
    __m256 scale[NV] = {}, shift[NV] = {}, res_scale[NV] = {}, res_shift[NV] = {};
    if (bn)
        for (int v = 0; v < NV; ++v) {
            scale[v] = _mm256_maskload_ps(g.bn_scale + 8 * v, mask[v]);
            shift[v] = _mm256_maskload_ps(g.bn_shift + 8 * v, mask[v]);
        }
    if (res_bn)
        for (int v = 0; v < NV; ++v) {
            res_scale[v] = _mm256_maskload_ps(g.res_scale + 8 * v, mask[v]);
            res_shift[v] = _mm256_maskload_ps(g.res_shift + 8 * v, mask[v]);
        }
    const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 6
    for (int m = 0; m < MR; ++m) {
        if (m >= g.rows) break;
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) {
            const std::ptrdiff_t at = m * g.ldc + 8 * v;
            __m256 x = acc[m][v];
            _mm256_maskstore_ps(g.c + at, mask[v], x);
            if (bn) {
                x = _mm256_add_ps(_mm256_mul_ps(x, scale[v]), shift[v]);  // not FMA: see gemm_avx512.cpp
                if (g.out_bn) _mm256_maskstore_ps(g.out_bn + at, mask[v], x);
            }
            if constexpr (Join) {  // the residual join, rounded as affine_add_fast(): bn + (shortcut * s + t)
                __m256 y = _mm256_maskload_ps(g.residual + at, mask[v]);
                if (res_bn) y = _mm256_add_ps(_mm256_mul_ps(y, res_scale[v]), res_shift[v]);
                x = _mm256_add_ps(x, y);
            }
            if (g.out_relu) _mm256_maskstore_ps(g.out_relu + at, mask[v], _mm256_max_ps(zero, x));
        }
    }
}

void run_6x16(const MicroArgs& g) {
    if (g.residual) rows_6x16<true>(g);
    else rows_6x16<false>(g);
}

}  // namespace

MicroKernel microkernel_avx2() {
    return MicroKernel{MR, 8 * NV, &run_6x16, {&winograd_input, &winograd_output, &winograd_kernel},
                       {&winograd4_input, &winograd4_output, &winograd4_kernel}, {}};
}

}  // namespace detail
}  // namespace convscope

#else  // compiled without AVX2 flags (e.g. a non-x86 target): no kernel

namespace convscope {
namespace detail {
MicroKernel microkernel_avx2() { return MicroKernel{}; }
}  // namespace detail
}  // namespace convscope

#endif
