#include "core/kernels/dense_fast.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>

namespace convscope {

namespace {
// Output units per task: a 256-byte run of every kernel row (four cache lines, a whole number of vectors), and
// ResNet50's 1000 classes make 16 tasks, enough to balance two or three threads.
constexpr int kUnitsPerTask = 64;
constexpr int kRowsAhead = 16;
}  // namespace

void dense_fast(const float* x, const float* kernel, const float* bias, float* y, int in, int units,
                const Context& ctx) {
    assert(x && kernel && y && in >= 1 && units >= 1);
    const int tasks = (units + kUnitsPerTask - 1) / kUnitsPerTask;
    ctx.parallel_for(std::size_t(tasks), [&](std::size_t task) {
        const int u0 = int(task) * kUnitsPerTask, n = std::min(kUnitsPerTask, units - u0);
        float acc[kUnitsPerTask];  // (n) running sums of this block's units
        for (int u = 0; u < n; ++u) acc[u] = bias ? bias[u0 + u] : 0.0f;
        for (int i = 0; i < in; ++i) {
            const float xi = x[i];
            const float* row = kernel + std::size_t(i) * units + u0;  // (n) kernel[i, u0 ...]
            // The task reads a short run from every kernel row, rows `units` floats apart: ask for a later row's
            // lines now, since the hardware prefetcher does not follow runs that far apart.
            if (i + kRowsAhead < in)
                for (int u = 0; u < n; u += 16) __builtin_prefetch(row + std::size_t(kRowsAhead) * units + u, 0, 0);
            for (int u = 0; u < n; ++u) acc[u] += xi * row[u];
        }
        std::copy(acc, acc + n, y + u0);
    });
}

}  // namespace convscope
