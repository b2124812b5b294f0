#pragma once
// The class activation map view's numbers, without GL or ImGui (panel_network_sees.cpp draws them).
//
// ResNet50's classifier is GlobalAveragePooling2D + Dense(1000) + softmax, so for class c
//
//     CAM_c(i, j) = sum_k w[k, c] * A_k(i, j)          A: the last block's output (res5c_relu), (H, W, K)
//     z_c         = mean over (i, j) of CAM_c + b_c     the logit: the Dense layer on the pooled features
//     p_c         = exp(z_c) / sum_c' exp(z_c')         softmax: fc1000's output
//
// The view teaches that chain, and each link is a number on screen recomputed here from the tensors:
//
//   ClassifierWeights    fc1000's kernel (K, classes) and bias (classes,), as the engine thread has them
//   CamInputs            what a map is made from: the features, the classifier, the probabilities, the image
//   CamResult            one class's map with its min / max / mean, the logit and the softmax recomputed,
//                        the picture the network saw (the image resized as the network input) and the heat
//                        colours of the map upsampled over it (opacity 1: the GUI blends with its slider)
//   compute_cam()        all of the above for one class
//   top_classes()        the k most probable classes, best first
//   find_classes()       class indices whose name contains a typed text (or the index typed), best first
//   cam_features_node()  the node the map reads (avg_pool's input), -1 in a network without the top

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/class_activation_map.hpp"
#include "core/image/image.hpp"
#include "core/model/graph.hpp"
#include "core/render/image_rgba.hpp"
#include "core/tensor.hpp"

namespace convscope::gui {

struct ClassifierWeights {
    WeightArray kernel;  // (K, classes)
    WeightArray bias;    // (classes,)
};

struct CamInputs {
    std::shared_ptr<const Tensor3> features;              // (H, W, K): avg_pool's input
    std::shared_ptr<const ClassifierWeights> classifier;  // fc1000
    std::shared_ptr<const Tensor3> probabilities;         // (1, 1, classes): fc1000's output
    std::shared_ptr<const RgbImage> image;                // the image in use, before resizing
    int input_height = 0, input_width = 0;                // the network input's size
    bool complete() const { return features && classifier && image && input_height > 0 && input_width > 0; }
};

struct CamResult {
    int class_index = -1;
    Map2 map;                      // (H, W): CAM_c, raw (no bias, no ReLU, no normalisation)
    float min = 0, max = 0, mean = 0;
    float bias = 0;                // b_c
    float logit = 0;               // mean + b_c
    float softmax = 0;             // p_c recomputed from every class's logit
    float network_probability = -1;  // fc1000's output for c (-1: not available)
    RgbImage picture;              // the network input's pixels (the image resized as the network resizes it)
    RgbaImage heat;                // the map upsampled to the picture, min..max coloured, opaque
    int feature_channels = 0;      // K
};

// ConfigError / ShapeError when the tensors do not fit (a class out of range, a kernel of another width).
CamResult compute_cam(const CamInputs& in, int class_index);

std::vector<int> top_classes(const Tensor3& probabilities, int k);

// `query`: a class index ("281"), or text matched case-insensitively within the names ("tabby", "cat").
// Names that start with the text come first, then those containing it; at most `limit`.
std::vector<int> find_classes(const std::vector<std::string>& names, const std::string& query, int limit);

int cam_features_node(const Graph& graph);

// The feature cell (i, j) of the map under a point of the picture (x, y in picture pixels).
struct CamCell {
    int row = 0, col = 0;
};
CamCell cam_cell_at(const CamResult& r, float x, float y);

}  // namespace convscope::gui
