#pragma once
// Kernel sources for the playground: Keras' glorot_uniform with a seed, or classic image filters that
// make the feature maps meaningful without any training.
//
//   KernelSource           glorot_uniform, identity, box_blur, gaussian, sharpen, sobel_x, sobel_y,
//                          laplacian, emboss
//   kernel_source_names()  labels for the UI, in enum order; to_string / parse_kernel_source for sessions
//   classic_kernel_2d()    the (kh, kw) filter; 3x3 gives the textbook matrices, other sizes a natural
//                          generalisation (Gaussian sigma = k/6, Sobel = derivative x smoothing, ...)
//   fill_classic_kernel()  a Conv2D kernel (kh, kw, in, filters): filter f applies the 2-D filter to input
//                          channel f mod in (R, G, B, R, ...) so each map is one colour's response

#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope::gui {

enum class KernelSource { glorot_uniform, identity, box_blur, gaussian, sharpen, sobel_x, sobel_y, laplacian, emboss };

const std::vector<std::string>& kernel_source_names();
const char* to_string(KernelSource k);            // "glorot_uniform", "sobel_x", ...
KernelSource parse_kernel_source(const std::string& s);  // throws ConfigError naming the value

std::vector<float> classic_kernel_2d(KernelSource k, int kh, int kw);  // (kh, kw), row-major
void fill_classic_kernel(KernelSource k, WeightArray& kernel);   // kernel: (kh, kw, in, filters)

}  // namespace convscope::gui
