#pragma once
// What shape and conv print about the Conv2D arguments beyond the geometry: the initializers' formulas and the
// kernel drawn, the regularizers' penalties, the constraints' effects (both only in training).
//
//   print_initializers(conv, seed)          formulas with the layer's numbers, and statistics of the drawn values
//   print_training_arguments(conv, output)  regularizer penalties and constraint effects for the current weights
//                                           (and the output, for activity_regularizer, when there is one)

#include "core/layers/conv2d.hpp"

namespace convscope::cli {

void print_initializers(const Conv2D& conv, std::uint64_t seed);
void print_training_arguments(const Conv2D& conv, const Tensor3* output);

}  // namespace convscope::cli
