#include "core/weights/keras_h5.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>

#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/limits.hpp"
#include "core/read_file.hpp"
#include "core/sandbox/decode_client.hpp"
#include "core/weights/h5_file.hpp"
#include "core/weights/tf_keras_names.hpp"

namespace convscope {

namespace {

// Keras' HDF5_OBJECT_HEADER_LIMIT: an attribute larger than this is split into name0, name1, ...
constexpr std::size_t kAttributeLimit = 64512;

const char* const kKeras2Roles[] = {"kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"};

struct Keras1Suffix {
    const char* suffix;
    const char* role;
};
// Keras 1 appended these to the layer name; its BatchNormalization "running_std" held the variance.
const Keras1Suffix kKeras1Suffixes[] = {{"_W", "kernel"},         {"_b", "bias"},
                                        {"_gamma", "gamma"},      {"_beta", "beta"},
                                        {"_running_mean", "moving_mean"}, {"_running_std", "moving_variance"}};

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string name_list(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

WeightNaming combine(WeightNaming so_far, WeightNaming next) {
    if (so_far == WeightNaming::none || so_far == next) return next;
    if (so_far == WeightNaming::other || next == WeightNaming::other) return WeightNaming::other;
    return WeightNaming::mixed;
}

// Keras' save_attributes_to_hdf5_group: one attribute, or numpy.array_split-sized chunks when one would
// exceed the object header limit.
void write_list(hid_t object, const std::string& name, const std::vector<std::string>& values) {
    if (values.empty()) {  // as h5py stores Keras' empty list: a float64 array of none
        h5::write_empty_list(object, name);
        return;
    }
    std::size_t width = 1;
    for (const auto& v : values) width = std::max(width, v.size());
    if (width > kAttributeLimit)
        throw h5::Error("the name \"" + values.front().substr(0, 40) + "...\" is too long for an HDF5 attribute");
    std::size_t chunks = 1;
    while (((values.size() + chunks - 1) / chunks) * width > kAttributeLimit) ++chunks;
    if (chunks == 1) {
        h5::write_fixed_strings(object, name, values);
        return;
    }
    const std::size_t base = values.size() / chunks, extra = values.size() % chunks;
    std::size_t at = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t n = base + (c < extra ? 1 : 0);
        std::vector<std::string> part(values.begin() + std::ptrdiff_t(at), values.begin() + std::ptrdiff_t(at + n));
        h5::write_fixed_strings(object, name + std::to_string(c), part);
        at += n;
    }
}

// Throws WeightsError unless `path` names a readable file.
void check_readable(const std::string& path) {
    const int err = file_open_error(path);
    if (err == EISDIR)
        throw WeightsError("weights file " + path + " is a directory; expected a Keras HDF5 weights file (.h5)");
    if (err != 0) throw WeightsError("weights file " + path + " cannot be read: " + std::strerror(err));
    if (::access(path.c_str(), R_OK) != 0)
        throw WeightsError("weights file " + path + " cannot be read: " + std::strerror(errno));
}

// Runs an atomic-file step, whose failures are InputError, for a caller that expects WeightsError.
template <typename Step>
auto as_weights_error(Step step) -> decltype(step()) {
    try {
        return step();
    } catch (const InputError& e) {
        throw WeightsError(e.what());
    }
}

// One layer's weights the file will supply: where they are, and where they go.
struct Planned {
    int node;
    const KerasWeightsLayer* layer;
};

// Writes the whole weights file under the name `file_name` (HDF5 truncates what is there); throws h5::Error.
void write_weights_file(const std::string& file_name, const std::vector<const Node*>& layers) {
    h5::Id file(H5Fcreate(file_name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw h5::Error("cannot create an HDF5 file (" + h5::last_error() + ")");
    std::vector<std::string> names;
    for (const Node* n : layers) names.push_back(n->name);
    write_list(file.get(), "layer_names", names);
    h5::write_fixed_string(file.get(), "backend", "tensorflow");
    h5::write_fixed_string(file.get(), "keras_version", "2.x");
    for (const Node* n : layers) {
        h5::Id group(H5Gcreate2(file.get(), n->name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (!group.valid()) throw h5::Error("cannot create group \"" + n->name + "\" (" + h5::last_error() + ")");
        const std::vector<Weight>& weights = n->layer->weights();
        if (weights.empty()) {
            h5::write_empty_list(group.get(), "weight_names");
            continue;
        }
        std::vector<std::string> weight_names;
        for (const Weight& w : weights) weight_names.push_back(n->name + "/" + w.name + ":0");
        write_list(group.get(), "weight_names", weight_names);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            const auto& v = weights[i].values;
            // Contiguous row-major storage is the Keras layout, element for element.
            std::vector<std::size_t> shape(v.shape().begin(), v.shape().end());
            h5::write_float_array(group.get(), weight_names[i], shape, v.data());
        }
    }
    if (!file.close()) throw h5::Error("cannot finish the HDF5 file (" + h5::last_error() + ")");
}

// A hint when a 4-D kernel has Theano's (out, in, kh, kw) order instead of TensorFlow's (kh, kw, in, out).
std::string theano_hint(const std::vector<std::size_t>& found, const std::vector<std::size_t>& expected) {
    if (found.size() == 4 && expected.size() == 4 && found[0] == expected[3] && found[1] == expected[2] &&
        found[2] == expected[0] && found[3] == expected[1])
        return " (this looks like a Theano-ordered kernel; use the *_tf_dim_ordering_tf_kernels file)";
    return {};
}

// tf_keras when a weighted layer of the file has tf.keras' ResNet50 form and the graph has no node of that
// name (a graph built with those names loads them as they are).
WeightsNaming file_layer_naming(const Graph& graph, const KerasWeightsFile& file) {
    for (const KerasWeightsLayer& l : file.layers)
        if (!l.weights.empty() && looks_tf_keras_named(l.name) && graph.find(l.name) < 0) return WeightsNaming::tf_keras;
    return WeightsNaming::seed;
}

// The graph node a file layer's weights go to: its own name, or the seed's name for a tf.keras one. Throws
// when a tf.keras file has a weighted layer that tf.keras' ResNet50 lacks: loading the rest would quietly
// give part of another network (a deeper ResNet's) to this one.
std::string target_name(const KerasWeightsLayer& l, WeightsNaming naming, const std::string& where) {
    if (naming != WeightsNaming::tf_keras) return l.name;
    const std::string seed = seed_name_for_tf_keras(l.name);
    if (seed.empty())
        throw WeightsError(where + " has tf.keras ResNet50 layer names (conv1_conv, conv2_block1_1_conv, ...), but "
                                   "its layer \"" + echo(l.name) + "\" is not one of tf.keras' ResNet50 layers; "
                                   "expected only ResNet50's (a file of another model cannot be loaded into it)");
    return seed;
}

// How a message names a file layer: "conv2_block1_1_conv" (res2a_branch2a here) for a tf.keras file.
std::string layer_in_message(const std::string& file_layer, const std::string& node) {
    return "\"" + echo(file_layer) + "\"" + (file_layer == node ? std::string() : " (" + node + " here)");
}

}  // namespace

const char* to_string(WeightNaming naming) {
    switch (naming) {
        case WeightNaming::none: return "none (no weights)";
        case WeightNaming::keras2: return "Keras 2 (conv1/kernel:0)";
        case WeightNaming::keras1: return "Keras 1 (conv1_W:0)";
        case WeightNaming::mixed: return "mixed Keras 1 and Keras 2";
        case WeightNaming::other: return "unrecognised (matched by position)";
    }
    return "?";
}

WeightNameInfo classify_weight_name(const std::string& weight_name) {
    std::string base = weight_name;
    const auto colon = base.rfind(':');
    if (colon != std::string::npos && colon + 1 < base.size() &&
        base.find_first_not_of("0123456789", colon + 1) == std::string::npos)
        base.erase(colon);
    const auto slash = base.rfind('/');
    const std::string tail = slash == std::string::npos ? base : base.substr(slash + 1);
    for (const char* role : kKeras2Roles)
        if (tail == role) return {WeightNaming::keras2, role};
    if (slash == std::string::npos)
        for (const auto& k : kKeras1Suffixes)
            if (ends_with(base, k.suffix) && base.size() > std::strlen(k.suffix)) return {WeightNaming::keras1, k.role};
    return {WeightNaming::other, ""};
}

std::string describe(const LoadReport& r) {
    std::string s = "weights: " + r.path + (r.model_weights_group ? " (full model file, model_weights)" : "") + "\n";
    s += "  naming: " + std::string(to_string(r.naming));
    if (!r.keras_version.empty()) s += ", keras_version " + r.keras_version;
    if (!r.backend.empty()) s += ", backend " + r.backend;
    if (r.layer_naming == WeightsNaming::tf_keras) {
        s += "\n  layer names: tf.keras ResNet50's (conv1_conv, conv2_block1_1_conv, ..., predictions), loaded as the "
             "seed's (conv1, res2a_branch2a, ..., fc1000)";
        s += "\n  differs: " + std::string(kTfKerasDifference);
    }
    s += "\n  loaded: " + std::to_string(r.loaded.size()) + " layers\n";
    s += "  skipped (not in this network): " + (r.skipped.empty() ? std::string("none") : name_list(r.skipped));
    return s;
}

std::string short_label(const LoadReport& r) {
    if (r.layer_naming != WeightsNaming::tf_keras) return r.path;
    return r.path + " (" + kTfKerasShortNote + ")";
}

LoadReport apply_keras_weights(Graph& graph, const KerasWeightsFile& file, const std::string& path) {
    graph.shapes_or_throw();  // weights can only be checked against a graph whose shapes are known
    graph.build_weights();    // sizes only: a no-op for weights that already have their shapes
    const std::string where = "weights file " + path;

    LoadReport report;
    report.path = path;
    report.model_weights_group = file.model_weights_group;
    report.keras_version = file.keras_version;
    report.backend = file.backend;

    // Pass 1: names, counts and shapes only, so a file that does not fit costs no copies.
    report.layer_naming = file_layer_naming(graph, file);
    std::vector<Planned> plan;
    std::vector<bool> supplied(std::size_t(graph.size()), false);
    for (const KerasWeightsLayer& l : file.layers) {
        if (l.weights.empty()) continue;
        for (const auto& w : l.weights) report.naming = combine(report.naming, classify_weight_name(w.name).naming);
        const std::string target = target_name(l, report.layer_naming, where);
        const std::string layer = layer_in_message(l.name, target);
        const int node = graph.find(target);
        if (node < 0) {
            report.skipped.push_back(l.name);
            continue;
        }
        const Layer& target_layer = *graph.node(node).layer;
        const std::vector<Weight>& expected = target_layer.weights();
        if (l.weights.size() != expected.size()) {
            std::vector<std::string> theirs, ours;
            for (const auto& w : l.weights) theirs.push_back(w.name);
            for (const auto& w : expected) ours.push_back(w.name);
            throw WeightsError(where + ": layer " + layer + " has " + std::to_string(l.weights.size()) +
                               " weights in the file (" + name_list(theirs) + "), the graph's " +
                               target_layer.type_name() + " expects " + std::to_string(expected.size()) +
                               (ours.empty() ? std::string() : " (" + name_list(ours) + ")"));
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const KerasWeightsDataset& d = l.weights[i];
            const WeightNameInfo info = classify_weight_name(d.name);
            if (!info.role.empty() && info.role != expected[i].name)
                throw WeightsError(where + ": layer " + layer + " weight " + std::to_string(i + 1) + " is \"" +
                                   d.name + "\" (" + info.role + "), the graph expects " + expected[i].name +
                                   " in that place");
            const std::vector<std::size_t> want(expected[i].values.shape().begin(), expected[i].values.shape().end());
            if (d.shape != want)
                throw WeightsError(where + ": layer " + layer + " " + expected[i].name + " has shape " +
                                   python_tuple(d.shape) + ", the graph expects " + python_tuple(want) +
                                   theano_hint(d.shape, want));
            // The sizes came from another process: check them against the values it sent.
            if (d.count != expected[i].values.size() || d.offset > file.value_count ||
                d.count > file.value_count - d.offset)
                throw WeightsError(where + ": layer " + layer + " " + expected[i].name +
                                   ": the reader returned inconsistent sizes");
        }
        plan.push_back(Planned{node, &l});
        supplied[std::size_t(node)] = true;
        report.loaded.push_back(target);
    }

    std::vector<std::string> missing;
    for (int i = 0; i < graph.size(); ++i)
        if (!graph.node(i).layer->weights().empty() && !supplied[std::size_t(i)]) missing.push_back(graph.node(i).name);
    if (!missing.empty()) {
        const Node& first = graph.node(graph.find(missing.front()));
        const bool tf_keras = report.layer_naming == WeightsNaming::tf_keras;
        const std::string tf_name = tf_keras ? tf_keras_name_for_seed(first.name) : "";
        std::string msg = where + " has no weights for layer ";
        if (tf_name.empty()) msg += "\"" + first.name + "\" (" + first.layer->type_name() + ")";
        else msg += "\"" + tf_name + "\" (tf.keras' name for " + first.name + ", " + first.layer->type_name() + ")";
        msg += ", which the graph needs";
        if (missing.size() > 1) msg += "; " + std::to_string(missing.size() - 1) + " more graph layers are missing too";
        if (report.loaded.empty())
            msg += "; none of the file's layer names match this network (is it the weights file for another model?)";
        throw WeightsError(msg);
    }

    // Pass 2: copy everything into staging; the graph changes only after every copy succeeded.
    std::vector<std::vector<WeightArray>> staged;  // per planned layer, per weight
    staged.reserve(plan.size());
    for (const Planned& p : plan) {
        const std::vector<Weight>& expected = graph.node(p.node).layer->weights();
        std::vector<WeightArray> values;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            WeightArray v = WeightArray::from_shape(expected[i].values.shape());  // Keras layout, as stored
            const KerasWeightsDataset& d = p.layer->weights[i];
            std::copy(file.values + d.offset, file.values + d.offset + d.count, v.data());
            values.push_back(std::move(v));
        }
        staged.push_back(std::move(values));
    }
    for (std::size_t k = 0; k < plan.size(); ++k) {
        std::vector<Weight>& weights = graph.node(plan[k].node).layer->mutable_weights();
        for (std::size_t i = 0; i < weights.size(); ++i) weights[i].values = std::move(staged[k][i]);
    }
    return report;
}

LoadReport load_keras_weights(Graph& graph, const std::string& path) {
    graph.shapes_or_throw();  // a graph that cannot take weights fails before the file is read
    check_readable(path);
    return apply_keras_weights(graph, decode_keras_weights_file(path), path);
}

std::optional<WeightsNaming> resnet50_layer_naming(const std::string& path) {
    KerasWeightsFile file;
    try {
        check_readable(path);
        file = decode_keras_weights_file(path);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    bool seed = false;
    for (const KerasWeightsLayer& l : file.layers) {
        if (l.weights.empty()) continue;
        if (looks_tf_keras_named(l.name)) return WeightsNaming::tf_keras;
        seed = seed || !tf_keras_name_for_seed(l.name).empty();
    }
    if (seed) return WeightsNaming::seed;
    return std::nullopt;
}

void save_keras_weights(const Graph& graph, const std::string& path) {
    const std::string where = "cannot write weights file " + path;
    std::vector<const Node*> layers;
    for (const Node& n : graph.nodes()) {
        if (std::string(n.layer->type_name()) == "InputLayer") continue;
        if (n.name.empty() || n.name.find('/') != std::string::npos || n.name == "." || n.name == "..")
            throw WeightsError(where + ": layer name \"" + n.name + "\" cannot be an HDF5 group name");
        for (const Weight& w : n.layer->weights())
            if (w.values.dimension() == 0)
                throw WeightsError(where + ": layer \"" + n.name + "\" " + w.name +
                                   " has no shape yet (build the graph's weights first)");
        layers.push_back(&n);
    }

    h5::Lock lock;
    // HDF5 writes the file itself, so it gets a temp file's name; the target is replaced only once it is whole.
    const std::string temp = as_weights_error([&] { return create_temp_beside(path); });
    try {
        write_weights_file(temp, layers);
    } catch (const h5::Error& e) {
        ::unlink(temp.c_str());
        throw WeightsError(where + ": " + e.what());
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    as_weights_error([&] { replace_with_temp(temp, path); });
}

}  // namespace convscope
