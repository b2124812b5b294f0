// convscope-cli shape: the arithmetic of one Conv2D, with the user's numbers filled in.

#include <iostream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/layers/conv2d.hpp"

namespace convscope::cli {

static void print_axis(const char* axis, const AxisGeometry& g) {
    std::cout << axis << g.formula;
    if (g.padding == Padding::same) {
        const int total = g.pad_before + g.pad_after;
        std::cout << "   (pad total = max(0, (" << g.out << " - 1) * " << g.stride << " + " << g.effective_kernel
                  << " - " << g.in << ") = " << total << ")";
    }
    std::cout << "\n";
}

int cmd_shape(Args& args) {
    const Shape in = parse_input_shape(args);
    args.require("filters");  // no defaults here: the user's own numbers are the point
    args.require("kernel-size");
    const Conv2DConfig c = parse_conv_config(args, "valid");
    args.finish();

    Conv2D conv(c);
    const Shape out = conv.output_shape({in});  // throws with the rule a bad value breaks
    conv.build({in});
    const ConvGeometry g = conv.geometry(in);

    std::cout << "output shape: " << keras_shape(out) << "\n";
    std::cout << "keras: " << conv.keras_line() << " on input " << keras_shape(in) << "\n";
    print_axis("height: ", g.rows);
    print_axis("width:  ", g.cols);
    std::cout << "padding (top, bottom, left, right): (" << g.rows.pad_before << ", " << g.rows.pad_after << ", "
              << g.cols.pad_before << ", " << g.cols.pad_after << ")";
    if (c.padding == Padding::same && (g.rows.pad_after > g.rows.pad_before || g.cols.pad_after > g.cols.pad_before))
        std::cout << "   (the odd extra row/column goes to the bottom/right, as in TensorFlow)";
    std::cout << "\n";
    const std::int64_t kernel = std::int64_t(c.kernel_size.rows) * c.kernel_size.cols * in.c * c.filters;
    std::cout << "params: " << with_thousands(conv.param_count()) << " = " << c.kernel_size.rows << " * "
              << c.kernel_size.cols << " * " << in.c << " * " << c.filters << " kernel (" << with_thousands(kernel)
              << ") + " << c.filters << " bias\n";
    std::cout << "MACs: " << with_thousands(conv.macs({in})) << " = " << out.h << " * " << out.w << " * " << out.c
              << " outputs * " << c.kernel_size.rows << " * " << c.kernel_size.cols << " * " << in.c
              << " multiply-adds each\n";
    return 0;
}

}  // namespace convscope::cli
