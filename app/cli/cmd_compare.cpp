// convscope-cli compare: two Conv2D settings side by side (the GUI's Compare A / B window): every argument and
// what follows from it, with the differences marked; with an image, both layers' maps of one channel painted
// with one shared value range, written as one PNG.

#include <algorithm>
#include <iomanip>
#include <iostream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/errors.hpp"
#include "core/export/png.hpp"
#include "core/image/image.hpp"
#include "core/layers/conv2d.hpp"
#include "core/render/compare_image.hpp"
#include "core/teach/conv_compare.hpp"
#include "core/weights/initializers.hpp"

namespace convscope::cli {

namespace {

// "--filters 16 --kernel-regularizer l1_l2(0.01, 0.02)" -> words, keeping what is inside parentheses together.
std::vector<std::string> split_side(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    int depth = 0;
    for (char ch : text) {
        if (ch == '(') ++depth;
        if (ch == ')') depth = std::max(0, depth - 1);
        if ((ch == ' ' || ch == '\t') && depth == 0) {
            if (!word.empty()) out.push_back(word);
            word.clear();
        } else {
            word += ch;
        }
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

struct Side {
    ConvSetting setting;
    std::uint64_t seed = 1;
};

Side parse_side(const std::string& name, const std::string& text) {
    std::set<std::string> options{"input", "filters", "kernel-size", "strides", "padding", "dilation-rate", "seed"};
    options.insert(kConvArgumentOptions.begin(), kConvArgumentOptions.end());
    try {
        Args args = Args::parse(split_side(text), options, {});
        args.require("filters");
        args.require("kernel-size");
        Side s;
        s.setting.config = parse_conv_config(args, "valid");
        parse_conv_arguments(args, s.setting.config);
        s.setting.input = parse_input_shape(args, s.setting.config.data_format);
        s.seed = std::uint64_t(parse_int(args.get_or("seed", "1"), "seed"));
        args.finish();
        return s;
    } catch (const UsageError& e) {
        throw UsageError("--" + name + ": " + e.what());
    }
}

// The side's output on the image, as the playground computes it: the image stretched to the input size, RGB
// scaled to [0, 1], the kernel drawn by the initializers with the side's seed.
Tensor3 side_output(const Side& s, const RgbImage& image) {
    const Shape in = s.setting.input;
    if (in.c != 3)
        throw UsageError("maps need an RGB input: --input H,W,3 (this side has " + std::to_string(in.c) + " channels)");
    const Tensor3 x = unit_preprocess(resize_image(image, in.h, in.w));
    Conv2D conv(s.setting.config);
    const Shape out = conv.output_shape({in});
    conv.build({in});
    initialize_layer(conv, s.seed, "conv2d");
    ThreadPool pool;
    const Context ctx{&pool, nullptr, Kernels::fast};
    Tensor3 y = make_tensor(out);
    conv.forward({&x}, y, ctx);
    return y;
}

}  // namespace

int cmd_compare(Args& args) {
    const Side a = parse_side("a", args.get("a")), b = parse_side("b", args.get("b"));
    const bool maps = args.has("image") || args.has("sample");
    if (args.has("image") && args.has("sample")) throw UsageError("give one of --image PATH and --sample NAME");
    const std::string image_path =
        args.has("image") ? args.get("image") : args.has("sample") ? sample_path(args.get("sample"), CONVSCOPE_ASSETS_DIR) : "";
    const std::vector<std::string> channels = parse_list(args.get_or("channel", "0"));
    if (channels.empty() || channels.size() > 2)
        throw UsageError("--channel " + args.get("channel") + ": expected C (both sides) or CA,CB");
    const int channel_a = parse_int(channels[0], "channel"), channel_b = parse_int(channels.back(), "channel");
    const Normalization normalization = parse_normalization(args.get_or("normalization", "per-channel"));
    const Colormap colormap = parse_colormap(args.get_or("colormap", "viridis"));
    const bool has_out = args.has("out");
    const std::string out_path = has_out ? args.get("out") : "";
    if (has_out && !maps) throw UsageError("--out needs an image to draw the maps from: --sample NAME or --image PATH");
    args.finish();

    const ConvComparison c = compare_convs(a.setting, b.setting);
    std::size_t what_w = 0, a_w = 1;
    for (const ComparisonRow& r : c.rows) {
        what_w = std::max(what_w, r.what.size());
        a_w = std::max(a_w, r.a.size());
    }
    std::cout << "  " << std::left << std::setw(int(what_w)) << "" << "  " << std::setw(int(a_w)) << "A" << "  B\n";
    for (const ComparisonRow& r : c.rows)
        std::cout << (r.differs ? "* " : "  ") << std::setw(int(what_w)) << r.what << "  " << std::setw(int(a_w)) << r.a
                  << "  " << r.b << "\n";
    std::cout << "(* : A and B differ)\n";
    // The table is printed either way (what makes a side impossible shows in it); then it counts as bad input.
    if (!c.a.ok) throw ConfigError("A is impossible: " + c.a.error);
    if (!c.b.ok) throw ConfigError("B is impossible: " + c.b.error);
    std::cout << "B / A: parameters " << ratio_text(c.a.params, c.b.params) << ", MACs " << ratio_text(c.a.macs, c.b.macs)
              << "\n";
    if (!maps) return 0;

    const RgbImage image = load_image(image_path);
    const Tensor3 ya = side_output(a, image), yb = side_output(b, image);
    check_channel(ya, channel_a);
    check_channel(yb, channel_b);
    // Each channel's own values, then (per-layer, symmetric) the range the normalisation takes from its layer,
    // which is not the channel's and must not be printed as if it were.
    auto side_line = [&](const char* side, const Tensor3& y, int channel) {
        const ValueRange own = value_range(y, channel, Normalization::per_channel);
        std::cout << "  " << side << " channel " << channel << ": [" << own.lo << ", " << own.hi << "]";
        if (normalization != Normalization::per_channel) {
            const ValueRange layer = value_range(y, channel, normalization);
            std::cout << "; its layer's " << to_string(normalization) << " range [" << layer.lo << ", " << layer.hi << "]";
        }
        // One value everywhere: the map is one flat colour, and after a ReLU that is a channel that never fires.
        if (own.constant()) std::cout << " (constant: every value is " << own.lo << ")";
        std::cout << "\n";
    };
    const ValueRange shared = shared_range(ya, channel_a, yb, channel_b, normalization);
    std::cout << std::setprecision(7) << "maps of " << image_path << ", " << to_string(normalization) << ":\n";
    side_line("A", ya, channel_a);
    side_line("B", yb, channel_b);
    std::cout << "  shared range (both painted with it): [" << shared.lo << ", " << shared.hi << "]\n";
    const bool same_size = ya.shape()[0] == yb.shape()[0] && ya.shape()[1] == yb.shape()[1];
    if (same_size) {
        const ValueRange d = layer_range(difference_map(ya, channel_a, yb, channel_b));
        std::cout << "  B - A: [" << d.lo << ", " << d.hi << "]\n";
    } else {
        std::cout << "  " << no_difference_reason(ya, yb) << "\n";
    }
    if (has_out) {
        ComparisonImageOptions o;
        o.title_a = Conv2D(a.setting.config).keras_line();
        o.title_b = Conv2D(b.setting.config).keras_line();
        o.normalization = normalization;
        o.colormap = colormap;
        save_png(out_path, render_comparison(ya, channel_a, yb, channel_b, o));
        std::cout << "wrote " << out_path << "\n";
    }
    return 0;
}

}  // namespace convscope::cli
