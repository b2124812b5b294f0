#pragma once
// The ResNet50 ImageNet weights files convscope knows by name and checksum, the folders where they are
// cached, and what is found there.
//
//   KnownWeightsFile       one published file: name, md5, with or without the classifier, layer naming, origin
//   known_weights_files()  the four files: keras-applications' two (the seed's layer names, what
//                          `weights fetch` downloads) and tf.keras' two (TensorFlow 2 layer names, same file
//                          names, different contents)
//   known_by_md5(md5)      the known file with that checksum, or nullptr
//   official_download(top) the keras-applications file `weights fetch` downloads (with or without the top)
//   convscope_cache_dir()  $XDG_CACHE_HOME/convscope, else ~/.cache/convscope (where fetch puts files)
//   keras_cache_dirs()     $KERAS_HOME/models, else ~/.keras/models; then /tmp/.keras/models, where Keras
//                          caches when the home folder is not writable
//   discover_weights()     every known file name in those folders, each hashed and matched by checksum;
//                          leftovers of interrupted downloads (".part") are listed too
//   check_weights_file()   one file: its md5 and which known file (if any) it is
//   describe_check()       one line about a file: unreadable, unverified (with layer_naming_note), or verified
//                          as which file (with loading_note)
//   loading_note(known)    for a tf.keras file: that it loads under the seed's names, and what differs; else ""
//   layer_naming_note(path) for a file of unknown md5: whether it is a Keras file with the seed's or tf.keras'
//                          ResNet50 layer names (read through the sandboxed decoder); else ""
//   pick_weights()         the verified file to use for a network with or without the top: the seed's own
//                          (keras-applications) files first, then tf.keras' (loaded by renaming their layers)
//
// Nothing here touches the network.

#include <cstdint>
#include <string>
#include <vector>

namespace convscope {

enum class WeightsNaming {
    seed,     // keras-applications (Keras 2.x): conv1, res2a_branch2a, bn2a_branch2a, fc1000
    tf_keras  // TensorFlow 2's keras.applications: conv1_conv, conv2_block1_1_conv, ..._bn, predictions
};

struct KnownWeightsFile {
    const char* file_name;
    const char* md5;  // lowercase hex, as Keras publishes it
    bool include_top;
    WeightsNaming naming;
    const char* url;          // where its publisher serves it
    const char* description;  // one line for people
};

const std::vector<KnownWeightsFile>& known_weights_files();
const KnownWeightsFile* known_by_md5(const std::string& md5);
const KnownWeightsFile& official_download(bool include_top);

std::string convscope_cache_dir();
std::vector<std::string> keras_cache_dirs();

struct WeightsCheck {
    std::string path;
    std::uint64_t size = 0;
    std::string md5;                         // "" when the file could not be read
    const KnownWeightsFile* known = nullptr; // the known file with this md5, or nullptr
    std::string problem;                     // why it could not be read, or ""
    bool verified() const { return known != nullptr; }
};
// Never throws for a bad file: an unreadable one has `problem` set.
WeightsCheck check_weights_file(const std::string& path);

std::string describe_check(const WeightsCheck& check);
std::string loading_note(const KnownWeightsFile& known);
std::string layer_naming_note(const std::string& path);

struct FoundWeights {
    std::string folder;       // one of the cache folders
    std::string folder_kind;  // "convscope cache" or "Keras cache"
    WeightsCheck check;
    bool partial = false;     // an interrupted download (".part"), never used as weights
};
// The folders in the order above; within a folder, known file names in known_weights_files() order.
std::vector<FoundWeights> discover_weights();

// The first verified file that has the classifier when `include_top`, preferring the seed's naming (its
// network is exactly the one that runs) to tf.keras'; nullptr when there is none.
const FoundWeights* pick_weights(const std::vector<FoundWeights>& found, bool include_top);

}  // namespace convscope
