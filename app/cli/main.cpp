// convscope-cli: the convscope engine without a window. See `convscope-cli help`.

#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "app/cli/usage.hpp"
#include "core/limits.hpp"

namespace {

const char* const kUsage = R"(usage: convscope-cli COMMAND [OPTIONS]

commands:
  shape    --input H,W,C --filters F --kernel-size K|KH,KW [--strides S|SH,SW]
           [--padding valid|same] [--dilation-rate D|DH,DW] [CONV2D ARGUMENTS] [--seed N]
           One Keras Conv2D: output shape, the formula per axis, padding, parameters, MACs,
           the initializers' formulas and the kernel they draw, regularizer penalties and
           constraint effects. With --data-format channels_first, --input is C,H,W and every
           shape is written (batch, channels, rows, cols).
  compare  --a "SIDE" --b "SIDE" [--sample NAME | --image PATH] [--channel C|CA,CB]
           [--normalization per-channel|per-layer|symmetric] [--colormap NAME] [--out FILE.png]
           Two Conv2D settings side by side (the GUI's Compare A / B): each SIDE is shape's
           options in quotes, e.g. "--input 600,600,3 --filters 16 --kernel-size 3 --padding same";
           rows where A and B differ are starred, then parameters and MACs as B / A. With an
           image: both layers on it (as the playground: resized, RGB in [0, 1], kernels drawn
           with each side's --seed, default 1), the channel's value ranges and the one range
           both maps are painted with; --out writes A | B | B - A as one PNG.
  summary  [--input-size H[,W]] [--stages 4|5] [--include-top] [--receptive-field] [--seed-typo]
           The ResNet50 layer table, like Keras' model.summary(); --receptive-field adds each
           node's receptive field size, jump and start; --seed-typo builds the identity blocks
           as the seed's text wrote them and marks the layers that no longer reach the output.
  run      (--image PATH | --sample NAME | --input-npy PATH) [--weights FILE.h5 | --seed N]
           [--input-size H[,W]] [--stages 4|5] [--include-top] [--seed-typo] [--layers all|blocks|NAME,...]
           [--export-dir DIR] [--format npy[,png]] [--threads N] [--reference] [--stats]
           [--cam top1..top5|INDEX [--cam-opacity A]]
           Runs ResNet50 and writes DIR/<node>.npy (and a channel grid DIR/<node>.png) for
           every node (default), the stem and block outputs (blocks), or the named nodes;
           DIR defaults to ./exports. --seed N (default 1, as the GUI) seeds Keras' initialisers.
           With --include-top: prints the top-5 classes (rank, index, name, probability);
           --cam writes the class activation map cam_<index>.npy (raw, the last block's
           resolution) and cam_<index>.png (over the input image, opacity A, default 0.5).
           --stats prints, per channel of each written node, what the GUI's inspector shows:
           min, max, mean, std and the 32-bin histogram.
  conv     --input X.npy (--kernel W.npy [--bias B.npy] | --filters F --kernel-size K)
           [--strides ...] [--padding ...] [--dilation-rate ...] [CONV2D ARGUMENTS] [--seed N]
           [--explain ROW,COL,FILTER] --out Y.npy
           One Conv2D on arrays: X (H, W, Cin), W (kh, kw, Cin, F), B (F,); without --kernel
           the weights are drawn by the initializers (--seed, default 1 as in the GUI).
           --explain prints how one output value is computed: window, kernel, products,
           per-channel sums, bias, activation.
  bench    [--input-size H[,W]] [--stages 4|5] [--include-top] [--threads N] [--reps N]
           [--warmup N] [--per-node] [--keep all|blocks] [--reference] [--no-prepare] [--sample NAME]
           Times the forward pass: median, min, GFLOPS, peak memory, and the first run after the
           preparation the GUI also makes (packed kernels, touched buffers); --no-prepare: without it.
           --weights-load FILE [--stages 4|5] [--include-top]: loading a trusted weights file
           in this process and through the sandboxed decoder, alternately; medians and ratio.
  anchors  --cell ROW,COL [--input-size H[,W]]
           The 9 Faster R-CNN anchor boxes (x1, y1, x2, y2) of one cell of the stride-16
           feature grid (38 x 38 at 600 x 600), and that cell's receptive field.
  quiz     [--seed N] [--questions N]
           Predict the shape: the seed's seven Conv2D examples, random ones of rising
           difficulty, then nodes of the network; answers on stdin, a score and the
           mistakes to revisit at the end.
  patches  --node NAME --channel C --out DIR [--images DIR] [--top K] [--weights FILE.h5 | --seed N]
           [--input-size H[,W]] [--stages 4|5] [--threads N]
           What a channel responds to: runs ResNet50 (224x224 by default) over the images (the
           bundled samples by default), finds each image's strongest activation of the channel,
           and writes the K strongest input patches (their receptive fields) as
           DIR/<node>_c<C>_<rank>.png, printing the values and positions.
  weights  list
           The ResNet50 ImageNet weights files found in convscope's cache and Keras' cache,
           each checked against its published md5.
  weights  verify FILE [--md5 HEX]
           Whether FILE is one of the known weights files (or has the md5 HEX).
  weights  fetch [--top] [--dir DIR] [--from URL [--md5 HEX]]
           Downloads the official keras-applications file (backbone only; --top: with the
           classifier) into DIR (default $XDG_CACHE_HOME/convscope or ~/.cache/convscope).
           --from: a mirror (http, https or file URL); an official file name is checked
           against the official md5, any other file needs --md5. Exit 0 only with a verified
           file in place; an interrupted download resumes when run again.

CONV2D ARGUMENTS (Keras' names and defaults; shape and conv):
  --activation None|relu|sigmoid|tanh|softmax|elu|selu|softplus|softsign|swish|gelu|
               hard_sigmoid|exponential        (tf.keras 2.x definitions)
  --use-bias true|false   --data-format channels_last|channels_first
  --kernel-initializer / --bias-initializer  glorot_uniform|glorot_normal|he_uniform|he_normal|
      lecun_uniform|lecun_normal|random_uniform(min,max)|random_normal(mean,std)|
      truncated_normal(mean,std)|zeros|ones|constant(v)
  --kernel-regularizer / --bias-regularizer / --activity-regularizer  l1(f)|l2(f)|l1_l2(l1,l2)
  --kernel-constraint / --bias-constraint  max_norm(m[, axis=[0,1,2]])|non_neg|unit_norm|
      min_max_norm(min,max[,rate])
  Regularizers and constraints act only in training: they are explained, not applied.

Bad input exits with status 2 and one line on stderr saying what was wrong.
)";

bool is_help_flag(const std::string& arg) { return arg == "--help" || arg == "-h"; }

// `convscope-cli COMMAND --help` and `convscope-cli help COMMAND`: that command's usage on stdout, exit 0.
int print_command_usage(const std::string& command) {
    const std::string usage = convscope::cli::command_usage(kUsage, command);
    if (usage.empty()) {
        std::cerr << "convscope-cli: unknown command \"" << command << "\" (see convscope-cli help)\n";
        return 2;
    }
    std::fputs(usage.c_str(), stdout);
    return 0;
}

std::set<std::string> with_conv_arguments(std::set<std::string> options) {
    options.insert(convscope::cli::kConvArgumentOptions.begin(), convscope::cli::kConvArgumentOptions.end());
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace convscope;
    using namespace convscope::cli;
    if (argc < 2 || std::string(argv[1]) == "help" || is_help_flag(argv[1])) {
        if (argc > 2 && std::string(argv[1]) == "help") return print_command_usage(argv[2]);
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    // Only the first argument is checked here; a later --help is found by Args::parse where an option may stand
    // (so "--export-dir -h" still names a folder).
    if (!rest.empty() && is_help_flag(rest[0])) return print_command_usage(command);
    try {
        if (command == "shape") {
            Args args = Args::parse(rest, with_conv_arguments({"input", "filters", "kernel-size", "strides", "padding",
                                                               "dilation-rate", "seed"}),
                                    {});
            return cmd_shape(args);
        }
        if (command == "compare") {
            Args args = Args::parse(rest, {"a", "b", "sample", "image", "channel", "normalization", "colormap", "out"}, {});
            return cmd_compare(args);
        }
        if (command == "summary") {
            Args args = Args::parse(rest, {"input-size", "stages"}, {"include-top", "receptive-field", "seed-typo"});
            return cmd_summary(args);
        }
        if (command == "quiz") {
            Args args = Args::parse(rest, {"seed", "questions"}, {});
            return cmd_quiz(args);
        }
        if (command == "anchors") {
            Args args = Args::parse(rest, {"input-size", "stages", "cell"}, {});
            return cmd_anchors(args);
        }
        if (command == "run") {
            Args args = Args::parse(rest,
                                    {"image", "sample", "input-npy", "weights", "seed", "input-size", "stages", "layers",
                                     "export-dir", "format", "threads", "cam", "cam-opacity"},
                                    {"include-top", "reference", "seed-typo", "stats"});
            return cmd_run(args);
        }
        if (command == "conv") {
            Args args = Args::parse(rest,
                                    with_conv_arguments({"input", "kernel", "bias", "filters", "kernel-size", "strides",
                                                         "padding", "dilation-rate", "out", "explain", "seed"}),
                                    {"reference"});
            return cmd_conv(args);
        }
        if (command == "bench") {
            Args args = Args::parse(rest,
                                    {"input-size", "stages", "threads", "reps", "warmup", "keep", "input", "filters", "sample", "weights-load",
                                     "kernel-size", "strides", "padding", "dilation-rate"},
                                    {"include-top", "per-node", "reference", "no-prepare"});
            return cmd_bench(args);
        }
        if (command == "patches") {
            Args args = Args::parse(rest,
                                    {"node", "channel", "out", "images", "top", "weights", "seed", "input-size", "stages",
                                     "threads"},
                                    {"include-top", "reference"});
            return cmd_patches(args);
        }
        if (command == "weights") return cmd_weights(rest);
        std::cerr << "convscope-cli: unknown command \"" << printable(command, 80) << "\"; expected shape, compare, summary, run, conv, bench, anchors, quiz, patches or weights"
                  << " (see convscope-cli help)\n";
        return 2;
    } catch (const HelpRequested&) {
        return print_command_usage(command);
    } catch (const UsageError& e) {
        std::cerr << "convscope-cli " << printable(command, 80) << ": " << printable(e.what())
                  << " (see convscope-cli " << printable(command, 80) << " --help)\n";
    } catch (const std::bad_alloc&) {
        std::cerr << "convscope-cli " << printable(command, 80) << ": out of memory; try a smaller --input-size\n";
    } catch (const std::exception& e) {
        // Messages quote file names and file contents: one line of printable text, whatever they hold.
        std::cerr << "convscope-cli " << printable(command, 80) << ": " << printable(e.what()) << "\n";
    }
    return 2;
}
