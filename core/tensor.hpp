#pragma once
// Tensors and shapes shared by the whole engine.
//
//   Tensor3   activations, (H, W, C), batch 1, channels_last as in Keras
//   Shape     a node's output shape without data; `flat` marks a (C,) vector (after pooling/Dense)
//   IntPair   a Keras "int or (rows, cols)" argument
//   keras_shape()  "(None, 300, 300, 64)" / "(None, 2048)", the notation Keras prints
//   python_tuple() "(1, 1, 64, 64)" / "(64,)", any rank

#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "core/aligned_memory.hpp"

namespace convscope {

// (H, W, C). Buffers start on a 64-byte boundary (one cache line, one AVX-512 register) so the fast
// kernels' row stores never straddle lines at the start; xtensor's default alignment is 16.
using Tensor3 = xt::xtensor_container<xt::uvector<float, AlignedAllocator<float>>, 3, xt::layout_type::row_major>;
// A layer's weights, any rank, in the same memory (the Dense kernel is read whole in every forward pass).
using WeightArray = xt::xarray_container<xt::uvector<float, AlignedAllocator<float>>, xt::layout_type::row_major,
                                         xt::svector<std::size_t, 4>>;

struct IntPair {
    int rows = 1;
    int cols = 1;
    IntPair() = default;
    IntPair(int both) : rows(both), cols(both) {}  // NOLINT: Keras accepts one int for both axes
    IntPair(int r, int c) : rows(r), cols(c) {}
    bool operator==(const IntPair& o) const { return rows == o.rows && cols == o.cols; }
    bool operator!=(const IntPair& o) const { return !(*this == o); }
};

// "(2, 2)" as Keras prints a pair.
std::string to_string(IntPair p);

struct Shape {
    int h = 1;
    int w = 1;
    int c = 1;
    bool flat = false;  // true: a (C,) vector stored as (1, 1, C)

    static Shape image(int h, int w, int c) { return Shape{h, w, c, false}; }
    static Shape vector(int c) { return Shape{1, 1, c, true}; }
    std::int64_t size() const { return std::int64_t(h) * w * c; }
    bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c && flat == o.flat; }
    bool operator!=(const Shape& o) const { return !(*this == o); }
};

// Keras notation with the batch axis: "(None, 300, 300, 64)" or "(None, 2048)".
std::string keras_shape(const Shape& s);
// Without the batch axis, as in error messages: "(300, 300, 64)".
std::string plain_shape(const Shape& s);
// Any rank, as Python prints a tuple: "(1, 1, 64, 64)", and a vector "(64,)" (.npy headers, weight shapes).
std::string python_tuple(const std::vector<std::size_t>& dims);

inline Shape shape_of(const Tensor3& t, bool flat = false) {
    return Shape{int(t.shape()[0]), int(t.shape()[1]), int(t.shape()[2]), flat};
}
inline Tensor3 make_tensor(const Shape& s) {
    return Tensor3::from_shape({std::size_t(s.h), std::size_t(s.w), std::size_t(s.c)});
}

// 1234567 -> "1,234,567", as Keras' model.summary() prints counts.
std::string with_thousands(std::int64_t n);
// {"a", "b", "c"} -> "a, b or c", for messages listing the accepted names.
std::string or_list(const std::vector<std::string>& names);

}  // namespace convscope
