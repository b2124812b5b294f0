#include "core/weights/known_weights.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <sys/stat.h>

#include "core/weights/keras_h5.hpp"
#include "core/weights/md5.hpp"
#include "core/weights/tf_keras_names.hpp"

namespace convscope {

namespace {

// A variable that is set to an absolute path, else "" (the XDG rules ignore relative values).
std::string env_path(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || value[0] != '/') return "";
    std::string s = value;
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

bool is_regular_file(const std::string& path, std::uint64_t* size = nullptr) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    if (size) *size = std::uint64_t(st.st_size);
    return true;
}

}  // namespace

const std::vector<KnownWeightsFile>& known_weights_files() {
    static const std::vector<KnownWeightsFile> files = {
        {"resnet50_weights_tf_dim_ordering_tf_kernels.h5", "a7b3fe01876f51b976af0dea6bc144eb", true,
         WeightsNaming::seed,
         "https://github.com/fchollet/deep-learning-models/releases/download/v0.2/"
         "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
         "keras-applications ResNet50, with the classifier (the seed's layer names)"},
        {"resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "a268eb855778b3df3c7506639542a6af", false,
         WeightsNaming::seed,
         "https://github.com/fchollet/deep-learning-models/releases/download/v0.2/"
         "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "keras-applications ResNet50, backbone only (the seed's layer names)"},
        {"resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107", true,
         WeightsNaming::tf_keras,
         "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
         "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
         "tf.keras ResNet50, with the classifier (TensorFlow 2 layer names)"},
        {"resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626", false,
         WeightsNaming::tf_keras,
         "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
         "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "tf.keras ResNet50, backbone only (TensorFlow 2 layer names)"},
    };
    return files;
}

const KnownWeightsFile* known_by_md5(const std::string& md5) {
    for (const KnownWeightsFile& f : known_weights_files())
        if (md5 == f.md5) return &f;
    return nullptr;
}

const KnownWeightsFile& official_download(bool include_top) { return known_weights_files()[include_top ? 0 : 1]; }

std::string convscope_cache_dir() {
    const std::string xdg = env_path("XDG_CACHE_HOME");
    if (!xdg.empty()) return xdg + "/convscope";
    const std::string home = env_path("HOME");
    return (home.empty() ? std::string("/tmp") : home) + "/.cache/convscope";
}

std::vector<std::string> keras_cache_dirs() {
    std::vector<std::string> dirs;
    const std::string keras_home = env_path("KERAS_HOME");
    const std::string home = env_path("HOME");
    if (!keras_home.empty()) dirs.push_back(keras_home + "/models");
    else if (!home.empty()) dirs.push_back(home + "/.keras/models");
    if (dirs.empty() || dirs.front() != "/tmp/.keras/models") dirs.push_back("/tmp/.keras/models");
    return dirs;
}

WeightsCheck check_weights_file(const std::string& path) {
    WeightsCheck check;
    check.path = path;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        check.problem = std::strerror(errno);
        return check;
    }
    if (!S_ISREG(st.st_mode)) {
        check.problem = "not a regular file";
        return check;
    }
    check.size = std::uint64_t(st.st_size);
    try {
        check.md5 = md5_file(path);
    } catch (const std::exception& e) {
        check.problem = e.what();
        return check;
    }
    check.known = known_by_md5(check.md5);
    return check;
}

std::string loading_note(const KnownWeightsFile& known) {
    if (known.naming != WeightsNaming::tf_keras) return "";
    return std::string("; loads into the seed's network under the seed's layer names; differs: ") + kTfKerasDifference;
}

std::string layer_naming_note(const std::string& path) {
    const std::optional<WeightsNaming> naming = resnet50_layer_naming(path);
    if (!naming) return "";
    if (*naming == WeightsNaming::seed) return "; it is a Keras weights file with the seed's ResNet50 layer names";
    return "; it is a Keras weights file with tf.keras' ResNet50 layer names (conv1_conv, conv2_block1_1_conv, ...)";
}

std::string describe_check(const WeightsCheck& c) {
    if (!c.problem.empty()) return "unreadable: " + c.problem;
    if (!c.verified()) return "unverified: md5 " + c.md5 + " matches no known ResNet50 weights file" + layer_naming_note(c.path);
    return std::string("verified: ") + c.known->description + loading_note(*c.known);
}

std::vector<FoundWeights> discover_weights() {
    std::vector<std::pair<std::string, std::string>> folders = {{convscope_cache_dir(), "convscope cache"}};
    for (const std::string& d : keras_cache_dirs()) folders.push_back({d, "Keras cache"});

    std::vector<std::string> names;  // the distinct known file names, in table order
    for (const KnownWeightsFile& f : known_weights_files()) {
        bool seen = false;
        for (const std::string& n : names) seen = seen || n == f.file_name;
        if (!seen) names.push_back(f.file_name);
    }

    std::vector<FoundWeights> found;
    for (const auto& [folder, kind] : folders) {
        for (const std::string& name : names) {
            const std::string path = folder + "/" + name;
            if (is_regular_file(path)) found.push_back({folder, kind, check_weights_file(path), false});
            FoundWeights part{folder, kind, {}, true};
            part.check.path = path + ".part";
            if (is_regular_file(part.check.path, &part.check.size)) found.push_back(part);
        }
    }
    return found;
}

const FoundWeights* pick_weights(const std::vector<FoundWeights>& found, bool include_top) {
    for (const WeightsNaming naming : {WeightsNaming::seed, WeightsNaming::tf_keras}) {
        for (const FoundWeights& f : found) {
            if (f.partial || !f.check.verified() || f.check.known->naming != naming) continue;
            if (include_top && !f.check.known->include_top) continue;
            return &f;
        }
    }
    return nullptr;
}

}  // namespace convscope
