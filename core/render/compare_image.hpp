#pragma once
// Two feature maps compared as pictures: one value range for both, so equal brightness means equal value, and
// the whole comparison as one image for a handout.
//
//   shared_range(a, ca, b, cb, n)   the range both maps are painted with: per_channel -> the union of the two
//                                   channels' [min, max]; per_layer -> the union of the two tensors' [min, max];
//                                   symmetric -> [-m, m] with m the largest |x| of either tensor
//   difference_map(a, ca, b, cb)    B - A as an (H, W, 1) tensor (only when the two maps have the same H and W)
//   no_difference_reason(a, b)      why B - A is not drawn for maps of different sizes, "" when it can be
//   render_comparison(...)          A | B | B - A with titles, shapes and colour bars (the GUI's export)
//   wrapped_title(s, width, ts)     a title in lines of at most width pixels (text scale ts), broken between
//                                   a Keras line's arguments, never inside a tuple such as "strides=(2, 2)"

#include <string>
#include <vector>

#include "core/render/colormap.hpp"
#include "core/render/feature_map.hpp"  // render_fitted()
#include "core/render/image_rgba.hpp"
#include "core/render/normalize.hpp"
#include "core/tensor.hpp"

namespace convscope {

ValueRange shared_range(const Tensor3& a, int channel_a, const Tensor3& b, int channel_b, Normalization n);
Tensor3 difference_map(const Tensor3& a, int channel_a, const Tensor3& b, int channel_b);
// "B - A is not drawn: A is 64 x 64 and B 32 x 32 ..." when the maps differ in height or width (a subtraction
// needs one value of each at every position); "" when they match. The CLI prints it and the GUI shows it.
std::string no_difference_reason(const Tensor3& a, const Tensor3& b);

struct ComparisonImageOptions {
    std::string title_a = "A", title_b = "B";  // what each side is (its Keras line, or "before the edit")
    Normalization normalization = Normalization::per_channel;
    Colormap colormap = Colormap::viridis;
    int box = 384;       // each map fits a box x box square (aspect kept)
    int text_scale = 2;
    bool difference = true;  // add B - A when the two maps have the same size
};

RgbaImage render_comparison(const Tensor3& a, int channel_a, const Tensor3& b, int channel_b,
                            const ComparisonImageOptions& options);
std::vector<std::string> wrapped_title(const std::string& title, int width, int text_scale);

}  // namespace convscope
