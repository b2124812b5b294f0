#pragma once
// The ResNet50 options shared by summary, run and bench: --input-size H[,W], --stages 4|5, --include-top.

#include "app/cli/args.hpp"
#include "core/model/resnet50.hpp"

namespace convscope::cli {

ResNet50Options parse_model_options(Args& args, int default_size);

}  // namespace convscope::cli
