#include "core/kernels/fast/max_pooling2d_fast.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

#include "core/kernels/fast/simd_lanes.hpp"

namespace convscope {

void max_pool2d_fast(const MaxPool2DParams& p, const float* input, float* output, const Context& ctx) {
    assert(input && output && p.channels >= 1 && p.out_h >= 1 && p.out_w >= 1);
    const std::size_t C = std::size_t(p.channels);
    // Rows per task: about 256 KB of output, at least one row.
    const std::size_t row_floats = std::size_t(p.out_w) * C;
    const int rows_per_task = int(std::max<std::size_t>(1, (std::size_t(1) << 16) / row_floats));
    const int tasks = (p.out_h + rows_per_task - 1) / rows_per_task;
    constexpr float kLowest = -std::numeric_limits<float>::infinity();
    constexpr std::size_t kLanes = detail::FloatBatch::size;
    ctx.parallel_for(std::size_t(tasks), [&](std::size_t task) {
        const int oy0 = int(task) * rows_per_task, oy1 = std::min(p.out_h, oy0 + rows_per_task);
        for (int oy = oy0; oy < oy1; ++oy) {
            // The window rows inside the input: the clipping is what makes padded cells never win.
            const int y0 = oy * p.stride_h - p.pad_top;
            const int ky0 = std::max(0, -y0), ky1 = std::min(p.pool_h, p.in_h - y0);
            for (int ox = 0; ox < p.out_w; ++ox) {
                const int x0 = ox * p.stride_w - p.pad_left;
                const int kx0 = std::max(0, -x0), kx1 = std::min(p.pool_w, p.in_w - x0);
                float* out = output + (std::size_t(oy) * p.out_w + ox) * C;  // (channels)
                // visit(cell) for the window's cells inside the input, row by row: cell points at its channels.
                auto for_each_cell = [&](auto&& visit) {
                    for (int ky = ky0; ky < ky1; ++ky)
                        for (int kx = kx0; kx < kx1; ++kx)
                            visit(input + (std::size_t(y0 + ky) * p.in_w + (x0 + kx)) * C);
                };
                // Four vectors of channels at a time, their maxima in registers over the whole window: each output
                // is stored once (updating it in memory cell by cell made this 3.5x slower than ONNX Runtime's
                // pooling). The cells are taken in the same order from -infinity on, so the values are the same.
                std::size_t c = 0;
                for (; c + 4 * kLanes <= C; c += 4 * kLanes) {
                    detail::FloatBatch best[4] = {kLowest, kLowest, kLowest, kLowest};
                    for_each_cell([&](const float* in) {
                        for (std::size_t j = 0; j < 4; ++j) {
                            const detail::FloatBatch x = detail::load(detail::FloatBatch{}, in + c + j * kLanes);
                            best[j] = detail::keep_max(best[j], x);
                        }
                    });
                    for (std::size_t j = 0; j < 4; ++j) detail::store(out + c + j * kLanes, best[j]);
                }
                // The channels left: a vector, then single floats, each with the same arithmetic.
                detail::for_lanes(C - c, [&](auto lane, std::size_t i) {
                    decltype(lane) best(kLowest);
                    for_each_cell([&](const float* in) {
                        best = detail::keep_max(best, detail::load(lane, in + c + i));
                    });
                    detail::store(out + c + i, best);
                });
            }
        }
    });
}

}  // namespace convscope
