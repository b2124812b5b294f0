#pragma once
// What shape and conv print about the Conv2D arguments beyond the geometry: the initializers' formulas and the
// kernel drawn, the regularizers' penalties, the constraints' effects (both only in training).
//
//   print_initializers(conv, input, seed)   formulas with the layer's numbers, and statistics of the drawn values
//                                           when conv was built (shape builds it only up to kShapeDrawLimit values)
//   print_training_arguments(conv, output)  regularizer penalties and constraint effects for the current weights
//                                           (and the output, for activity_regularizer, when there is one)

#include "core/layers/conv2d.hpp"

namespace convscope::cli {

// shape draws a kernel of at most this many values (16 MiB; ResNet50's largest, 3x3x512x512, has 2,359,296): a
// larger one would only be allocated and filled to print four statistics.
constexpr std::int64_t kShapeDrawLimit = std::int64_t(1) << 22;

std::int64_t value_count(const std::vector<std::size_t>& shape);
void print_initializers(const Conv2D& conv, const Shape& input, std::uint64_t seed);
// drawn: conv holds its weights (false when shape did not draw them: the penalties are then not evaluated).
void print_training_arguments(const Conv2D& conv, const Tensor3* output, bool drawn = true);
// conv's weights have the shapes given (it was built for them, so its values are the drawn ones).
bool is_built_for(const Conv2D& conv, const std::vector<std::vector<std::size_t>>& shapes);

}  // namespace convscope::cli
