#pragma once
// Internal to the elementwise kernels (elementwise_fast.cpp, max_pooling2d_fast.cpp): a loop body written once
// and run on xsimd batches over whole vectors, then on single floats for the tail, with the same arithmetic, so
// the tail rounds exactly as the vectors do.
//
// Only for files compiled without -m flags: the batch is then the portable x86-64 baseline's (SSE2) or AArch64's
// ASIMD, and these inline functions are the same machine code in every file that uses them (an AVX-512 copy could
// otherwise be the one the linker keeps). These kernels are memory-bound: wider vectors would not make them faster.

#include <cstddef>

#include <xsimd/xsimd.hpp>

namespace convscope {
namespace detail {

using FloatBatch = xsimd::batch<float>;

inline FloatBatch load(FloatBatch, const float* p) { return FloatBatch::load_unaligned(p); }
inline float load(float, const float* p) { return *p; }
inline void store(float* p, FloatBatch v) { v.store_unaligned(p); }
inline void store(float* p, float v) { *p = v; }

// std::max(x, 0) as the reference layer computes it: NaN stays NaN (as in Keras' TensorFlow CPU kernel), -0
// stays -0. maxps(0, x) returns its second operand for a NaN or two zeros; the conv epilogues do the same.
#if defined(__aarch64__)
// NEON's FMAX returns NaN when either operand is one and +0 for max(+0, -0): the comparison and a select instead.
inline FloatBatch relu(FloatBatch x) { return xsimd::select(x < FloatBatch(0.0f), FloatBatch(0.0f), x); }
#else
inline FloatBatch relu(FloatBatch x) { return xsimd::max(FloatBatch(0.0f), x); }
#endif
inline float relu(float x) { return 0.0f > x ? 0.0f : x; }

// max(best, x) where a NaN x never replaces best, as std::max(best, x) (maxps(x, best) returns best then).
#if defined(__aarch64__)
inline FloatBatch keep_max(FloatBatch best, FloatBatch x) { return xsimd::select(x > best, x, best); }
#else
inline FloatBatch keep_max(FloatBatch best, FloatBatch x) { return xsimd::max(x, best); }
#endif
inline float keep_max(float best, float x) { return best < x ? x : best; }

// body(lane, i) for every i in [0, n): lane is a FloatBatch covering [i, i + FloatBatch::size) while whole
// batches fit, then a float for each remaining i. Load and store through load(lane, p) and store(p, value).
template <typename Body>
inline void for_lanes(std::size_t n, Body body) {
    constexpr std::size_t lanes = FloatBatch::size;
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) body(FloatBatch{}, i);
    for (; i < n; ++i) body(0.0f, i);
}

}  // namespace detail
}  // namespace convscope
