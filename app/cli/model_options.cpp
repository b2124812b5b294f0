#include "app/cli/model_options.hpp"

namespace convscope::cli {

ResNet50Options parse_model_options(Args& args, int default_size) {
    ResNet50Options o;
    const IntPair size = parse_pair(args.get_or("input-size", std::to_string(default_size)), "input-size");
    o.height = size.rows;
    o.width = size.cols;
    o.last_stage = parse_int(args.get_or("stages", "4"), "stages");
    o.include_top = args.has("include-top");
    if (o.include_top && !args.has("stages")) o.last_stage = 5;  // the top needs stage 5: imply it
    validate(o);
    return o;
}

Shape parse_input_shape(Args& args) {
    const std::string text = args.get("input");
    const std::vector<std::string> parts = parse_list(text);
    if (parts.size() != 3) throw UsageError("--input " + text + ": expected H,W,C (e.g. 600,600,3)");
    const Shape s = Shape::image(parse_int(parts[0], "input"), parse_int(parts[1], "input"), parse_int(parts[2], "input"));
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

EngineOptions parse_engine_options(Args& args) {
    EngineOptions options;
    if (args.has("threads")) options.threads = parse_int(args.get("threads"), "threads");
    if (options.threads < 1) throw UsageError("--threads must be at least 1");
    options.kernels = args.has("reference") ? Kernels::reference : Kernels::fast;
    return options;
}

}  // namespace convscope::cli
