// AVX-512 microkernel: 14 pixels x 32 filters, 28 zmm accumulators (of 32), two B vectors and one
// broadcast per step. Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma (core/CMakeLists.txt);
// only called when isa_supported(Isa::avx512). See gemm_microkernel.hpp for the contract.
#include "core/kernels/fast/gemm_microkernel.hpp"

#include <cstdint>

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>

// GCC 12 warns about the deliberately undefined pass-through operand inside _mm512_max_ps; a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace convscope {
namespace detail {
namespace {

#define CONVSCOPE_VECTOR_FLOATS 16
#define CONVSCOPE_STREAM_VECTOR(p, v) _mm512_stream_ps(p, (__m512)(v))
#include "core/kernels/fast/winograd_transforms.inc"

constexpr int NV = 2;  // vectors of 16 floats per row: NR = 32

// The cache lines of one tile row: first and last float of the 32 (the row need not be line-aligned).
inline void prefetch_row(const float* row) {
    __builtin_prefetch(row, 1, 3);
    __builtin_prefetch(row + 31, 1, 3);
}
inline void prefetch_row_to_read(const float* row) {
    __builtin_prefetch(row, 0, 3);
    __builtin_prefetch(row + 31, 0, 3);
}

// MR rows x 32 filters. 14 rows is the main kernel; 8 and 7 rows serve GEMMs with few rows (ResNet50 stage 5
// at 224: 49 pixels, or 16 Winograd tiles), where 14-row tiles would compute up to 43% discarded rows. Each
// output element gets the same FMA sequence whatever MR, so all three give bitwise equal results.
// Join: g.residual is set. A compile-time switch: with a run-time one, the join's extra registers made GCC spill
// accumulators in the epilogue of every call, joins or not.
template <int MR, bool Join>
void rows_x32(const MicroArgs& g) {
    __mmask16 mask[NV];
    for (int v = 0; v < NV; ++v) {
        const int left = g.cols - 16 * v;
        mask[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1u);
    }

    __m512 acc[MR][NV];
    if (g.load_c) {
#pragma GCC unroll 16
        for (int m = 0; m < MR; ++m)
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v)
                acc[m][v] = m < g.rows ? _mm512_maskz_loadu_ps(mask[v], g.c + m * g.ldc + 16 * v) : _mm512_setzero_ps();
    } else {
        __m512 init[NV];
        for (int v = 0; v < NV; ++v)
            init[v] = g.bias ? _mm512_maskz_loadu_ps(mask[v], g.bias + 16 * v) : _mm512_setzero_ps();
#pragma GCC unroll 16
        for (int m = 0; m < MR; ++m)
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v) acc[m][v] = init[v];
    }

