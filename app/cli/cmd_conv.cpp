// convscope-cli conv: one Keras Conv2D on .npy arrays, for checking the engine against anything else; with
// --explain, one output value taken apart.

#include <iomanip>
#include <iostream>
#include <optional>

#include <xtensor/xmanipulation.hpp>

#include "app/cli/commands.hpp"
#include "app/cli/conv_arguments.hpp"
#include "app/cli/model_options.hpp"
#include "core/errors.hpp"
#include "core/export/npy.hpp"
#include "core/layers/conv2d.hpp"
#include "core/teach/conv_explain.hpp"
#include "core/weights/initializers.hpp"

namespace convscope::cli {

namespace {

// (C, H, W) <-> (H, W, C) for data_format="channels_first" files; the engine computes channels_last.
Tensor3 to_channels_last(const Tensor3& chw) { return xt::transpose(chw, {1, 2, 0}); }
Tensor3 to_channels_first(const Tensor3& hwc) { return xt::transpose(hwc, {2, 0, 1}); }

}  // namespace

int cmd_conv(Args& args) {
    const std::string input_path = args.get("input"), out_path = args.get("out");
    const bool has_kernel = args.has("kernel");
    const std::string kernel_path = has_kernel ? args.get("kernel") : "";
    if (!has_kernel && !(args.has("filters") && args.has("kernel-size")))
        throw UsageError("without --kernel W.npy, give --filters and --kernel-size: the kernel is then drawn with "
                         "--kernel-initializer and --seed");
    if (has_kernel && (args.has("filters") || args.has("kernel-size") || args.has("kernel-initializer")))
        throw UsageError("--kernel " + kernel_path + " sets the filters, kernel size and values: leave out --filters, "
                         "--kernel-size and --kernel-initializer");
    Conv2DConfig c = parse_conv_config(args, "valid");  // with --kernel, kernel size and filters come from the file
    parse_conv_arguments(args, c);
    const bool has_bias = args.has("bias");
    const std::string bias_path = has_bias ? args.get("bias") : "";
    if (has_bias && args.has("use-bias") && !c.use_bias)
        throw UsageError("--bias " + bias_path + " with --use-bias false: give one or the other");
    const std::uint64_t seed = std::uint64_t(parse_int(args.get_or("seed", "1"), "seed"));
    const bool reference = args.has("reference");
    const bool explain = args.has("explain");
    const std::vector<std::string> position = explain ? parse_list(args.get("explain")) : std::vector<std::string>{};
    if (explain && position.size() != 3)
        throw UsageError("--explain " + args.get("explain") + ": expected ROW,COL,FILTER (e.g. 10,7,3)");
    args.finish();

    const bool first = c.data_format == DataFormat::channels_first;
    Tensor3 x = load_npy_hwc(input_path);  // (H, W, Cin), or (Cin, H, W) in a channels_first file
    if (first) x = to_channels_last(x);
    xt::xtensor<float, 4> w;  // (kh, kw, Cin, F) in both data formats
    if (has_kernel) {
        w = load_npy_kernel(kernel_path);
        if (w.shape()[2] != x.shape()[2])
            throw InputError(kernel_path + ": kernel has " + std::to_string(w.shape()[2]) + " input channels (axis 2 of " +
                             "(kh, kw, in, out)), but " + input_path + " has " + std::to_string(x.shape()[2]) +
                             " channels");
        c.kernel_size = IntPair(int(w.shape()[0]), int(w.shape()[1]));
        c.filters = int(w.shape()[3]);
        c.use_bias = has_bias;
    }
    Conv2D conv(c);
    const Shape out_shape = conv.output_shape({shape_of(x)});
    conv.build({shape_of(x)});
    initialize_layer(conv, seed, "conv2d");  // the initializers' draw; files given below replace it
    if (has_kernel) conv.mutable_weights()[0].values = w;
    if (has_bias) {
        const xt::xtensor<float, 1> b = load_npy_vector(bias_path);  // (F,)
        if (int(b.size()) != c.filters)
            throw InputError(bias_path + ": bias has " + std::to_string(b.size()) + " values, the kernel has " +
                             std::to_string(c.filters) + " filters");
        conv.mutable_weights()[1].values = b;
    }
    ThreadPool pool;
    const Context ctx{&pool, nullptr, reference ? Kernels::reference : Kernels::fast};
    Tensor3 y = make_tensor(out_shape);  // (OH, OW, F)
    conv.forward({&x}, y, ctx);
    std::optional<ConvExplanation> e;  // before writing: a position out of range leaves no file behind
    if (explain)
        e = explain_conv(conv, x, parse_int(position[0], "explain"), parse_int(position[1], "explain"),
                         parse_int(position[2], "explain"));
    save_npy(out_path, first ? to_channels_first(y) : y);
    std::cout << conv.keras_line() << ": " << plain_shape(shape_of(x), c.data_format) << " -> "
              << plain_shape(out_shape, c.data_format) << ", wrote " << out_path << "\n";
    if (!has_kernel) print_initializers(conv, shape_of(x), seed);
    print_training_arguments(conv, &y);
    if (e) {
        std::cout << "\n";
        print_explanation(std::cout, *e);
        std::cout << "written to " << out_path << " at [" << (first ? e->filter : e->row) << ", "
                  << (first ? e->row : e->col) << ", " << (first ? e->col : e->filter) << "]"
                  << (first ? " (channels_first)" : "") << ": " << std::setprecision(7)
                  << y(std::size_t(e->row), std::size_t(e->col), std::size_t(e->filter))
                  << " (float32, summed in another order: the last digit may differ)\n";
    }
    return 0;
}

}  // namespace convscope::cli
