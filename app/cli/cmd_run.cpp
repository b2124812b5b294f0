// convscope-cli run: ResNet50 on one image, every node timed, chosen node outputs exported.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <set>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/analysis/class_activation_map.hpp"
#include "core/analysis/predictions.hpp"
#include "core/engine/engine.hpp"
#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/npy.hpp"
#include "core/export/png.hpp"
#include "core/image/image.hpp"
#include "core/render/feature_map.hpp"
#include "core/render/normalize.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"

namespace convscope::cli {

namespace {

// The nodes to export: "all", "blocks" (stem, every block output and the top) or a list of names.
std::vector<int> select_nodes(const Graph& g, const std::string& spec) {
    std::vector<int> out;
    if (spec == "all") {
        for (int i = 0; i < g.size(); ++i) out.push_back(i);
        return out;
    }
    if (spec == "blocks") {
        for (const char* stem : {"conv1_relu", "pool1"}) out.push_back(g.find(stem));
        for (const Block& b : g.blocks) out.push_back(b.output);
        for (const char* top : {"avg_pool", "fc1000"})
            if (g.find(top) >= 0) out.push_back(g.find(top));
        return out;
    }
    for (const std::string& name : parse_list(spec)) {
        const int i = g.find(name);
        if (i < 0)
            throw UsageError("--layers: no node named \"" + name + "\" in this network (try `convscope-cli summary` "
                             "with the same --stages/--include-top for the names)");
        out.push_back(i);
    }
    return out;
}

std::vector<std::string> parse_formats(const std::string& spec) {
    std::vector<std::string> formats = parse_list(spec);
    for (const std::string& f : formats)
        if (f != "npy" && f != "png") throw UsageError("--format " + spec + ": expected npy, png or npy,png");
    return formats;
}

// The preprocessed (H, W, 3) input from whichever of --image, --sample, --input-npy was given.
Tensor3 load_input(Args& args, ResNet50Options& o, bool size_given) {
    const int sources = int(args.has("image")) + int(args.has("sample")) + int(args.has("input-npy"));
    if (sources != 1) throw UsageError("give exactly one of --image PATH, --sample NAME, --input-npy PATH");
    if (args.has("input-npy")) {
        Tensor3 x = load_npy_hwc(args.get("input-npy"));  // (H, W, 3), already preprocessed: used as is
        if (x.shape()[2] != 3)
            throw InputError(args.get("input-npy") + ": " + std::to_string(x.shape()[2]) +
                             " channels, expected 3 (a preprocessed BGR image, (H, W, 3))");
        if (size_given && (int(x.shape()[0]) != o.height || int(x.shape()[1]) != o.width))
            throw InputError(args.get("input-npy") + ": the array is " + plain_shape(shape_of(x)) +
                             " but --input-size asks for " + std::to_string(o.height) + "," + std::to_string(o.width));
        o.height = int(x.shape()[0]);
        o.width = int(x.shape()[1]);
        return x;
    }
    const std::string path = args.has("image") ? args.get("image") : sample_path(args.get("sample"), CONVSCOPE_ASSETS_DIR);
    return caffe_preprocess(resize_image(load_image(path), o.height, o.width));
}

// --cam top1..top5 or a class index, resolved against the predictions once they are known.
struct CamRequest {
    bool wanted = false;
    int top_rank = 0;      // 1..5 for "topN", else 0
    int class_index = -1;  // for an index
};

CamRequest parse_cam(Args& args, const ResNet50Options& o) {
    CamRequest cam;
    if (!args.has("cam")) return cam;
    cam.wanted = true;
    const std::string spec = args.get("cam");
    if (!o.include_top) throw UsageError("--cam needs the classifier: add --include-top");
    if (spec.size() == 4 && spec.rfind("top", 0) == 0 && spec[3] >= '1' && spec[3] <= '5') {
        cam.top_rank = spec[3] - '0';
    } else {
        cam.class_index = parse_int(spec, "cam");
        if (cam.class_index < 0 || cam.class_index > 999)
            throw UsageError("--cam " + spec + ": expected top1 ... top5 or a class index 0 to 999");
    }
    return cam;
}

void print_predictions(const std::vector<Prediction>& top) {
    std::cout << "top-" << top.size() << " (rank, class index, name, probability):\n";
    for (const Prediction& p : top)
        std::cout << std::setw(2) << p.rank << "  " << std::setw(3) << p.index << "  " << p.name << "  " << std::fixed
                  << std::setprecision(6) << p.probability << "\n";
}

// The export folders this run created: removed again (when still empty) unless the run succeeds, so a
// failed run leaves nothing behind.
class CreatedFolders {
public:
    explicit CreatedFolders(std::vector<std::string> folders) : folders_(std::move(folders)) {}
    CreatedFolders(const CreatedFolders&) = delete;
    CreatedFolders& operator=(const CreatedFolders&) = delete;
    ~CreatedFolders() {
        for (auto it = folders_.rbegin(); it != folders_.rend(); ++it) ::rmdir(it->c_str());  // fails if not empty
    }
    void keep() { folders_.clear(); }

private:
    std::vector<std::string> folders_;
};

// What the GUI's inspector shows for each channel of a node, in the same number format: min, max, mean,
// population std and the 32-bin histogram over [min, max] (core/render/normalize.hpp's channel_stats).
void print_channel_stats(const std::string& node, const Tensor3& out) {
    const int channels = int(out.shape()[2]);
    for (int c = 0; c < channels; ++c) {
        const ChannelStats s = channel_stats(out, c);
        std::cout << node << " channel " << c << ": min " << format_value(s.min) << ", max " << format_value(s.max)
                  << ", mean " << format_value(float(s.mean)) << ", std " << format_value(float(s.std)) << " over "
                  << s.count << " values";
        if (s.non_finite) std::cout << " (" << s.non_finite << " NaN or infinite skipped)";
        std::cout << "; histogram:";
        for (std::int64_t n : s.histogram) std::cout << " " << n;
        std::cout << "\n";
    }
}

}  // namespace

int cmd_run(Args& args) {
    const bool size_given = args.has("input-size");
    ResNet50Options o = parse_model_options(args, 600);
    Tensor3 input = load_input(args, o, size_given);  // (H, W, 3)
    if (args.has("weights") && args.has("seed")) throw UsageError("give either --weights or --seed, not both");
    const std::string export_dir = args.get_or("export-dir", "exports");
    const std::vector<std::string> formats = parse_formats(args.get_or("format", "npy"));
    const std::string layer_spec = args.get_or("layers", "all");
    const EngineOptions engine_options = parse_engine_options(args);
    const CamRequest cam = parse_cam(args, o);
    float cam_opacity = 0.5f;
    if (args.has("cam-opacity")) {
        const std::string text = args.get("cam-opacity");
        char* end = nullptr;
        cam_opacity = std::strtof(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(cam_opacity >= 0.0f && cam_opacity <= 1.0f))
            throw UsageError("--cam-opacity " + text + ": expected a number from 0 to 1");
    }
    if (args.has("cam-opacity") && !cam.wanted) throw UsageError("--cam-opacity goes with --cam");

    Graph graph = build_resnet50(o);
    graph.shapes_or_throw();  // an input too small for the network stops here, naming the node
    std::string weights_line;
    const bool weights_given = args.has("weights");
    if (weights_given) {
        const LoadReport report = load_keras_weights(graph, args.get("weights"));
        weights_line = describe(report);
    } else {
        const int seed = parse_int(args.get_or("seed", "1"), "seed");
        initialize_graph(graph, std::uint64_t(seed));
        weights_line = "weights: Keras default initialisers (glorot_uniform kernels) with seed " + std::to_string(seed);
    }
    const std::vector<int> nodes = select_nodes(graph, layer_spec);
    const bool print_stats = args.has("stats");
    args.finish();
    CreatedFolders created(ensure_directory(export_dir));  // fail before the long run, not after it

    const RgbImage picture = cam.wanted ? caffe_unpreprocess(input) : RgbImage{};  // what the CAM is drawn over
    Engine engine(std::move(graph), engine_options);
    engine.set_input(std::move(input));
    std::cout << weights_line << "\n";
    const RunStats stats = engine.run();
    const Graph& g = engine.graph();
    const std::vector<Shape> shapes = g.shapes_or_throw();  // knows which outputs are (C,) vectors
    for (int i = 0; i < g.size(); ++i) {
        std::cout << std::left << std::setw(24) << g.node(i).name << std::setw(24) << keras_shape(shapes[std::size_t(i)])
                  << std::right << std::fixed << std::setprecision(2) << std::setw(9)
                  << stats.node_milliseconds[std::size_t(i)] << " ms\n";
    }
    std::cout << "forward pass: " << std::fixed << std::setprecision(1) << stats.milliseconds << " ms on "
              << engine.threads() << " thread(s)\n";
    std::vector<Prediction> top;
    std::vector<std::string> names;
    if (o.include_top) {
        names = load_class_names(std::string(CONVSCOPE_ASSETS_DIR) + "/imagenet_classes.txt");
        top = top_predictions(*engine.output(g.find("fc1000")), 5, names);
        print_predictions(top);
        if (!weights_given)
            std::cout << "(seeded random weights: these classes mean nothing; `convscope-cli weights fetch --top` gets "
                         "the trained ones)\n";
    }

    if (print_stats)
        for (int i : nodes) print_channel_stats(g.node(i).name, *engine.output(i));

    // Every file is written to a temporary name first; the set is renamed into place only when all
    // succeeded, so a full disk never leaves half an export behind.
    AtomicFileSet files;
    GridOptions grid;
    grid.max_cell = 150;  // keeps a 64-channel 300x300 map to a picture one can open
    for (int i : nodes) {
        const auto out = engine.output(i);  // (H, W, C)
        const bool flat = shapes[std::size_t(i)].flat;
        const std::string base = export_dir + "/" + g.node(i).name;
        for (const std::string& f : formats) {
            if (f == "npy") files.add(base + ".npy", encode_npy(*out, flat));
            else files.add(base + ".png", encode_png(render_grid(*out, grid)));
        }
    }
    if (cam.wanted) {
        const int c = cam.top_rank > 0 ? top.at(std::size_t(cam.top_rank - 1)).index : cam.class_index;
        const Map2 map = class_activation_map(engine, c);  // (H, W) at the last block's resolution
        const auto [lo, hi] = std::minmax_element(map.begin(), map.end());
        double mean = 0;
        for (float v : map) mean += v;
        mean /= double(map.size());
        const float bias = g.node(g.find("fc1000")).layer->weights().at(1).values(c);
        std::cout << "class activation map of class " << c << " (" << names.at(std::size_t(c)) << "): " << map.shape()[0]
                  << "x" << map.shape()[1] << ", min " << std::setprecision(4) << *lo << ", max " << *hi << ", mean "
                  << mean << "; mean + fc1000 bias " << bias << " = " << mean + double(bias) << ", the class's logit\n";
        const std::string base = export_dir + "/cam_" + std::to_string(c);
        files.add(base + ".npy", encode_npy_array(map.data(), {map.shape()[0], map.shape()[1]}));
        files.add(base + ".png", encode_png(render_cam_overlay(map, picture, cam_opacity)));
    }
    const std::vector<std::string> written = files.commit();
    created.keep();
    std::cout << "wrote " << written.size() << " file(s) to " << export_dir << "/\n";
    return 0;
}

}  // namespace convscope::cli
