#pragma once
// Options several commands share, parsed in one place so that they mean the same everywhere:
//
//   parse_model_options(args, default_size)     ResNet50: --input-size H[,W], --stages 4|5, --include-top,
//                                               --seed-typo (summary, run, bench, anchors)
//   parse_input_shape(args, format)             --input in the data format's order, H,W,C or (channels_first)
//                                               C,H,W; every dimension at least 1 (shape, bench)
//   parse_conv_config(args, default_padding)    one Conv2D: --filters F and --kernel-size K|KH,KW when given
//                                               (else Conv2DConfig's 64 and 3x3), --strides, --padding,
//                                               --dilation-rate (shape, bench, conv)
//   parse_conv_arguments(args, config)          the rest of Keras' Conv2D signature: --activation, --use-bias,
//                                               --data-format, --kernel-initializer, --bias-initializer,
//                                               --kernel-regularizer, --bias-regularizer, --activity-regularizer,
//                                               --kernel-constraint, --bias-constraint (shape, conv)
//   parse_engine_options(args)                  --threads N (at least 1), --reference (run, bench)

#include "app/cli/args.hpp"
#include "core/engine/engine.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/resnet50.hpp"

namespace convscope::cli {

ResNet50Options parse_model_options(Args& args, int default_size);
Shape parse_input_shape(Args& args, DataFormat format = DataFormat::channels_last);
// The options parse_conv_arguments() reads, for Args::parse().
extern const std::vector<std::string> kConvArgumentOptions;
void parse_conv_arguments(Args& args, Conv2DConfig& config);
Conv2DConfig parse_conv_config(Args& args, const std::string& default_padding);
EngineOptions parse_engine_options(Args& args);

}  // namespace convscope::cli
