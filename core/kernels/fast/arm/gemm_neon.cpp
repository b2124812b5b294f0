// AArch64 ASIMD (NEON) microkernel: 6 pixels x 16 filters, as the AVX2 one: per input channel four B vectors, six
// scalar loads of A and 24 FMLA by element; the tile is gemm_tile.inc over the traits below, the same tile the x86
// kernels run, so the epilogues (bias, BN, residual join, ReLU) and their rounding are the same code. Every AArch64
// CPU has ASIMD with FMA: no run-time check, no extra compiler flag. See gemm_microkernel.hpp.
//
// The tile shape was chosen from GCC 12's code for the K loop (aarch64-linux-gnu-objdump of this file at -O3):
// 6 x 16 is 38 instructions with 24 FMLA, 9 loads and 2 accumulators spilled (24 accumulators, 4 B vectors and 6 A
// values want 34 of the 32 registers); 8 x 12: 44 with 24 FMLA and 5 stack accesses; 7 x 12 and 5 x 16 spill more.
//
// The traits are hand intrinsics rather than xsimd batches: gemm_tile.inc needs masked loads and stores (the last
// filters of a layer), which xsimd's batch type does not offer; the rest is one intrinsic per trait.
#include "core/kernels/fast/gemm_microkernel.hpp"

#include <cstdint>

#if defined(__aarch64__)
#include <arm_neon.h>

namespace convscope {
namespace detail {
namespace {

#define CONVSCOPE_VECTOR_FLOATS 4
#include "core/kernels/fast/winograd_transforms.inc"

struct Neon {
    using Vec = float32x4_t;
    using Mask = int;  // how many lanes, from the first, to touch (0..4)
    static constexpr int kLanes = 4;
    static constexpr bool kStreams = false;  // no non-temporal store worth having (STNP is only a hint)
    static Mask mask(int left) { return left <= 0 ? 0 : left >= 4 ? 4 : left; }
    static Vec zero() { return vdupq_n_f32(0.0f); }
    static Vec load(const float* p) { return vld1q_f32(p); }
    // A partial vector reads only its lanes: the floats after the last filter may lie past the allocation.
    static Vec load(Mask k, const float* p) {
        if (k == 4) return vld1q_f32(p);
        float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int i = 0; i < k; ++i) lanes[i] = p[i];
        return vld1q_f32(lanes);
    }
    static void store(float* p, Mask k, Vec v) {
        if (k == 4) {
            vst1q_f32(p, v);
            return;
        }
        float lanes[4];
        vst1q_f32(lanes, v);
        for (int i = 0; i < k; ++i) p[i] = lanes[i];
    }
    static void stream(float* p, Vec v) { vst1q_f32(p, v); }  // never called: kStreams is false
    static Vec broadcast(const float* p) { return vld1q_dup_f32(p); }
    static Vec fmadd(Vec a, Vec b, Vec c) { return vfmaq_f32(c, a, b); }  // c + a * b, rounded once
    static Vec mul(Vec a, Vec b) { return vmulq_f32(a, b); }
    static Vec add(Vec a, Vec b) { return vaddq_f32(a, b); }
    // 0 > x ? 0 : x per lane. Not FMAX: it turns -0 into +0 (as std::max(x, 0) does not); a NaN compares false
    // and stays.
    static Vec relu(Vec x) { return vbslq_f32(vcltzq_f32(x), vdupq_n_f32(0.0f), x); }
};

#include "core/kernels/fast/gemm_tile.inc"

}  // namespace

MicroKernel microkernel_neon() {
    MicroKernel k{6, 16, &run_tile<Neon, 6, 4>, {&winograd_input, &winograd_output, &winograd_kernel},
                  {&winograd4_input, &winograd4_output, &winograd4_kernel},
                  {&winograd6_input, &winograd6_output, &winograd6_kernel}, {}};
    // Fewer rows for GEMMs with few output pixels (stage 5 at small inputs): the same columns, the same sums.
    k.fewer_rows[0] = {4, &run_tile<Neon, 4, 4>};
    k.fewer_rows[1] = {2, &run_tile<Neon, 2, 4>};
    return k;
}

}  // namespace detail
}  // namespace convscope

#else  // not an AArch64 build: no kernel

namespace convscope {
namespace detail {
MicroKernel microkernel_neon() { return MicroKernel{}; }
}  // namespace detail
}  // namespace convscope

#endif
