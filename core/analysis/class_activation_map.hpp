#pragma once
// Class activation maps (Zhou et al. 2016, "Learning Deep Features for Discriminative Localization").
// ResNet50 with the classifier ends in GlobalAveragePooling2D and one Dense layer, so its logit for class c
// is  mean over (i, j) of  CAM_c(i, j)  +  bias_c,  with
//
//     CAM_c(i, j) = sum_k  kernel[k, c] * A_k(i, j)
//
// where A is the last block's output (res5c_relu, (H, W, K)) and kernel fc1000's Dense kernel (K, 1000).
// The map says where in the image the evidence for class c lies. It is the raw sum: no bias, no ReLU, no
// normalisation (those are choices of a picture, made by render_cam_overlay()).
//
//   class_activation_map(A, kernel, c)   the map from the tensors themselves: (H, W)
//   CamSource / find_cam_source(graph)   the nodes it needs: the feature node (avg_pool's input) and the Dense
//                                        node; ConfigError when the graph has no classifier top
//   class_activation_map(engine, c)      the same from a run engine's cached outputs and weights
//   render_cam_overlay()                 the map upsampled (bilinear, pixel centres aligned) to the image's
//                                        size, scaled min..max to [0, 1], coloured and blended over the image

#include <xtensor/xtensor.hpp>

#include "core/engine/engine.hpp"
#include "core/image/image.hpp"
#include "core/render/colormap.hpp"
#include "core/render/image_rgba.hpp"
#include "core/tensor.hpp"

namespace convscope {

using Map2 = xt::xtensor<float, 2>;  // (H, W)

Map2 class_activation_map(const Tensor3& features, const WeightArray& kernel, int class_index);

struct CamSource {
    int features = -1;  // avg_pool's input, the last block output (res5c_relu)
    int dense = -1;     // fc1000
};
CamSource find_cam_source(const Graph& graph);

Map2 class_activation_map(Engine& engine, int class_index);

// Bilinear resize of a (h, w) map to (height, width), sampling at pixel centres (as tf.image.resize and
// OpenCV's INTER_LINEAR do), edges clamped.
Map2 upsample_bilinear(const Map2& map, int height, int width);

// image: the picture the network saw, (height, width) RGB. opacity in [0, 1]: 0 shows only the image.
RgbaImage render_cam_overlay(const Map2& cam, const RgbImage& image, float opacity = 0.5f,
                             Colormap colormap = Colormap::magma);

// The (H, W, 3) RGB picture behind a caffe-preprocessed input: BGR -> RGB, plus the ImageNet means, rounded
// and clamped to 0..255 (exact for inputs made by caffe_preprocess from 8-bit pixels).
RgbImage caffe_unpreprocess(const Tensor3& input);

}  // namespace convscope
