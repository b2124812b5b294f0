#include "core/kernels/fast/elementwise_fast.hpp"

#include <algorithm>
#include <cassert>

#include "core/kernels/fast/simd_lanes.hpp"

namespace convscope {
namespace {

using detail::for_lanes;
using detail::load;
using detail::relu;
using detail::store;

// About 256 KB of output per task: large enough to hide the pool's per-task cost, small enough to cancel in
// well under a millisecond. These ops are memory-bound; each is one xsimd loop over a row or chunk.
constexpr std::size_t kChunk = std::size_t(1) << 16;

template <typename Fn>
void for_chunks(std::size_t count, std::size_t chunk, const Context& ctx, Fn fn) {
    const std::size_t tasks = (count + chunk - 1) / chunk;
    ctx.parallel_for(tasks, [&](std::size_t t) {
        const std::size_t begin = t * chunk;
        fn(begin, std::min(count, begin + chunk));
    });
}

}  // namespace

void batch_norm_fast(const float* x, const float* scale, const float* shift, float* out_bn, float* out_relu,
                     std::size_t pixels, std::size_t channels, const Context& ctx) {
    assert(x && scale && shift && (out_bn || out_relu));
    if (pixels == 0 || channels == 0) return;
    // Chunks are whole pixels so the channel index restarts at 0 in every row.
    const std::size_t chunk_pixels = std::max<std::size_t>(1, kChunk / channels);
    for_chunks(pixels, chunk_pixels, ctx, [&](std::size_t p0, std::size_t p1) {
        for (std::size_t p = p0; p < p1; ++p) {
            const float* row = x + p * channels;          // (channels)
            float* bn = out_bn ? out_bn + p * channels : nullptr;
            float* rl = out_relu ? out_relu + p * channels : nullptr;
            for_lanes(channels, [&](auto lane, std::size_t c) {
                // -ffp-contract=off: a multiply, then an add, as the conv epilogue rounds
                const auto v = load(lane, row + c) * load(lane, scale + c) + load(lane, shift + c);
                if (bn) store(bn + c, v);
                if (rl) store(rl + c, relu(v));
            });
        }
    });
}

void relu_fast(const float* x, float* out, std::size_t count, const Context& ctx) {
    assert(x && out);
    for_chunks(count, kChunk, ctx, [&](std::size_t i0, std::size_t i1) {
        for_lanes(i1 - i0, [&](auto lane, std::size_t i) { store(out + i0 + i, relu(load(lane, x + i0 + i))); });
    });
}

void add_fast(const float* a, const float* b, float* out_sum, float* out_relu, std::size_t count,
              const Context& ctx) {
    assert(a && b && (out_sum || out_relu));
    for_chunks(count, kChunk, ctx, [&](std::size_t i0, std::size_t i1) {
        for_lanes(i1 - i0, [&](auto lane, std::size_t k) {
            const std::size_t i = i0 + k;
            const auto v = load(lane, a + i) + load(lane, b + i);
            if (out_sum) store(out_sum + i, v);
            if (out_relu) store(out_relu + i, relu(v));
        });
    });
}

namespace {

// One pixel row of affine_add_fast(), specialised at compile time so that each variant is a branch-free loop.
template <bool AffineA, bool AffineB>
void affine_add_row(const float* a, const float* as, const float* at, const float* b, const float* bs,
                    const float* bt, float* sum, float* rl, std::size_t channels) {
    for_lanes(channels, [&](auto lane, std::size_t c) {
        auto x = load(lane, a + c);
        if constexpr (AffineA) x = x * load(lane, as + c) + load(lane, at + c);  // a multiply, then an add
        auto y = load(lane, b + c);
        if constexpr (AffineB) y = y * load(lane, bs + c) + load(lane, bt + c);
        const auto v = x + y;
        if (sum) store(sum + c, v);
        if (rl) store(rl + c, relu(v));
    });
}

template <bool AffineA, bool AffineB>
void affine_add_rows(const float* a, const float* as, const float* at, const float* b, const float* bs,
                     const float* bt, float* out_sum, float* out_relu, std::size_t p0, std::size_t p1,
                     std::size_t channels) {
    for (std::size_t p = p0; p < p1; ++p) {
        const std::size_t o = p * channels;
        affine_add_row<AffineA, AffineB>(a + o, as, at, b + o, bs, bt, out_sum ? out_sum + o : nullptr,
                                         out_relu ? out_relu + o : nullptr, channels);
    }
}

}  // namespace

void affine_add_fast(const float* a, const float* a_scale, const float* a_shift, const float* b,
                     const float* b_scale, const float* b_shift, float* out_sum, float* out_relu, std::size_t pixels,
                     std::size_t channels, const Context& ctx) {
    assert(a && b && (out_sum || out_relu));
    assert(bool(a_scale) == bool(a_shift) && bool(b_scale) == bool(b_shift));
    if (pixels == 0 || channels == 0) return;
    const std::size_t chunk_pixels = std::max<std::size_t>(1, kChunk / channels);
    for_chunks(pixels, chunk_pixels, ctx, [&](std::size_t p0, std::size_t p1) {
        if (a_scale && b_scale)
            affine_add_rows<true, true>(a, a_scale, a_shift, b, b_scale, b_shift, out_sum, out_relu, p0, p1, channels);
        else if (a_scale)
            affine_add_rows<true, false>(a, a_scale, a_shift, b, b_scale, b_shift, out_sum, out_relu, p0, p1, channels);
        else if (b_scale)
            affine_add_rows<false, true>(a, a_scale, a_shift, b, b_scale, b_shift, out_sum, out_relu, p0, p1, channels);
        else
            affine_add_rows<false, false>(a, a_scale, a_shift, b, b_scale, b_shift, out_sum, out_relu, p0, p1, channels);
    });
}

}  // namespace convscope
