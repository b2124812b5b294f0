#pragma once
// tf.keras' ResNet50 (TensorFlow 2's keras.applications.ResNet50) names its weighted layers differently from
// the seed's network (keras-applications' Keras 2.x ResNet50). The weights are the same kind, in the same
// layouts, so a tf.keras file loads into the seed's network once its names are translated:
//
//   tf.keras                         seed
//   conv1_conv, conv1_bn             conv1, bn_conv1
//   conv{S}_block{B}_{1,2,3}_conv    res{S}{x}_branch2a/2b/2c    (x = a, b, c ... for B = 1, 2, 3 ...)
//   conv{S}_block{B}_{1,2,3}_bn      bn{S}{x}_branch2a/2b/2c
//   conv{S}_block1_0_conv, _0_bn     res{S}a_branch1, bn{S}a_branch1   (the conv_block's shortcut)
//   predictions                      fc1000
// S is 2 to 5 with 3, 4, 6, 3 blocks.
//
// The networks themselves differ in two places, which is why the seed's network (not tf.keras') is what runs
// with such a file: tf.keras' BatchNormalization layers use epsilon 1.001e-5 (the seed's, Keras' default
// 1e-3), and tf.keras pads pool1's input by 1 and max-pools 3x3/2 with "valid" (the seed: "same", which pads
// only after), so, when conv1's output is even, every pool1 window sits one pixel further up and left.
//
//   TfKerasLayerName            one weighted layer: its tf.keras name and the seed's
//   tf_keras_resnet50_layers()  all 107, in network order (stem, stages 2-5 block by block, predictions)
//   seed_name_for_tf_keras()    "conv2_block1_1_conv" -> "res2a_branch2a"; "" when not a tf.keras ResNet50 layer
//   tf_keras_name_for_seed()    the reverse; "" when the seed has no such weighted layer
//   looks_tf_keras_named()      whether a layer name has tf.keras' ResNet50 form (conv1_conv, conv3_block9_2_bn,
//                               ...), even one ResNet50 lacks (a deeper ResNet's block)
//   kTfKerasDifference          one line: what differs between tf.keras' network and the one that runs
//   kTfKerasShortNote           a few words for a status line

#include <string>
#include <vector>

namespace convscope {

struct TfKerasLayerName {
    std::string tf_keras;  // "conv2_block1_0_conv"
    std::string seed;      // "res2a_branch1"
};

const std::vector<TfKerasLayerName>& tf_keras_resnet50_layers();
std::string seed_name_for_tf_keras(const std::string& tf_keras_name);
std::string tf_keras_name_for_seed(const std::string& seed_name);
bool looks_tf_keras_named(const std::string& layer_name);

extern const char* const kTfKerasDifference;
extern const char* const kTfKerasShortNote;

}  // namespace convscope
