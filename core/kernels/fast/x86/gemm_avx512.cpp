// AVX-512 microkernels: 14 pixels x 32 filters, 28 zmm accumulators (of 32), two B vectors and one broadcast per
// row and step; and a wide one, 6 pixels x 64 filters (24 accumulators, four B vectors), for the 1x1 convs that
// direct_microkernel() gives it. The tiles are gemm_tile.inc over the traits below. Compiled with -mavx512f
// -mavx512dq -mavx512bw -mavx512vl -mfma (core/CMakeLists.txt); only called when isa_supported(Isa::avx512). See
// gemm_microkernel.hpp for the contract.
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

struct Avx512 {
    using Vec = __m512;
    using Mask = __mmask16;
    static constexpr int kLanes = 16;
    static constexpr bool kStreams = true;
    static Mask mask(int left) {
        return left >= 16 ? Mask(0xFFFF) : left <= 0 ? Mask(0) : Mask((1u << left) - 1u);
    }
    static Vec zero() { return _mm512_setzero_ps(); }
    static Vec load(const float* p) { return _mm512_load_ps(p); }
    static Vec load(Mask k, const float* p) { return _mm512_maskz_loadu_ps(k, p); }
    static void store(float* p, Mask k, Vec v) { _mm512_mask_storeu_ps(p, k, v); }
    static void stream(float* p, Vec v) { _mm512_stream_ps(p, v); }
    static Vec broadcast(const float* p) { return _mm512_set1_ps(*p); }
    static Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
    static Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
    static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
    // maxps returns its second operand when either is NaN or both are zeros: x then.
    static Vec relu(Vec x) { return _mm512_max_ps(_mm512_setzero_ps(), x); }
};

#include "core/kernels/fast/gemm_tile.inc"

}  // namespace

// 14 rows is the main kernel; 8 and 7 rows serve GEMMs with few rows (ResNet50 stage 5 at 224: 49 pixels, or 16
// Winograd tiles), where 14-row tiles would compute up to 43% discarded rows.
MicroKernel microkernel_avx512() {
    MicroKernel k{14, 32, &run_tile<Avx512, 14, 2>, {&winograd_input, &winograd_output, &winograd_kernel},
                  {&winograd4_input, &winograd4_output, &winograd4_kernel},
                  {&winograd6_input, &winograd6_output, &winograd6_kernel}, {}};
    k.fewer_rows[0] = {8, &run_tile<Avx512, 8, 2>};
    k.fewer_rows[1] = {7, &run_tile<Avx512, 7, 2>};
    return k;
}

// Direct path only (no Winograd transforms), and no narrower variants: it serves GEMMs of 100 rows and more.
MicroKernel microkernel_avx512_wide() { return MicroKernel{6, 64, &run_tile<Avx512, 6, 4>, {}, {}, {}, {}}; }

}  // namespace detail
}  // namespace convscope

#else  // compiled without AVX-512 flags: no kernel

namespace convscope {
namespace detail {
MicroKernel microkernel_avx512() { return MicroKernel{}; }
MicroKernel microkernel_avx512_wide() { return MicroKernel{}; }
}  // namespace detail
}  // namespace convscope

#endif
