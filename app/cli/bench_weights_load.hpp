#pragma once
// convscope-cli bench --weights-load FILE: loading a weights file in this process and through the sandboxed
// decoder, timed alternately, with the medians and their ratio (what the sandbox costs).

#include <string>

#include "core/model/resnet50.hpp"

namespace convscope::cli {

int bench_weights_load(const std::string& path, const ResNet50Options& options, int reps);

}  // namespace convscope::cli
