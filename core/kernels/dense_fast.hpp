#pragma once
// The fast Dense (fully connected) kernel: a matrix-vector product in the Keras layout, parallel over ctx's pool.
//
//   dense_fast()   y = x . kernel + bias
//
// The reference (Dense::forward with Kernels::reference) walks the kernel column by column, one strided load per
// multiply; here every task owns a block of output units and walks the kernel row by row, so each load is a
// contiguous run and the compiler vectorises the inner loop. Each output sums its inputs in ascending order in
// float, whoever runs its block: results never depend on the thread count. Cancellable between blocks.

#include "core/thread_pool.hpp"

namespace convscope {

// x (in), kernel (in, units) row-major, bias (units) or nullptr, y (units). y must not alias x or kernel.
void dense_fast(const float* x, const float* kernel, const float* bias, float* y, int in, int units,
                const Context& ctx);

}  // namespace convscope
