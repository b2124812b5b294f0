// AVX2 + FMA microkernel: 6 pixels x 16 filters, 12 ymm accumulators (of 16), two B vectors and one broadcast per
// step; the tile is gemm_tile.inc over the traits below. Compiled with -mavx2 -mfma (core/CMakeLists.txt); only
// called when isa_supported(Isa::avx2). See gemm_microkernel.hpp for the contract.
#include "core/kernels/fast/gemm_microkernel.hpp"

#include <cstdint>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace convscope {
namespace detail {
namespace {

#define CONVSCOPE_VECTOR_FLOATS 8
#define CONVSCOPE_STREAM_VECTOR(p, v) _mm256_stream_ps(p, (__m256)(v))
#include "core/kernels/fast/winograd_transforms.inc"

struct Avx2 {
    using Vec = __m256;
    // The lanes to touch (all ones in them), and whether that is all eight. AMD's cores run a VMASKMOVPS store as
    // many micro-ops (on Zen 3, 3.7 ns a store in a loop against 0.6 for VMOVUPS), so whole vectors (every filter
    // but the last panel's tail) take plain loads and stores: on Zen 3 a 1x1 conv of 64 -> 256 channels at
    // 150 x 150, whose short K leaves the epilogue's stores a large share of each tile, went from 18.0 to 12.1 ms
    // on one thread, and the ResNet50 pass at 600 x 600 from 252-257 to 214-231 ms (bench, alternating).
    struct Mask {
        __m256i lanes;
        bool all;
    };
    static constexpr int kLanes = 8;
    // No non-temporal stores on the direct path: on Zen 3 streaming every large output made the ResNet50 pass at
    // 600 x 600 slower, and streaming only the conv outputs kept for the viewer did too (the joins of stages 3-4
    // 1.2-1.5x slower; bench --per-node).
    static constexpr bool kStreams = false;
    static Mask mask(int left) {
        return {_mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), left >= 8};
    }
    static Vec zero() { return _mm256_setzero_ps(); }
    static Vec load(const float* p) { return _mm256_load_ps(p); }
    static Vec load(Mask k, const float* p) { return k.all ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, k.lanes); }
    static void store(float* p, Mask k, Vec v) {
        if (k.all) _mm256_storeu_ps(p, v);
        else _mm256_maskstore_ps(p, k.lanes, v);
    }
    static void stream(float* p, Vec v) { _mm256_stream_ps(p, v); }
    static Vec broadcast(const float* p) { return _mm256_broadcast_ss(p); }
    static Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
    static Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
    static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
    // maxps returns its second operand when either is NaN or both are zeros: x then.
    static Vec relu(Vec x) { return _mm256_max_ps(_mm256_setzero_ps(), x); }
};

#include "core/kernels/fast/gemm_tile.inc"

}  // namespace

MicroKernel microkernel_avx2() {
    MicroKernel k{6, 16, &run_tile<Avx2, 6, 2>, {&winograd_input, &winograd_output, &winograd_kernel},
                  {&winograd4_input, &winograd4_output, &winograd4_kernel},
                  {&winograd6_input, &winograd6_output, &winograd6_kernel}, {}};
    // Fewer rows for GEMMs with few of them, ResNet50 at 224: stage 5's 1x1 convs (49 pixels: 50 rows computed
    // instead of 54), the 3x3 convs of stages 4-5 (16 Winograd tiles: 16 instead of 18) and stage 3 (49 tiles).
    // Taken from 5% fewer rows on: with 10 or 8 accumulators the tile is still FMA-bound, so a row costs what it
    // does in the 6-row tile. Zen 3, two threads, convscope-conv-alone medians, 6 -> 5 rows: 7 x 7 x 2048 -> 512
    // 0.66-0.69 -> 0.59 ms, 7 x 7 x 1024 -> 2048 1.21 -> 1.12, 7 x 7 x 512 -> 2048 with the join 0.62 -> 0.59, 3x3
    // 14 x 14 x 256 -> 256 on F(2x2) 0.65-0.66 -> 0.61-0.63.
    k.fewer_rows[0] = {5, &run_tile<Avx2, 5, 2>, 95};
    k.fewer_rows[1] = {4, &run_tile<Avx2, 4, 2>, 95};
    return k;
}

}  // namespace detail
}  // namespace convscope

#else  // compiled without AVX2 flags: no kernel

namespace convscope {
namespace detail {
MicroKernel microkernel_avx2() { return MicroKernel{}; }
}  // namespace detail
}  // namespace convscope

#endif
