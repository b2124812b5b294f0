#pragma once
// Writes a seed-named ResNet50 graph's weights as TensorFlow 2's keras.applications.ResNet50 saves them
// (model.save_weights): tf.keras layer names (conv1_conv, conv2_block1_0_conv, conv2_block1_1_bn, ...,
// predictions), weights stored at /<layer>/<layer>/kernel:0 etc., the layer_names and weight_names attributes,
// and tf.keras' weightless layers (input_1, pool1_pad, ..._relu, ..._add, ..._out) as groups without weights.
//
// The names are worked out here from the seed's names by parsing them (res3b_branch2a: stage 3, block b = 2,
// branch 2a = conv 1), independently of core/weights/tf_keras_names.cpp, which builds its table the other way.
//
//   tf_keras_name_of(seed_name)      the tf.keras name of a seed node ("" for the input)
//   TfKerasFileEdits                 a layer to leave out, or extra weighted layers to add (bad files)
//   write_tf_keras_weights(g, path)  the file; throws std::runtime_error when HDF5 fails

#include <stdexcept>
#include <string>
#include <vector>

#include "core/model/graph.hpp"
#include "core/weights/h5_file.hpp"

namespace convscope_test {

inline std::string tf_keras_name_of(const std::string& seed) {
    if (seed == "input") return "input_1";
    if (seed == "conv1") return "conv1_conv";
    if (seed == "bn_conv1") return "conv1_bn";
    if (seed == "conv1_pad" || seed == "conv1_relu") return seed;
    if (seed == "pool1") return "pool1_pool";
    if (seed == "avg_pool") return "avg_pool";
    if (seed == "fc1000") return "predictions";
    // res3b_branch2a, bn3b_branch2a, res3b_branch2a_relu, res3b_add, res3b_relu
    const bool bn = seed.rfind("bn", 0) == 0;
    const std::size_t at = bn ? 2 : 3;
    if ((!bn && seed.rfind("res", 0) != 0) || seed.size() < at + 2) throw std::logic_error("not a seed name: " + seed);
    const std::string block =
        "conv" + seed.substr(at, 1) + "_block" + std::to_string(seed[at + 1] - 'a' + 1) + "_";
    const std::string rest = seed.substr(at + 2);  // "_branch2a", "_branch2a_relu", "_branch1", "_add", "_relu"
    if (rest == "_add") return block + "add";
    if (rest == "_relu") return block + "out";
    const std::string branch = rest.substr(0, 9);  // "_branch2a" or "_branch1"
    const std::string number = branch == "_branch1" ? "0" : std::to_string(branch.back() - 'a' + 1);
    const std::string tail = rest.substr(branch == "_branch1" ? 8 : 9);
    if (tail == "_relu") return block + number + "_relu";
    if (!tail.empty()) throw std::logic_error("not a seed name: " + seed);
    return block + number + (bn ? "_bn" : "_conv");
}

struct ExtraLayer {
    std::string name;
    std::vector<std::size_t> kernel_shape;  // one "kernel:0" of zeros
};

struct TfKerasFileEdits {
    std::string leave_out;           // a tf.keras layer name not to write
    std::vector<ExtraLayer> extra;   // weighted layers written after the others
};

inline void write_tf_keras_weights(const convscope::Graph& g, const std::string& path, const TfKerasFileEdits& edits = {}) {
    namespace h5 = convscope::h5;
    h5::Lock lock;
    h5::Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw std::runtime_error("cannot create " + path);
    std::vector<std::string> layer_names;
    auto group_for = [&](const std::string& name) {
        layer_names.push_back(name);
        h5::Id group(H5Gcreate2(file.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (!group.valid()) throw std::runtime_error("cannot create group " + name);
        return group;
    };
    for (const convscope::Node& n : g.nodes()) {
        const std::string name = tf_keras_name_of(n.name);
        if (name == edits.leave_out) continue;
        if (n.name == "pool1") {  // tf.keras pads before a 'valid' pool1
            const h5::Id pad = group_for("pool1_pad");
            h5::write_empty_list(pad.get(), "weight_names");
        }
        const h5::Id group = group_for(name);
        const auto& weights = n.layer->weights();
        if (weights.empty()) {
            h5::write_empty_list(group.get(), "weight_names");
            continue;
        }
        std::vector<std::string> weight_names;
        for (const convscope::Weight& w : weights) weight_names.push_back(name + "/" + w.name + ":0");
        h5::write_fixed_strings(group.get(), "weight_names", weight_names);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            const auto& v = weights[i].values;
            h5::write_float_array(group.get(), weight_names[i], std::vector<std::size_t>(v.shape().begin(), v.shape().end()),
                                  v.data());
        }
    }
    for (const ExtraLayer& e : edits.extra) {
        const h5::Id group = group_for(e.name);
        std::size_t count = 1;
        for (std::size_t d : e.kernel_shape) count *= d;
        const std::vector<float> zeros(count, 0.0f);
        h5::write_fixed_strings(group.get(), "weight_names", {e.name + "/kernel:0"});
        h5::write_float_array(group.get(), e.name + "/kernel:0", e.kernel_shape, zeros.data());
    }
    h5::write_fixed_strings(file.get(), "layer_names", layer_names);
    h5::write_fixed_string(file.get(), "backend", "tensorflow");
    h5::write_fixed_string(file.get(), "keras_version", "2.4.0");
    if (!file.close()) throw std::runtime_error("cannot finish " + path);
}

}  // namespace convscope_test
