#include "app/cli/model_options.hpp"

#include "core/limits.hpp"

namespace convscope::cli {

ResNet50Options parse_model_options(Args& args, int default_size) {
    ResNet50Options o;
    const IntPair size = parse_pair(args.get_or("input-size", std::to_string(default_size)), "input-size");
    o.height = size.rows;
    o.width = size.cols;
    o.last_stage = parse_int(args.get_or("stages", "4"), "stages");
    o.include_top = args.has("include-top");
    if (o.include_top && !args.has("stages")) o.last_stage = 5;  // the top needs stage 5: imply it
    o.seed_identity_typo = args.has("seed-typo");
    validate(o);
    return o;
}

Shape parse_input_shape(Args& args, DataFormat format) {
    const std::string text = args.get("input");
    const std::vector<std::string> parts = parse_list(text);
    const bool first = format == DataFormat::channels_first;
    if (parts.size() != 3)
        throw UsageError("--input " + text + (first ? ": expected C,H,W with --data-format channels_first (e.g. 3,600,600)"
                                                    : ": expected H,W,C (e.g. 600,600,3)"));
    const int a = parse_int(parts[0], "input"), b = parse_int(parts[1], "input"), c = parse_int(parts[2], "input");
    const Shape s = first ? Shape::image(b, c, a) : Shape::image(a, b, c);
    if (s.h < 1 || s.w < 1 || s.c < 1) throw UsageError("--input " + text + ": every dimension must be at least 1");
    return s;
}

Conv2DConfig parse_conv_config(Args& args, const std::string& default_padding) {
    Conv2DConfig c;
    if (args.has("filters")) c.filters = parse_int(args.get("filters"), "filters");
    if (args.has("kernel-size")) c.kernel_size = parse_pair(args.get("kernel-size"), "kernel-size");
    c.strides = parse_pair(args.get_or("strides", "1"), "strides");
    c.padding = parse_padding(args.get_or("padding", default_padding));
    c.dilation_rate = parse_pair(args.get_or("dilation-rate", "1"), "dilation-rate");
    return c;
}

const std::vector<std::string> kConvArgumentOptions = {
    "activation", "use-bias", "data-format", "kernel-initializer", "bias-initializer", "kernel-regularizer",
    "bias-regularizer", "activity-regularizer", "kernel-constraint", "bias-constraint"};

void parse_conv_arguments(Args& args, Conv2DConfig& c) {
    if (args.has("activation")) c.activation = parse_activation(args.get("activation"));
    if (args.has("use-bias")) {
        const std::string v = args.get("use-bias");
        if (v != "true" && v != "false" && v != "True" && v != "False")
            throw UsageError("--use-bias " + v + ": expected true or false");
        c.use_bias = v == "true" || v == "True";
    }
    if (args.has("data-format")) c.data_format = parse_data_format(args.get("data-format"));
    if (args.has("kernel-initializer")) c.kernel_initializer = parse_initializer(args.get("kernel-initializer"));
    if (args.has("bias-initializer")) c.bias_initializer = parse_initializer(args.get("bias-initializer"));
    if (args.has("kernel-regularizer")) c.kernel_regularizer = parse_regularizer(args.get("kernel-regularizer"));
    if (args.has("bias-regularizer")) c.bias_regularizer = parse_regularizer(args.get("bias-regularizer"));
    if (args.has("activity-regularizer")) c.activity_regularizer = parse_regularizer(args.get("activity-regularizer"));
    if (args.has("kernel-constraint")) c.kernel_constraint = parse_constraint(args.get("kernel-constraint"));
    if (args.has("bias-constraint")) c.bias_constraint = parse_constraint(args.get("bias-constraint"));
}

EngineOptions parse_engine_options(Args& args) {
    EngineOptions options;
    if (args.has("threads")) options.threads = parse_int(args.get("threads"), "threads");
    if (options.threads < 1 || options.threads > kMaxThreads)
        throw UsageError("--threads " + std::to_string(options.threads) + ": expected a whole number from 1 to " +
                         std::to_string(kMaxThreads));
    options.kernels = args.has("reference") ? Kernels::reference : Kernels::fast;
    return options;
}

}  // namespace convscope::cli
