#include "core/kernels/fast/dense_fast.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <vector>

namespace convscope {

namespace {
// Kernel rows per task: a contiguous block of the kernel (ResNet50's fc1000: 128 rows x 1000 units = 512 KB),
// read as one sequential stream, so the pass runs at memory speed. 2048 inputs make 16 tasks, enough to balance
// two or three threads and to cancel promptly.
constexpr int kRowsPerTask = 128;
}  // namespace

void dense_fast(const float* x, const float* kernel, const float* bias, float* y, int in, int units,
                const Context& ctx) {
    assert(x && kernel && y && in >= 1 && units >= 1);
    const int tasks = (in + kRowsPerTask - 1) / kRowsPerTask;
    std::vector<float> partial(std::size_t(tasks) * std::size_t(units), 0.0f);  // (tasks, units)
    ctx.parallel_for(std::size_t(tasks), [&](std::size_t task) {
        float* acc = partial.data() + task * std::size_t(units);  // (units) this block's sums
        const int i0 = int(task) * kRowsPerTask, i1 = std::min(in, i0 + kRowsPerTask);
        for (int i = i0; i < i1; ++i) {
            const float xi = x[i];
            const float* row = kernel + std::size_t(i) * std::size_t(units);  // (units) kernel[i, ...]
            for (int u = 0; u < units; ++u) acc[u] += xi * row[u];
        }
    });
    // The blocks' sums in block order, after the bias: an order fixed by kRowsPerTask, whatever ran each block.
    for (int u = 0; u < units; ++u) {
        float sum = bias ? bias[u] : 0.0f;
        for (int t = 0; t < tasks; ++t) sum += partial[std::size_t(t) * std::size_t(units) + std::size_t(u)];
        y[u] = sum;
    }
}

}  // namespace convscope
