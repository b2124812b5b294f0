#pragma once
// The seed's ResNet50 (Keras' conv_block / identity_block network) as a Graph with the seed's node names.
//
//   input -> conv1_pad (ZeroPadding2D 3) -> conv1 (Conv2D 64, 7x7, strides 2) -> bn_conv1 -> conv1_relu
//         -> pool1 (MaxPooling2D 3x3, strides 2, "same")
//   stage 2: res2a (conv_block, strides 1), res2b, res2c          filters [64, 64, 256]
//   stage 3: res3a (conv_block, strides 2), res3b .. res3d        filters [128, 128, 512]
//   stage 4: res4a (conv_block, strides 2), res4b .. res4f        filters [256, 256, 1024]
//   stage 5: res5a (conv_block, strides 2), res5b, res5c          filters [512, 512, 2048]  (option)
//   top:     avg_pool (GlobalAveragePooling2D) -> fc1000 (Dense 1000, softmax)         (option)
//
// Inside a block, e.g. res3a: res3a_branch2a, bn3a_branch2a, res3a_branch2a_relu, res3a_branch2b (3x3 "same"),
// bn3a_branch2b, res3a_branch2b_relu, res3a_branch2c, bn3a_branch2c, [res3a_branch1, bn3a_branch1],
// res3a_add, res3a_relu (the block output).

#include "core/model/graph.hpp"

namespace convscope {

struct ResNet50Options {
    int height = 600;
    int width = 600;
    int last_stage = 4;        // 4: the seed's shared feature map (38x38x1024 at 600x600); or 5
    bool include_top = false;  // avg_pool + fc1000; needs last_stage == 5
    // The identity blocks as the seed's text wrote them: branch2b and branch2c read the block's input_tensor
    // instead of x. Every shape still fits (2c still gives the block's channel count, so the Add works), but
    // 2a and 2b (with their BN and ReLU) no longer reach the output: see dead_nodes() in graph.hpp.
    bool seed_identity_typo = false;
    bool operator==(const ResNet50Options& o) const {
        return height == o.height && width == o.width && last_stage == o.last_stage && include_top == o.include_top &&
               seed_identity_typo == o.seed_identity_typo;
    }
    bool operator!=(const ResNet50Options& o) const { return !(*this == o); }
};

// Throws ConfigError when the options are impossible (top without stage 5, input < 1 pixel).
void validate(const ResNet50Options& options);
// Builds the graph; weights are allocated (zero) but not initialised: see initializers.hpp / keras_h5.hpp.
// Shape errors (an input too small) are not thrown here: infer_shapes() reports them per node.
// `with_weights` false: shapes only, nothing allocated (for checking a configuration before using it).
Graph build_resnet50(const ResNet50Options& options, bool with_weights = true);

}  // namespace convscope
