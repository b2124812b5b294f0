#pragma once
// NumPy .npy arrays (format versions 1.0, 2.0 and 3.0), float32 only, read and written by our own small
// codec so that every bad file gets a message naming the file, what was found and what is expected:
//   "x.npy: dtype is <f8 (float64), expected float32 (<f4)"
//   "x.npy: 2 dimensions (5, 7), expected 3 (H, W, C)"
//   "x.npy: truncated: header promises 300 values, file holds 120"
//
//   encode_npy(t, flat)       the bytes of a .npy: '<f4', C order, shape (H, W, C), or (C,) when flat
//   encode_npy_array(v, shape) any shape, e.g. a (H, W) map; v holds the values in C order
//   save_npy(path, t, flat)   the same written atomically (see atomic_file.hpp); numpy.load reads it
//   NpyArray                  what a file holds: shape and float32 values in C order
//   decode_npy(bytes, size, name)  the same from memory (`name` starts every message)
//   load_npy(path)            any float32 array ('<f4' or '>f4', C or Fortran order), converted to C order
//   load_npy_hwc(path)        an activation or image (H, W, C)
//   load_npy_kernel(path)     a Conv2D kernel (kh, kw, in, out)
//   load_npy_vector(path)     a bias or a flat activation (C,)
// All loaders throw InputError; a missing or unreadable file says so with the system's reason.

#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "core/tensor.hpp"

namespace convscope {

std::vector<std::uint8_t> encode_npy(const Tensor3& t, bool flat = false);  // t: (H, W, C)
std::vector<std::uint8_t> encode_npy_array(const float* values, const std::vector<std::size_t>& shape);
void save_npy(const std::string& path, const Tensor3& t, bool flat = false);  // t: (H, W, C)

struct NpyArray {
    std::vector<std::size_t> shape;
    std::vector<float> values;  // C order
};

NpyArray decode_npy(const std::uint8_t* bytes, std::size_t size, const std::string& name);
NpyArray load_npy(const std::string& path);
Tensor3 load_npy_hwc(const std::string& path);                      // (H, W, C)
xt::xtensor<float, 4> load_npy_kernel(const std::string& path);     // (kh, kw, in, out)
xt::xtensor<float, 1> load_npy_vector(const std::string& path);     // (C,)

}  // namespace convscope
