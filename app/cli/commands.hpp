#pragma once
// The convscope-cli subcommands. Each returns the process exit status and throws on bad input
// (main() turns the exception into one line on stderr and exit status 2).

#include <string>
#include <vector>

#include "app/cli/args.hpp"

namespace convscope::cli {

int cmd_shape(Args& args);    // one Conv2D's output shape and the arithmetic behind it
int cmd_compare(Args& args);  // two Conv2D settings side by side, and their maps with one shared range
int cmd_summary(Args& args);  // the ResNet50 layer table with parameter counts, like model.summary()
int cmd_run(Args& args);      // ResNet50 on an image; exports node outputs as .npy / .png
int cmd_conv(Args& args);     // one Conv2D on .npy arrays
int cmd_bench(Args& args);    // forward-pass timing of the backbone
int cmd_anchors(Args& args);  // Faster R-CNN anchors and receptive field of one feature cell
int cmd_quiz(Args& args);     // "predict the shape" on stdin/stdout, with a score and the mistakes to revisit
int cmd_patches(Args& args);  // the image patches that excite one channel most
int cmd_weights(const std::vector<std::string>& argv);  // list, verify FILE, fetch: the ImageNet weights files

}  // namespace convscope::cli
