#include "core/weights/keras_h5_reader.hpp"

#include <cstdint>
#include <set>

#include "core/errors.hpp"
#include "core/limits.hpp"
#include "core/tensor.hpp"
#include "core/weights/h5_file.hpp"

namespace convscope {

namespace {

// Keras' load_attributes_from_hdf5_group: the attribute itself, or its chunks name0, name1, ... in order.
// Returns false when neither exists.
bool read_list(hid_t object, const std::string& name, std::vector<std::string>& out) {
    out.clear();
    h5::step("attribute \"" + name + "\"");
    if (h5::has_attribute(object, name)) {
        out = h5::read_strings(object, name);
        return true;
    }
    bool found = false;
    for (int chunk = 0; h5::has_attribute(object, name + std::to_string(chunk)); ++chunk) {
        h5::step("attribute \"" + name + std::to_string(chunk) + "\"");
        auto part = h5::read_strings(object, name + std::to_string(chunk));
        out.insert(out.end(), part.begin(), part.end());
        found = true;
    }
    return found;
}

std::string first_or_empty(hid_t object, const std::string& name) {
    try {
        h5::step("attribute \"" + name + "\"");
        if (!h5::has_attribute(object, name)) return {};
        auto v = h5::read_strings(object, name);
        return v.empty() ? std::string() : v.front();
    } catch (const h5::Error&) {
        return {};  // informational only; a strange version attribute must not stop a load
    }
}

// Whether `path` (relative to `location`, "a/b/c") exists, following only hard links: an external link
// would open another file, a soft link another object of this one; Keras and h5py write neither. Throws
// h5::Error naming the link otherwise.
bool hard_path_exists(hid_t location, const std::string& path) {
    std::size_t at = 0;
    for (;;) {
        const std::size_t slash = path.find('/', at);
        const std::string prefix = path.substr(0, slash);
        if (H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
        H5L_info_t link;
        if (H5Lget_info(location, prefix.c_str(), &link, H5P_DEFAULT) < 0)
            throw h5::Error("cannot read the link \"" + prefix + "\"");
        if (link.type == H5L_TYPE_EXTERNAL)
            throw h5::Error("\"" + prefix + "\" is an external link to another file, which convscope refuses");
        if (link.type != H5L_TYPE_HARD)
            throw h5::Error("\"" + prefix + "\" is a soft or user-defined link, which Keras never writes");
        if (slash == std::string::npos) return true;
        at = slash + 1;
    }
}

H5O_type_t object_type(hid_t location, const std::string& path) {
    H5O_info_t info;
    if (H5Oget_info_by_name2(location, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
    return info.type;
}

// Refuses storage that lives outside this file: external raw data files, virtual datasets.
void check_storage_is_internal(hid_t set, const std::string& what) {
    h5::Id plist(H5Dget_create_plist(set), H5Pclose);
    if (!plist.valid()) throw h5::Error("cannot read the storage of " + what);
    const int external = H5Pget_external_count(plist.get());
    if (external != 0)
        throw h5::Error(what + " keeps its values in external files (HDF5 external storage), which convscope refuses");
    if (H5Pget_layout(plist.get()) == H5D_VIRTUAL)
        throw h5::Error(what + " is a virtual dataset made of other datasets, which convscope refuses");
}

std::vector<std::size_t> float_dataset_shape(hid_t set, const std::string& what) {
    h5::Id type(H5Dget_type(set), H5Tclose);
    h5::Id space(H5Dget_space(set), H5Sclose);
    if (!type.valid() || !space.valid()) throw h5::Error("cannot read the type of " + what);
    if (H5Tget_class(type.get()) != H5T_FLOAT)
        throw h5::Error(what + " does not hold floating-point numbers (Keras weights are float32 or float64)");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 8) throw h5::Error("cannot read the shape of " + what + " (rank " + std::to_string(rank) + ")");
    std::vector<hsize_t> dims(std::size_t(rank), 0);
    if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
        throw h5::Error("cannot read the shape of " + what);
    return std::vector<std::size_t>(dims.begin(), dims.end());
}

}  // namespace

struct KerasWeightsReader::Open {
    h5::Lock lock;  // every HDF5 call of this reader's life
    h5::Id file;
    h5::Id model_weights;
    hid_t root = H5I_INVALID_HID;
};

KerasWeightsReader::~KerasWeightsReader() = default;

KerasWeightsReader::KerasWeightsReader(const std::string& path, const std::string& where,
                                       const std::function<void()>& after_open)
    : open_(std::make_unique<Open>()), where_(where) {
    Open& o = *open_;
    h5::step("the file signature");
    const htri_t hdf5 = H5Fis_hdf5(path.c_str());
    if (hdf5 <= 0)
        throw WeightsError(where + " is not an HDF5 file; expected a Keras HDF5 weights file (.h5, as written by "
                                   "model.save_weights or model.save)");
    h5::Id access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (access.valid()) H5Pset_file_locking(access.get(), 0, 1);  // read-only: no lock to take
    h5::step("the file's superblock");
    o.file = h5::Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.valid() ? access.get() : H5P_DEFAULT), H5Fclose);
    if (!o.file.valid()) {
        const std::string why = h5::last_error();
        throw WeightsError(where + " could not be opened as HDF5" + (why.empty() ? "" : " (" + why + ")") +
                           "; the file may be truncated or damaged");
    }
    if (after_open) after_open();
    std::string layer;  // the layer being read, for messages
    try {
        o.root = o.file.get();
        std::vector<std::string> layer_names;
        if (!read_list(o.root, "layer_names", layer_names)) {
            // A model.save() file keeps the weights under /model_weights, with the same layout.
            if (hard_path_exists(o.root, "model_weights") && object_type(o.root, "model_weights") == H5O_TYPE_GROUP) {
                o.model_weights = h5::Id(H5Gopen2(o.root, "model_weights", H5P_DEFAULT), H5Gclose);
                if (o.model_weights.valid() && read_list(o.model_weights.get(), "layer_names", layer_names)) {
                    o.root = o.model_weights.get();
                    file_.model_weights_group = true;
                } else {
                    o.model_weights = h5::Id();
                }
            }
            if (!file_.model_weights_group)
                throw WeightsError(where + " is not a Keras HDF5 weights file (no layer_names attribute at its root "
                                           "or in a model_weights group); expected a file written by "
                                           "model.save_weights or model.save");
        }
        file_.keras_version = first_or_empty(o.root, "keras_version");
        file_.backend = first_or_empty(o.root, "backend");
        if (file_.keras_version.empty()) file_.keras_version = first_or_empty(o.file.get(), "keras_version");
        if (file_.backend.empty()) file_.backend = first_or_empty(o.file.get(), "backend");

        std::set<std::string> seen;
        std::int64_t total = 0;  // floats
        for (const std::string& name : layer_names) {
            layer = name;
            if (!seen.insert(name).second)
                throw WeightsError(where + " lists layer \"" + echo(name) + "\" twice in layer_names");
            if (!hard_path_exists(o.root, name) || object_type(o.root, name) != H5O_TYPE_GROUP)
                throw WeightsError(where + " lists layer \"" + echo(name) + "\" in layer_names but has no group for it");
            h5::step("the group of layer \"" + name + "\"");
            const h5::Id group(H5Gopen2(o.root, name.c_str(), H5P_DEFAULT), H5Gclose);
            if (!group.valid()) throw h5::Error("cannot open the group");
            std::vector<std::string> weight_names;
            read_list(group.get(), "weight_names", weight_names);  // absent: no weights, as Keras reads it
            KerasWeightsLayer l{name, {}};
            for (const std::string& w : weight_names) {
                const std::string what = "weight \"" + echo(w) + "\"";
                if (!hard_path_exists(group.get(), w) || object_type(group.get(), w) != H5O_TYPE_DATASET)
                    throw WeightsError(where + ": layer \"" + echo(name) + "\" lists weight \"" + echo(w) +
                                       "\" but has no dataset of that name");
                h5::step("dataset \"" + w + "\" of layer \"" + name + "\"");
                const h5::Id set(H5Dopen2(group.get(), w.c_str(), H5P_DEFAULT), H5Dclose);
                if (!set.valid()) throw h5::Error("cannot open " + what);
                check_storage_is_internal(set.get(), what);
                KerasWeightsDataset d{w, float_dataset_shape(set.get(), what), 0, std::size_t(total)};
                std::int64_t count = 1;
                for (std::size_t dim : d.shape) {
                    const auto next = dim <= std::size_t(INT64_MAX) ? checked_mul(count, std::int64_t(dim)) : std::nullopt;
                    const auto sum = next ? checked_add(total, *next) : std::nullopt;
                    if (!sum || *sum > kWeightsBudgetBytes / 4)
                        throw WeightsError(where + ": layer \"" + echo(name) + "\" " + what + " has shape " +
                                           echo(python_tuple(d.shape)) + ": the file's weights would exceed "
                                           "convscope's weights budget of " + byte_size_text(kWeightsBudgetBytes));
                    count = *next;
                }
                d.count = std::size_t(count);
                total += count;
                l.weights.push_back(std::move(d));
            }
            file_.layers.push_back(std::move(l));
        }
        file_.value_count = std::size_t(total);
    } catch (const h5::Error& e) {
        throw WeightsError(where + ": " + (layer.empty() ? "" : "layer \"" + echo(layer) + "\": ") + e.what());
    }
}

void KerasWeightsReader::read_values(float* into) {
    Open& o = *open_;
    for (const KerasWeightsLayer& l : file_.layers) {
        if (l.weights.empty()) continue;
        const h5::Id group(H5Gopen2(o.root, l.name.c_str(), H5P_DEFAULT), H5Gclose);
        if (!group.valid()) throw WeightsError(where_ + ": cannot open the group of layer \"" + echo(l.name) + "\"");
        for (const KerasWeightsDataset& d : l.weights) {
            if (d.count == 0) continue;
            h5::step("the values of dataset \"" + d.name + "\" of layer \"" + l.name + "\"");
            const h5::Id set(H5Dopen2(group.get(), d.name.c_str(), H5P_DEFAULT), H5Dclose);
            // HDF5 converts float64 (or float16) to the memory type as it reads.
            if (!set.valid() ||
                H5Dread(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, into + d.offset) < 0) {
                const std::string why = h5::last_error();
                throw WeightsError(where_ + ": layer \"" + echo(l.name) + "\": cannot read dataset \"" + echo(d.name) +
                                   "\"" + (why.empty() ? "" : " (HDF5: " + why + ")"));
            }
        }
    }
}

KerasWeightsFile read_keras_weights_file(const std::string& path, const std::string& where) {
    KerasWeightsReader reader(path, where);
    KerasWeightsFile f = reader.structure();
    auto values = std::make_shared<std::vector<float>>(f.value_count);
    reader.read_values(values->data());
    f.values = values->data();
    f.storage = values;
    return f;
}

}  // namespace convscope
