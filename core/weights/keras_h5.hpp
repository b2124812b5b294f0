#pragma once
// Keras HDF5 weights: load a file written by Keras (model.save_weights("x.h5"), model.save("x.h5"), the
// official keras-applications ResNet50 files, tf.keras' ResNet50 files under the seed's layer names) into a
// Graph by layer name, and save a Graph the way model.save_weights writes it. See docs/weights.md for the
// accepted formats and the errors.
//
//   load_keras_weights()   reads the file in the sandboxed decoder (keras_h5_reader.hpp, core/sandbox), then
//                          apply_keras_weights()
//   apply_keras_weights()  validates the file's contents against the graph, then assigns; throws WeightsError
//                          (naming the file, the layer, the weight and both shapes) and leaves the
//                          graph's weights untouched when anything does not fit
//   save_keras_weights()   Keras 2 layout and names; written to a temporary name, then renamed
//   LoadReport             what was loaded, what was skipped, which naming style the file uses, and whether
//                          its layers had tf.keras' ResNet50 names (tf_keras_names.hpp), translated to the seed's
//   describe(), short_label()  the report for a terminal, and for a status line
//   resnet50_layer_naming() whether a file's layers have the seed's or tf.keras' ResNet50 names
//   classify_weight_name() "conv1/kernel:0" -> Keras 2, kernel; "bn_conv1_running_std:0" -> Keras 1,
//                          moving_variance
//
// File layout (Keras 2, as written here):
//   /                      attrs layer_names = ["conv1", "bn_conv1", ...] (fixed-length strings; split
//                          into layer_names0, layer_names1, ... past HDF5's 64 KB attribute limit),
//                          backend = "tensorflow", keras_version
//   /conv1                 attr weight_names = ["conv1/kernel:0", "conv1/bias:0"] (empty if weightless)
//   /conv1/conv1/kernel:0  float32 (kh, kw, in, out)
//   /conv1/conv1/bias:0    float32 (out,)

#include <optional>
#include <string>
#include <vector>

#include "core/model/graph.hpp"
#include "core/weights/keras_h5_reader.hpp"
#include "core/weights/known_weights.hpp"

namespace convscope {

enum class WeightNaming {
    none,    // the file has no weights at all
    keras2,  // "conv1/kernel:0", "bn_conv1/moving_variance:0"
    keras1,  // "conv1_W:0", "conv1_b:0", "bn_conv1_gamma:0", "bn_conv1_running_std:0" (holds the variance)
    mixed,   // both of the above in one file
    other,   // names we do not recognise; weights were matched by position, as Keras does
};
// "Keras 2 (conv1/kernel:0)", "Keras 1 (conv1_W:0)", ...
const char* to_string(WeightNaming naming);

struct WeightNameInfo {
    WeightNaming naming = WeightNaming::other;  // keras2, keras1 or other
    std::string role;  // our Weight::name ("kernel", ..., "moving_variance"), or "" when not recognised
};
WeightNameInfo classify_weight_name(const std::string& weight_name);

struct LoadReport {
    std::string path;
    WeightNaming naming = WeightNaming::none;
    bool model_weights_group = false;  // a full-model file (model.save): weights under /model_weights
    std::string keras_version;         // the file's keras_version attribute, or ""
    std::string backend;               // the file's backend attribute, or ""
    // tf_keras: the file's layers were named as in tf.keras' ResNet50 and were loaded under the seed's names
    // (the network that runs is still the seed's: see kTfKerasDifference).
    WeightsNaming layer_naming = WeightsNaming::seed;
    std::vector<std::string> loaded;   // graph nodes whose weights came from the file, in file order
    std::vector<std::string> skipped;  // file layers with weights that the graph has no node for (file names)
};
// Several lines for a terminal (no final newline): the file, the naming style, for a tf.keras file the
// translation and what differs, the counts, the skipped layers.
std::string describe(const LoadReport& report);
// The file's path, followed for a tf.keras file by kTfKerasShortNote in parentheses: for a status line.
std::string short_label(const LoadReport& report);

// Sizes the graph's weights for its current shapes first (Graph::build_weights; a graph whose shapes do
// not infer throws ShapeError). Layers without weights in the file (input, activations, pooling) are
// ignored; a file layer with weights that the graph lacks is skipped and reported (e.g. fc1000 into a
// graph without the top); a graph node with weights that the file lacks is an error.
// A file whose layers have tf.keras' ResNet50 names (conv1_conv, conv2_block1_1_conv, ...) that the graph
// does not have is loaded under the seed's names (tf_keras_names.hpp); in such a file, a weighted layer that
// tf.keras' ResNet50 does not have (another model's, or a seed name mixed in) is an error naming it.
LoadReport load_keras_weights(Graph& graph, const std::string& path);
// The mapping half: `file` as read by KerasWeightsReader; `path` only names the file in messages.
LoadReport apply_keras_weights(Graph& graph, const KerasWeightsFile& file, const std::string& path);

// Which ResNet50 naming the weighted layers of the Keras file at `path` follow (read through the sandboxed
// decoder): tf_keras when any has tf.keras' form, else seed when any is a seed ResNet50 layer; nullopt when
// neither, or when the file cannot be read as Keras weights. For naming files whose checksum is unknown.
std::optional<WeightsNaming> resnet50_layer_naming(const std::string& path);

// Every node except the input, in graph order. The weights must have been built (Graph::build_weights).
void save_keras_weights(const Graph& graph, const std::string& path);

}  // namespace convscope
