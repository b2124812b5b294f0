#pragma once
// What shape and conv print about the Conv2D arguments beyond the geometry: the initializers' formulas and the
// kernel drawn, the regularizers' penalties, the constraints' effects (both only in training).
//
//   print_initializers(conv, input, seed, drawn)   formulas with the layer's numbers, and statistics of the drawn
//                                           values when conv holds them (shape draws only up to kShapeDrawLimit)
//   print_training_arguments(conv, output)  regularizer penalties and constraint effects for the current weights
//                                           (and the output, for activity_regularizer, when there is one)

#include "core/layers/conv2d.hpp"

namespace convscope::cli {

// shape draws a kernel of at most this many values (16 MiB; ResNet50's largest, 3x3x512x512, has 2,359,296): a
// larger one would only be allocated and filled to print four statistics.
constexpr std::int64_t kShapeDrawLimit = std::int64_t(1) << 22;

// The kernel's element count, from a Conv2D's weight_shapes() that output_shape() accepted (within the budget).
std::int64_t kernel_value_count(const std::vector<std::vector<std::size_t>>& weight_shapes);
// drawn: conv holds its drawn weights (false when shape did not draw them: no statistics, no penalties).
void print_initializers(const Conv2D& conv, const Shape& input, std::uint64_t seed, bool drawn = true);
void print_training_arguments(const Conv2D& conv, const Tensor3* output, bool drawn = true);

}  // namespace convscope::cli
