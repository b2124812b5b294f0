#pragma once
// Reading a Keras HDF5 weights file into plain data, without knowing the network it is for. This is the
// part that runs libhdf5 on a file from anywhere, so it runs in the sandboxed decoder process
// (core/sandbox); mapping the data onto a graph's layers (keras_h5.hpp) happens back in the program.
//
//   KerasWeightsFile           the file's layers in layer_names order, each with its weights' names, shapes
//                              and float32 values (HDF5 converts float16/float64)
//   KerasWeightsReader(path, where, after_open)   opens the file, calls after_open (the decoder forbids any
//                              further open there), and reads its structure (names, shapes): no values yet.
//                              Refuses, naming the layer: external links, soft links, external raw storage,
//                              virtual datasets, non-float data, and totals over kWeightsBudgetBytes
//   KerasWeightsReader::read_values(into)   every dataset's values into `into` (structure().value_count floats)
//   read_keras_weights_file(path)   both steps in this process, values in an owned buffer (tests, fuzzing)
//   h5::set_step_observer()    (h5_file.hpp) is told what is being read next, so that a crash can be named
// Errors are WeightsError starting with `where` ("weights file x.h5").

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace convscope {

struct KerasWeightsDataset {
    std::string name;                 // as listed in weight_names, e.g. "conv1/kernel:0"
    std::vector<std::size_t> shape;   // as stored (Keras layout)
    std::size_t count = 0;            // product of shape
    std::size_t offset = 0;           // where its values start in KerasWeightsFile::values, in floats
};

struct KerasWeightsLayer {
    std::string name;                          // the group, as listed in layer_names
    std::vector<KerasWeightsDataset> weights;  // in weight_names order; empty for a weightless layer
};

struct KerasWeightsFile {
    bool model_weights_group = false;  // a model.save() file: the weights were under /model_weights
    std::string keras_version, backend;
    std::vector<KerasWeightsLayer> layers;
    std::size_t value_count = 0;            // floats of all datasets together
    const float* values = nullptr;          // value_count floats
    std::shared_ptr<const void> storage;    // owns what `values` points into
};

class KerasWeightsReader {
public:
    KerasWeightsReader(const std::string& path, const std::string& where, const std::function<void()>& after_open = {});
    ~KerasWeightsReader();
    KerasWeightsReader(const KerasWeightsReader&) = delete;
    KerasWeightsReader& operator=(const KerasWeightsReader&) = delete;

    const KerasWeightsFile& structure() const { return file_; }
    void read_values(float* into);

private:
    struct Open;
    std::unique_ptr<Open> open_;
    std::string where_;
    KerasWeightsFile file_;
};

KerasWeightsFile read_keras_weights_file(const std::string& path, const std::string& where);

}  // namespace convscope
