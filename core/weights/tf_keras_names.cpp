#include "core/weights/tf_keras_names.hpp"

#include <cctype>

namespace convscope {

const char* const kTfKerasDifference =
    "tf.keras' ResNet50 uses BatchNormalization epsilon 1.001e-5 (the seed's layers: Keras' default 1e-3) and "
    "pads pool1 by 1 before a 'valid' 3x3/2 max-pooling (the seed's 'same' pooling sits one pixel lower and "
    "further right when conv1's output is even, as at 224 or 600); convscope runs the seed's network with these "
    "weights, so its activations are not exactly TensorFlow's";
const char* const kTfKerasShortNote = "tf.keras names mapped; BN epsilon and pool1 differ";

namespace {

struct Stage {
    int number;
    int blocks;
};
constexpr Stage kStages[] = {{2, 3}, {3, 4}, {4, 6}, {5, 3}};

std::vector<TfKerasLayerName> make_table() {
    std::vector<TfKerasLayerName> t = {{"conv1_conv", "conv1"}, {"conv1_bn", "bn_conv1"}};
    for (const Stage& s : kStages) {
        for (int b = 1; b <= s.blocks; ++b) {
            const std::string tf = "conv" + std::to_string(s.number) + "_block" + std::to_string(b) + "_";
            const std::string id = std::to_string(s.number) + char('a' + b - 1);
            // The seed's order inside a block: main path 2a, 2b, 2c, then the shortcut (conv_block only).
            for (const char* branch : {"2a", "2b", "2c"}) {
                const std::string n = std::to_string(branch[1] - 'a' + 1);
                t.push_back({tf + n + "_conv", "res" + id + "_branch" + branch});
                t.push_back({tf + n + "_bn", "bn" + id + "_branch" + branch});
            }
            if (b == 1) {
                t.push_back({tf + "0_conv", "res" + id + "_branch1"});
                t.push_back({tf + "0_bn", "bn" + id + "_branch1"});
            }
        }
    }
    t.push_back({"predictions", "fc1000"});
    return t;
}

// Reads decimal digits at `at` (at least one, no leading zero); false when there are none.
bool read_number(const std::string& s, std::size_t& at) {
    const std::size_t start = at;
    while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) ++at;
    return at > start && !(s[start] == '0' && at - start > 1);
}

bool read_text(const std::string& s, std::size_t& at, const char* text) {
    const std::string t = text;
    if (s.compare(at, t.size(), t) != 0) return false;
    at += t.size();
    return true;
}

}  // namespace

const std::vector<TfKerasLayerName>& tf_keras_resnet50_layers() {
    static const std::vector<TfKerasLayerName> table = make_table();
    return table;
}

std::string seed_name_for_tf_keras(const std::string& tf_keras_name) {
    for (const TfKerasLayerName& l : tf_keras_resnet50_layers())
        if (l.tf_keras == tf_keras_name) return l.seed;
    return {};
}

std::string tf_keras_name_for_seed(const std::string& seed_name) {
    for (const TfKerasLayerName& l : tf_keras_resnet50_layers())
        if (l.seed == seed_name) return l.tf_keras;
    return {};
}

bool looks_tf_keras_named(const std::string& name) {
    if (name == "conv1_conv" || name == "conv1_bn") return true;
    std::size_t at = 0;  // conv{S}_block{B}_{N}_conv or _bn
    if (!read_text(name, at, "conv") || !read_number(name, at) || !read_text(name, at, "_block") ||
        !read_number(name, at) || !read_text(name, at, "_") || !read_number(name, at))
        return false;
    const std::string tail = name.substr(at);
    return tail == "_conv" || tail == "_bn";
}

}  // namespace convscope
