// convscope-cli shape: the arithmetic of one Conv2D, with the user's numbers filled in; and what every other
// argument of Keras' Conv2D signature means for it (initializers, regularizers, constraints).

#include <iostream>

#include "app/cli/commands.hpp"
#include "app/cli/conv_arguments.hpp"
#include "app/cli/model_options.hpp"
#include "core/layers/conv2d.hpp"
#include "core/weights/initializers.hpp"

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
    args.require("filters");  // no defaults here: the user's own numbers are the point
    args.require("kernel-size");
    Conv2DConfig config = parse_conv_config(args, "valid");
    parse_conv_arguments(args, config);
    const Shape in = parse_input_shape(args, config.data_format);
    const std::uint64_t seed = std::uint64_t(parse_int(args.get_or("seed", "1"), "seed"));
    args.finish();

    Conv2D conv(config);
    // Throws with the rule a bad value breaks; no activations budget: nothing of the output's size is allocated.
    const Shape out = conv.arithmetic_output_shape(in);
    // Every number below comes from the shapes alone; the kernel is drawn only for its statistics, and only
    // when it is small enough that drawing it costs nothing (kShapeDrawLimit).
    const std::vector<std::vector<std::size_t>> weight_shapes = conv.weight_shapes({in});
    const std::int64_t params = *weight_bytes(weight_shapes) / std::int64_t(sizeof(float));  // within the budget
    const std::int64_t kernel = kernel_value_count(weight_shapes);
    const bool drawn = kernel <= kShapeDrawLimit;
    if (drawn) {
        conv.build({in});
        initialize_layer(conv, seed, "conv2d");
    }
    const ConvGeometry g = conv.geometry(in);
    const DataFormat f = config.data_format;
    const bool first = f == DataFormat::channels_first;

    std::cout << "output shape: " << keras_shape(out, f) << (first ? "   (batch, channels, rows, cols)" : "") << "\n";
    std::cout << "keras: " << conv.keras_line() << " on input " << keras_shape(in, f) << "\n";
    print_axis("height: ", g.rows);
    print_axis("width:  ", g.cols);
    std::cout << "padding (top, bottom, left, right): (" << g.rows.pad_before << ", " << g.rows.pad_after << ", "
              << g.cols.pad_before << ", " << g.cols.pad_after << ")";
    if (config.padding == Padding::same &&
        (g.rows.pad_after > g.rows.pad_before || g.cols.pad_after > g.cols.pad_before))
        std::cout << "   (the odd extra row/column goes to the bottom/right, as in TensorFlow)";
    std::cout << "\n";
    const IntPair k = config.kernel_size;
    std::cout << "params: " << with_thousands(params) << " = " << k.rows << " * " << k.cols << " * " << in.c
              << " * " << config.filters << " kernel (" << with_thousands(kernel) << ")";
    if (config.use_bias) std::cout << " + " << config.filters << " bias";
    std::cout << "   (kernel shape (kh, kw, in, out) in both data formats)\n";
    std::cout << "MACs: " << with_thousands(conv.macs({in})) << " = ";
    if (first) std::cout << out.c << " * " << out.h << " * " << out.w;
    else std::cout << out.h << " * " << out.w << " * " << out.c;
    std::cout << " outputs * " << k.rows << " * " << k.cols << " * " << in.c << " multiply-adds each\n";
    if (config.activation != ActivationKind::linear)
        std::cout << "activation: " << activation_definition(config.activation) << "\n";
    print_initializers(conv, in, seed, drawn);
    print_training_arguments(conv, nullptr, drawn);
    return 0;
}

}  // namespace convscope::cli
