// convscope-cli bench --weights-load FILE: what the sandboxed decoder costs when a weights file is loaded.
//
// Both ways of loading FILE into the seed's ResNet50 are timed, alternately so that a busy spell of this machine
// hits both alike:
//   in-process   libhdf5 reads the file in this process (read_keras_weights_file), then the values are mapped
//                onto the graph: how convscope loaded weights before the decoder was sandboxed
//   sandboxed    convscope-decode reads it under its limits and hands the values back through shared memory
//                (decode_keras_weights_file), then the same mapping: what the CLI and the GUI do
// The in-process path runs libhdf5 on the file inside this program, so only point it at a file you trust.

#include <chrono>
#include <iomanip>
#include <iostream>

#include "app/cli/bench_weights_load.hpp"
#include "app/cli/timing.hpp"
#include "core/model/resnet50.hpp"
#include "core/sandbox/decode_client.hpp"
#include "core/weights/keras_h5.hpp"

namespace convscope::cli {

namespace {

template <class Load>
double time_ms(Load&& load) {
    const auto start = std::chrono::steady_clock::now();
    load();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int bench_weights_load(const std::string& path, const ResNet50Options& options, int reps) {
    Graph graph = build_resnet50(options);
    graph.shapes_or_throw();
    graph.build_weights();
    const auto in_process = [&] { apply_keras_weights(graph, read_keras_weights_file(path, "weights file " + path), path); };
    const auto sandboxed = [&] { load_keras_weights(graph, path); };
    in_process();  // warm-up: the file into the page cache, the decoder's binary too
    sandboxed();

    Timing in_process_ms, sandboxed_ms;
    std::cout << std::fixed << std::setprecision(1);
    std::cout << "weights file: " << path << "\n";
    for (int r = 0; r < reps; ++r) {
        in_process_ms.runs_ms.push_back(time_ms(in_process));
        sandboxed_ms.runs_ms.push_back(time_ms(sandboxed));
        std::cout << "round " << r + 1 << ": in-process " << in_process_ms.runs_ms.back() << " ms, sandboxed "
                  << sandboxed_ms.runs_ms.back() << " ms\n";
    }
    const double a = in_process_ms.median(), b = sandboxed_ms.median();
    std::cout << "median: in-process " << a << " ms, sandboxed " << b << " ms, ratio " << std::setprecision(3)
              << b / a << " (sandboxed / in-process)\n";
    return 0;
}

}  // namespace convscope::cli
