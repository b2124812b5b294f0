#pragma once
// The classifier's answer: the most probable ImageNet classes, with their names.
//
//   Prediction          rank (1 = most probable), class index, name, probability
//   load_class_names()  one name per line, line i = class i (assets/imagenet_classes.txt); InputError naming
//                       the file when it cannot be read or does not hold exactly `expected` lines
//   top_predictions()   the k largest entries of a probability vector, most probable first; ties go to the
//                       lower class index, so the order never depends on the sort

#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope {

struct Prediction {
    int rank = 0;
    int index = 0;
    std::string name;
    float probability = 0;
};

std::vector<std::string> load_class_names(const std::string& path, std::size_t expected = 1000);

// probabilities: fc1000's output (1, 1, classes). A class without a name in `names` is called "class N".
std::vector<Prediction> top_predictions(const Tensor3& probabilities, int k, const std::vector<std::string>& names);

}  // namespace convscope