    // Ask for the output lines now, so the stores at the end do not wait for them: with a short K (a 1x1 conv
    // on 64 channels) a burst of 14 rows of write misses would otherwise stall the tile for a memory latency.
    // Streamed stores need whole aligned vectors: every column valid and c, out_bn, out_relu and ldc on 64 bytes.
    const bool aligned = g.cols == 16 * NV && g.ldc % 16 == 0 &&
                         ((reinterpret_cast<std::uintptr_t>(g.c) | reinterpret_cast<std::uintptr_t>(g.out_bn) |
                           reinterpret_cast<std::uintptr_t>(g.out_relu)) & 63) == 0;
    const bool stream_c = aligned && g.stream_c, stream_outputs = aligned && g.stream_outputs;
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m) {
        if (m >= g.rows) break;
        if (!stream_c) prefetch_row(g.c + m * g.ldc);
        if (stream_outputs) continue;
        if (g.out_bn) prefetch_row(g.out_bn + m * g.ldc);
        if (g.out_relu) prefetch_row(g.out_relu + m * g.ldc);
    }
    if constexpr (Join)  // the shortcut, read by the epilogue (run_conv asks for later tiles' lines ahead)
        for (int m = 0; m < MR && m < g.rows; ++m) prefetch_row_to_read(g.residual + m * g.ldc);

    const float* b = g.b;
    for (int t = 0; t < g.taps; ++t) {
        const float* const* ap = g.a + t * MR;
        const float* a[MR];
#pragma GCC unroll 16
        for (int m = 0; m < MR; ++m) a[m] = ap[m] + g.a_offset;
        for (int c = 0; c < g.cin; ++c) {
            __m512 bv[NV];
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + 16 * v);
#pragma GCC unroll 16
            for (int m = 0; m < MR; ++m) {
                const __m512 x = _mm512_set1_ps(a[m][c]);
#pragma GCC unroll 2
                for (int v = 0; v < NV; ++v) acc[m][v] = _mm512_fmadd_ps(x, bv[v], acc[m][v]);
            }
            b += 16 * NV;
        }
    }

    // Store the conv result, then the optional BN and ReLU views of the same registers; before the ReLU, the
    // optional residual join.
    const bool bn = g.bn_scale != nullptr, res_bn = Join && g.res_scale != nullptr;
    __m512 scale[NV] = {}, shift[NV] = {}, res_scale[NV] = {}, res_shift[NV] = {};
    if (bn)
        for (int v = 0; v < NV; ++v) {
            scale[v] = _mm512_maskz_loadu_ps(mask[v], g.bn_scale + 16 * v);
            shift[v] = _mm512_maskz_loadu_ps(mask[v], g.bn_shift + 16 * v);
        }
    if (res_bn)
        for (int v = 0; v < NV; ++v) {
            res_scale[v] = _mm512_maskz_loadu_ps(mask[v], g.res_scale + 16 * v);
            res_shift[v] = _mm512_maskz_loadu_ps(mask[v], g.res_shift + 16 * v);
        }
    const __m512 zero = _mm512_setzero_ps();
    // One store loop: each output streamed or stored (masked) as asked. Streaming implies whole aligned vectors
    // (see `aligned`), where the masks are all ones. Multiply then add for the BNs, not FMA: the same rounding as
    // batch_norm_fast() and affine_add_fast(), so fused and separately computed outputs are bitwise equal.
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m) {
        if (m >= g.rows) break;
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) {
            const std::ptrdiff_t at = m * g.ldc + 16 * v;
            __m512 x = acc[m][v];
            if (stream_c) _mm512_stream_ps(g.c + at, x);
            else _mm512_mask_storeu_ps(g.c + at, mask[v], x);
            if (bn) {
                x = _mm512_add_ps(_mm512_mul_ps(x, scale[v]), shift[v]);
                if (g.out_bn && stream_outputs) _mm512_stream_ps(g.out_bn + at, x);
                else if (g.out_bn) _mm512_mask_storeu_ps(g.out_bn + at, mask[v], x);
            }
            if constexpr (Join) {  // the shortcut's BN and the sum: bn + (shortcut * s + t)
                __m512 y = _mm512_maskz_loadu_ps(mask[v], g.residual + at);
                if (res_bn) y = _mm512_add_ps(_mm512_mul_ps(y, res_scale[v]), res_shift[v]);
                x = _mm512_add_ps(x, y);
            }
            x = _mm512_max_ps(zero, x);
            if (g.out_relu && stream_outputs) _mm512_stream_ps(g.out_relu + at, x);
            else if (g.out_relu) _mm512_mask_storeu_ps(g.out_relu + at, mask[v], x);
        }
    }
    // Streamed stores are not fenced here: the caller fences once after its last call (see MicroArgs::stream_c).
}

template <int MR>
void run_rows_x32(const MicroArgs& g) {
    if (g.residual) rows_x32<MR, true>(g);
    else rows_x32<MR, false>(g);
}

}  // namespace

MicroKernel microkernel_avx512() {
    MicroKernel k{14, 16 * NV, &run_rows_x32<14>, {&winograd_input, &winograd_output, &winograd_kernel},
                  {&winograd4_input, &winograd4_output, &winograd4_kernel}, {}};
    k.fewer_rows[0] = {8, &run_rows_x32<8>};
    k.fewer_rows[1] = {7, &run_rows_x32<7>};
    return k;
}

}  // namespace detail
}  // namespace convscope

#else  // compiled without AVX-512 flags (e.g. a non-x86 target): no kernel

namespace convscope {
namespace detail {
MicroKernel microkernel_avx512() { return MicroKernel{}; }
}  // namespace detail
}  // namespace convscope

#endif
