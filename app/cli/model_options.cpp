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

}  // namespace convscope::cli
