// convscope-cli bench: how fast the forward pass is, measured honestly (warm-up, repetitions, median).
//
// Two workloads, and the cost of loading weights:
//   the backbone   (default) build ResNet50 with --input-size/--stages/--include-top and time the whole
//                  forward pass with every node's output kept, as the viewer uses it
//   one Conv2D     with --input H,W,C --filters F --kernel-size K [...] (the playground's workload)
//   --weights-load FILE   loading FILE in-process and through the sandboxed decoder (bench_weights_load.hpp)

#include <sys/resource.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <random>

#include "app/cli/bench_weights_load.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "app/cli/timing.hpp"
#include "core/engine/engine.hpp"
#include "core/image/image.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/input_layer.hpp"
#include "core/weights/initializers.hpp"

namespace convscope::cli {

namespace {

Tensor3 random_input(int h, int w, int c) {  // (H, W, C), like a caffe-preprocessed image
    Tensor3 x = Tensor3::from_shape({std::size_t(h), std::size_t(w), std::size_t(c)});
    std::mt19937 random(42);
    for (float& v : x) v = float(random() % 256) - 120.0f;
    return x;
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

// A graph of one Conv2D on an (H, W, C) input, from the same options as `convscope-cli shape`.
Graph single_conv_graph(Args& args, Shape& in) {
    in = parse_input_shape(args);
    const Conv2DConfig c = parse_conv_config(args, "same");  // 64 filters, 3x3 unless given
    Graph g;
    g.add("input", std::make_unique<InputLayer>(in), {});
    g.add("conv", std::make_unique<Conv2D>(c), {"input"});
    g.shapes_or_throw();
    g.build_weights();
    return g;
}

}  // namespace

int cmd_bench(Args& args) {
    EngineOptions options = parse_engine_options(args);
    const std::string keep = args.get_or("keep", "all");
    if (keep != "all" && keep != "blocks") throw UsageError("--keep " + keep + ": expected all or blocks");
    options.keep = keep == "all" ? KeepPolicy::all_nodes : KeepPolicy::block_outputs;
    const int reps = parse_int(args.get_or("reps", "5"), "reps");
    const int warmup = parse_int(args.get_or("warmup", "1"), "warmup");
    if (reps < 1 || warmup < 0) throw UsageError("--reps must be at least 1 and --warmup at least 0");
    const bool per_node = args.has("per-node");
    const bool prepare = !args.has("no-prepare");
    const std::string sample = args.get_or("sample", "");
    if (args.has("weights-load")) {
        const std::string file = args.get("weights-load");
        const ResNet50Options o = parse_model_options(args, 224);
        args.finish();
        return bench_weights_load(file, o, reps);
    }

    Graph graph;
    Shape in;
    std::string workload;
    if (args.has("input")) {
        graph = single_conv_graph(args, in);
        workload = graph.node(1).layer->keras_line() + " on " + keras_shape(in);
    } else {
        const ResNet50Options o = parse_model_options(args, 600);
        graph = build_resnet50(o);
        graph.shapes_or_throw();
        in = Shape::image(o.height, o.width, 3);
        workload = "ResNet50 stages 1-" + std::to_string(o.last_stage) + (o.include_top ? " + top" : "") + " at " +
                   std::to_string(o.height) + "x" + std::to_string(o.width);
    }
    args.finish();
    initialize_graph(graph, 1);
    const std::vector<std::int64_t> node_macs = graph.node_macs();  // empty when the shapes fail
    const std::int64_t macs = std::accumulate(node_macs.begin(), node_macs.end(), std::int64_t(0));

    Engine engine(std::move(graph), options);
    // (H, W, C): random values, or a bundled picture preprocessed as the GUI does (the values decide nothing but
    // whether denormal floats appear, which x86 handles slowly).
    const Tensor3 input = sample.empty() ? random_input(in.h, in.w, in.c)
                                         : caffe_preprocess(resize_image(
                                               load_image(sample_path(sample, CONVSCOPE_ASSETS_DIR)), in.h, in.w));
    Timing total;
    std::vector<std::vector<double>> node_runs(std::size_t(engine.graph().size()));
    // As the GUI does before its first run: pack the kernels and touch the output buffers (engine.hpp).
    const PrepareStats prepared = prepare ? engine.prepare() : PrepareStats{};
    RunStats first;
    for (int r = 0; r < warmup + reps; ++r) {
        engine.set_input(input);  // as when the user opens a new picture: every node recomputes
        const RunStats s = engine.run();
        if (r == 0) first = s;
        if (r < warmup) continue;
        total.runs_ms.push_back(s.milliseconds);
        for (std::size_t i = 0; i < node_runs.size(); ++i) node_runs[i].push_back(s.node_milliseconds[i]);
    }

    const double median = total.median();
    std::cout << std::fixed;
    std::cout << "workload: " << workload << "\n";
    std::cout << "kernels: " << (options.kernels == Kernels::fast ? "fast" : "reference") << ", threads: "
              << engine.threads() << ", keep: " << keep << ", reps: " << reps << " (+" << warmup << " warm-up)\n";
    std::cout << "work: " << std::setprecision(3) << double(macs) / 1e9 << " GMAC (" << 2.0 * double(macs) / 1e9
              << " GFLOP)\n";
    if (prepare)
        std::cout << "preparation: " << std::setprecision(2) << prepared.milliseconds << " ms ("
                  << prepared.packed_kernels << " kernels packed, " << prepared.new_buffers << " output buffers, "
                  << std::setprecision(1) << double(prepared.new_bytes) / 1048576.0 << " MiB, touched)\n";
    std::cout << "first run: " << std::setprecision(2) << first.milliseconds << " ms (" << first.packed_kernels
              << " kernels packed and " << first.new_buffers << " output buffers allocated during it)\n";
    std::cout << "median: " << std::setprecision(2) << median << " ms   min: " << total.min() << " ms\n";
    std::cout << "effective: " << std::setprecision(1) << 2.0 * double(macs) / (median * 1e6) << " GFLOPS (2 x MACs / median)\n";
    std::cout << "peak memory: node outputs " << std::setprecision(1) << double(engine.peak_bytes()) / 1048576.0
              << " MiB, process " << peak_rss_mb() << " MiB (peak RSS)\n";
    if (per_node) {
        // GFLOPS per node from its own MACs: a fused group's BN, ReLU and join are booked on its conv and do no
        // multiply-adds, so the conv's figure covers the whole group.
        std::cout << "\n" << std::left << std::setw(26) << "node" << std::right << std::setw(12) << "median ms"
                  << std::setw(9) << "share" << std::setw(10) << "GFLOPS" << "\n";
        for (std::size_t i = 0; i < node_runs.size(); ++i) {
            Timing t{node_runs[i]};
            std::cout << std::left << std::setw(26) << engine.graph().node(int(i)).name << std::right << std::setw(12)
                      << std::setprecision(3) << t.median() << std::setw(8) << std::setprecision(1)
                      << 100.0 * t.median() / median << "%";
            if (i < node_macs.size() && node_macs[i] > 0 && t.median() > 0)
                std::cout << std::setw(10) << 2.0 * double(node_macs[i]) / (t.median() * 1e6);
            std::cout << "\n";
        }
    }
    return 0;
}

}  // namespace convscope::cli
