#pragma once
// The fast Dense (fully connected) kernel: a matrix-vector product in the Keras layout, parallel over ctx's pool.
//
//   dense_fast()   y = x . kernel + bias
//
// The reference (Dense::forward with Kernels::reference) walks the kernel column by column, one strided load per
// multiply. Here every task owns a block of consecutive kernel rows (inputs), one contiguous stream of memory, and
// adds them into its own sums for every unit; the blocks' sums are then added in block order. Each output is so
// summed in an order fixed by the block size, whoever runs each block: results never depend on the thread count.
// So ResNet50's fc1000 (8 MB of kernel) runs at memory speed, where blocks of units would each read a short run
// from every row. Cancellable between blocks.

#include "core/thread_pool.hpp"

namespace convscope {

// x (in), kernel (in, units) row-major, bias (units) or nullptr, y (units). y must not alias x or kernel.
void dense_fast(const float* x, const float* kernel, const float* bias, float* y, int in, int units,
                const Context& ctx);

}  // namespace convscope
