#include "core/kernels/elementwise_fast.hpp"

#include <algorithm>
#include <cassert>

namespace convscope {
namespace {

// About 256 KB of output per task: large enough to hide the pool's per-task cost, small enough to cancel in
// well under a millisecond. These ops are memory-bound; the plain loops below vectorise at -O2/-O3.
constexpr std::size_t kChunk = std::size_t(1) << 16;

inline float relu(float x) { return x > 0.0f ? x : 0.0f; }  // NaN -> 0, like maxps(x, 0)

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
            if (bn && rl) {
                for (std::size_t c = 0; c < channels; ++c) {
                    const float v = row[c] * scale[c] + shift[c];
                    bn[c] = v;
                    rl[c] = relu(v);
                }
            } else if (bn) {
                for (std::size_t c = 0; c < channels; ++c) bn[c] = row[c] * scale[c] + shift[c];
            } else {
                for (std::size_t c = 0; c < channels; ++c) rl[c] = relu(row[c] * scale[c] + shift[c]);
            }
        }
    });
}

void relu_fast(const float* x, float* out, std::size_t count, const Context& ctx) {
    assert(x && out);
    for_chunks(count, kChunk, ctx, [&](std::size_t i0, std::size_t i1) {
        for (std::size_t i = i0; i < i1; ++i) out[i] = relu(x[i]);
    });
}

void add_fast(const float* a, const float* b, float* out_sum, float* out_relu, std::size_t count,
              const Context& ctx) {
    assert(a && b && (out_sum || out_relu));
    for_chunks(count, kChunk, ctx, [&](std::size_t i0, std::size_t i1) {
        if (out_sum && out_relu) {
            for (std::size_t i = i0; i < i1; ++i) {
                const float v = a[i] + b[i];
                out_sum[i] = v;
                out_relu[i] = relu(v);
            }
        } else if (out_sum) {
            for (std::size_t i = i0; i < i1; ++i) out_sum[i] = a[i] + b[i];
        } else {
            for (std::size_t i = i0; i < i1; ++i) out_relu[i] = relu(a[i] + b[i]);
        }
    });
}

namespace {

// One pixel row of affine_add_fast(), specialised at compile time so that each variant is a plain loop the
// compiler vectorises (no per-element branches).
template <bool AffineA, bool AffineB, bool WriteSum, bool WriteRelu>
void affine_add_row(const float* a, const float* as, const float* at, const float* b, const float* bs,
                    const float* bt, float* sum, float* rl, std::size_t channels) {
    for (std::size_t c = 0; c < channels; ++c) {
        float x = a[c];
        if constexpr (AffineA) x = x * as[c] + at[c];  // -ffp-contract=off: a multiply, then an add
        float y = b[c];
        if constexpr (AffineB) y = y * bs[c] + bt[c];
        const float v = x + y;
        if constexpr (WriteSum) sum[c] = v;
        if constexpr (WriteRelu) rl[c] = relu(v);
    }
}

template <bool AffineA, bool AffineB>
void affine_add_rows(const float* a, const float* as, const float* at, const float* b, const float* bs,
                     const float* bt, float* out_sum, float* out_relu, std::size_t p0, std::size_t p1,
                     std::size_t channels) {
    for (std::size_t p = p0; p < p1; ++p) {
        const std::size_t o = p * channels;
        float* sum = out_sum ? out_sum + o : nullptr;
        float* rl = out_relu ? out_relu + o : nullptr;
        if (sum && rl) affine_add_row<AffineA, AffineB, true, true>(a + o, as, at, b + o, bs, bt, sum, rl, channels);
        else if (sum) affine_add_row<AffineA, AffineB, true, false>(a + o, as, at, b + o, bs, bt, sum, rl, channels);
        else affine_add_row<AffineA, AffineB, false, true>(a + o, as, at, b + o, bs, bt, sum, rl, channels);
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
