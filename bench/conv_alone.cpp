// Times one fused Conv2D -> BatchNormalization -> ReLU on its own, as the engine runs it inside a pass (packed
// kernel, only the ReLU output written, the conv and BN left to their derivations), optionally with a residual
// block's join (the shortcut added before the ReLU). Inside a pass a conv's kernel, input and outputs arrive cold
// or from the other core; alone and warm they do not. `--cold` evicts the caches before every run, so the two
// figures bracket what `bench --per-node` reports for the same conv (bench/README.md). A developer tool, like the
// rest of bench/.
//
//   convscope-conv-alone --input H,W,C --filters F [--kernel-size K] [--strides S] [--padding same|valid]
//                        [--dilation-rate D] [--join] [--cold] [--threads N] [--reps N]
//
// The options are `convscope-cli shape`'s, parsed by the same code, with a 1x1 kernel unless --kernel-size is
// given. Data are random (fixed seed); the times do not depend on the values. Bad options exit with status 2.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/model_options.hpp"
#include "core/errors.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/fast/conv2d_winograd.hpp"
#include "core/layers/conv2d.hpp"
#include "core/thread_pool.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace convscope;
using cli::UsageError;

const char* const kUsage =
    "usage: convscope-conv-alone --input H,W,C --filters F [--kernel-size K] [--strides S] [--padding same|valid]\n"
    "                            [--dilation-rate D] [--join] [--cold] [--threads N] [--reps N]\n";

struct Options {
    Conv2DParams p;  // from the same options as `convscope-cli shape` (1x1 and 'same' unless given)
    int threads = 2, reps = 50;
    bool join = false, cold = false;
};

Options parse(int argc, char** argv) {
    cli::Args args = cli::Args::parse(std::vector<std::string>(argv + 1, argv + argc),
                                      {"input", "filters", "kernel-size", "strides", "padding", "dilation-rate",
                                       "threads", "reps"},
                                      {"join", "cold"});
    Options o;
    args.require("filters");
    const Shape in = cli::parse_input_shape(args);
    Conv2DConfig config = cli::parse_conv_config(args, "same");
    if (!args.has("kernel-size")) config.kernel_size = {1, 1};
    o.threads = cli::parse_int(args.get_or("threads", "2"), "threads");
    o.reps = cli::parse_int(args.get_or("reps", "50"), "reps");
    if (o.threads < 1 || o.reps < 1 || config.filters < 1)
        throw UsageError("--filters, --threads and --reps must be at least 1");
    o.join = args.has("join");
    o.cold = args.has("cold");
    args.finish();
    const Conv2D conv(config);
    conv.output_shape({in});  // Keras' checks: throws ConfigError or ShapeError naming what does not fit
    o.p = conv.params(in);
    return o;
}

// Writes one byte per cache line of a buffer larger than any cache here, from every thread of the pool, so that
// the next run finds none of its data cached (as a conv deep in a pass finds its kernel).
void evict_caches(std::vector<char>& junk, const Context& ctx) {
    const std::size_t parts = 64, part = junk.size() / parts;
    ctx.parallel_for(parts, [&](std::size_t s) {
        for (std::size_t j = s * part; j < (s + 1) * part; j += 64) junk[j] = char(junk[j] + 1);
    });
}

int run(const Options& o) {
    const Conv2DParams& p = o.p;
    const std::size_t out_size = std::size_t(p.out_h) * std::size_t(p.out_w) * std::size_t(p.filters);

    std::mt19937 random(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> input(std::size_t(p.in_h) * std::size_t(p.in_w) * std::size_t(p.in_c));
    std::vector<float> kernel(std::size_t(p.kernel_h) * std::size_t(p.kernel_w) * std::size_t(p.in_c) * std::size_t(p.filters));
    std::vector<float> bias(std::size_t(p.filters)), scale(bias.size()), shift(bias.size());
    for (float& v : input) v = uniform(random);
    for (float& v : kernel) v = 0.05f * uniform(random);
    for (std::size_t j = 0; j < bias.size(); ++j) {
        bias[j] = 0.1f * uniform(random);
        scale[j] = 1.0f + 0.2f * uniform(random);
        shift[j] = 0.1f * uniform(random);
    }
    AlignedFloats relu = AlignedFloats::allocate(out_size);
    AlignedFloats shortcut = AlignedFloats::allocate(out_size);
    std::fill(shortcut.get(), shortcut.get() + out_size, 0.25f);

    ThreadPool pool(o.threads);
    Context ctx;
    ctx.pool = &pool;
    const Isa isa = best_isa();
    const Conv2DPackedKernel packed = conv2d_pack_kernel(p, kernel.data(), isa, ctx);
    pool.on_each_thread([&] { conv2d_reserve_thread_scratch(p, isa); });
    Conv2DResidual residual;
    if (o.join) residual.shortcut = shortcut.get();
    std::vector<char> junk(o.cold ? std::size_t(256) << 20 : 0, 1);

    std::vector<double> ms;
    for (int r = -2; r < o.reps; ++r) {  // two warm-up runs: the outputs' pages, the pool's threads
        if (o.cold) evict_caches(junk, ctx);
        const auto start = Clock::now();
        conv2d_fast_packed(p, input.data(), packed, bias.data(), nullptr, scale.data(), shift.data(), nullptr,
                           relu.get(), ctx, residual);
        if (r >= 0) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    const double macs = double(out_size) * double(p.kernel_h) * p.kernel_w * p.in_c;
    const int tile = detail::winograd_tile(p, isa);
    const std::string side = std::to_string(tile);
    const std::string method = tile ? "Winograd F(" + side + "x" + side + ", 3x3)" : "direct";
    std::printf("conv: %dx%dx%d -> %dx%dx%d, %dx%d stride %d, %s%s, %s caches, %s, %d thread%s, %d reps\n", p.in_h,
                p.in_w, p.in_c, p.out_h, p.out_w, p.filters, p.kernel_h, p.kernel_w, p.stride_h, method.c_str(),
                o.join ? " with the join" : "", o.cold ? "cold" : "warm", to_string(isa), o.threads,
                o.threads == 1 ? "" : "s", o.reps);
    std::printf("median: %.3f ms   min: %.3f ms\n", median, ms.front());
    std::printf("effective: %.1f GFLOPS (2 x direct MACs / median)\n", 2.0 * macs / median / 1e6);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const cli::HelpRequested&) {
        std::fputs(kUsage, stdout);
        return 0;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "convscope-conv-alone: %s\n%s", e.what(), kUsage);
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "convscope-conv-alone: %s\n", e.what());
    } catch (const ShapeError& e) {
        std::fprintf(stderr, "convscope-conv-alone: %s\n", e.what());
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "convscope-conv-alone: not enough memory for tensors of these sizes\n");
    }
    return 2;
}
