// libFuzzer: command lines for convscope-cli's option parser and the arithmetic `shape` prints (NUL bytes
// separate the arguments). Every command line must give numbers, a request for help (--help), or a UsageError /
// ConfigError / ShapeError, never overflow, and never allocate a kernel.
#include <cstdint>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/model_options.hpp"
#include "core/errors.hpp"
#include "core/layers/conv2d.hpp"
#include "tests/fuzz/fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace convscope;
    std::vector<std::string> argv;
    std::string arg;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            argv.push_back(arg);
            arg.clear();
        } else {
            arg += char(data[i]);
        }
    }
    argv.push_back(arg);
    try {
        cli::Args args = cli::Args::parse(
            argv, {"input", "filters", "kernel-size", "strides", "padding", "dilation-rate", "input-size", "stages",
                   "threads"},
            {"include-top", "reference"});
        if (args.has("input-size") || args.has("stages")) cli::parse_model_options(args, 600);
        if (args.has("threads")) cli::parse_engine_options(args);
        if (args.has("input")) {
            const Shape in = cli::parse_input_shape(args);
            const Conv2D conv(cli::parse_conv_config(args, "valid"));
            const Shape out = conv.output_shape({in});
            const ConvGeometry g = conv.geometry(in);
            if (out.h != g.rows.out || out.w != g.cols.out || out.h < 1 || out.w < 1) __builtin_trap();
            if (conv.macs({in}) < 0) __builtin_trap();
        }
        args.finish();
    } catch (const cli::UsageError& e) {
        fuzz::check_message(e.what());
    } catch (const ConfigError& e) {
        fuzz::check_message(e.what());
    } catch (const ShapeError& e) {
        fuzz::check_message(e.what());
    } catch (const cli::HelpRequested&) {
        // --help: the command prints its usage and exits 0
    }
    return 0;
}
