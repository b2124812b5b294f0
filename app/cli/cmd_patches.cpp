// convscope-cli patches: what one channel of one node responds to, over a folder of images.

#include <unistd.h>

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/analysis/channel_patches.hpp"
#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/png.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"
#include "core/weights/md5.hpp"

namespace convscope::cli {

namespace {

RgbaImage to_rgba(const RgbImage& image) {
    RgbaImage out(image.width, image.height);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const std::uint8_t* s = image.pixels.data() + (std::size_t(y) * std::size_t(image.width) + std::size_t(x)) * 3;
            std::uint8_t* d = out.at(x, y);
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
        }
    return out;
}

}  // namespace

int cmd_patches(Args& args) {
    ResNet50Options o = parse_model_options(args, 224);
    const std::string node_name = args.get("node");
    const int channel = parse_int(args.get("channel"), "channel");
    const int top = parse_int(args.get_or("top", "9"), "top");
    if (top < 1) throw UsageError("--top must be at least 1");
    const std::string out_dir = args.get("out");
    if (args.has("weights") && args.has("seed")) throw UsageError("give either --weights or --seed, not both");
    const EngineOptions engine_options = parse_engine_options(args);
    std::vector<std::string> images;
    if (args.has("images")) {
        images = list_images(args.get("images"));
        if (images.empty()) throw InputError(args.get("images") + ": no image files (.png, .jpg, .bmp, .gif ...)");
    } else {
        for (const std::string& name : sample_names()) images.push_back(sample_path(name, CONVSCOPE_ASSETS_DIR));
    }

    Graph graph = build_resnet50(o);
    graph.shapes_or_throw();
    const int node = graph.find(node_name);
    if (node < 0)
        throw UsageError("--node: no node named \"" + node_name + "\" in this network (try `convscope-cli summary` "
                         "with the same --stages/--include-top for the names)");
    std::string weights_id, weights_line;
    const bool trained = args.has("weights");
    if (trained) {
        const std::string path = args.get("weights");
        weights_line = describe(load_keras_weights(graph, path));
        weights_id = "md5 " + md5_file(path);
    } else {
        const int seed = parse_int(args.get_or("seed", "1"), "seed");
        initialize_graph(graph, std::uint64_t(seed));
        weights_id = "seed " + std::to_string(seed);
        weights_line = "weights: Keras default initialisers (glorot_uniform kernels) with seed " + std::to_string(seed);
    }
    args.finish();
    ensure_directory(out_dir);

    const NodeField field = receptive_fields(graph)[std::size_t(node)];
    Engine engine(std::move(graph), engine_options);
    ChannelPatchFinder finder(engine, weights_id);
    std::cout << weights_line << "\n";
    if (!trained)
        std::cout << "(seeded random weights: a random filter's favourite patches show no learned pattern; load "
                     "trained weights with --weights to see what the channel learned)\n";
    std::cout << node_name << " channel " << channel << ": receptive field " << field.rows.size() << "x"
              << field.cols.size() << " input pixels, " << field.rows.jump << " pixels between neighbouring positions\n";
    const bool tty = ::isatty(STDERR_FILENO) == 1;  // a progress line only where it can be redrawn in place
    const std::vector<ChannelPatch> patches = finder.strongest(images, node, channel, top, [tty](const PatchProgress& p) {
        if (!tty) return;
        std::cerr << "\r\033[K" << p.done << "/" << p.total << " images" << std::flush;
        if (p.done == p.total) std::cerr << "\r\033[K" << std::flush;
    });
    for (const std::string& s : finder.skipped()) std::cout << "skipped " << s << "\n";

    std::cout << "rank  activation  image  position (row, col)  input rows, cols (inclusive; beyond the image is padding)\n";
    AtomicFileSet files;
    for (std::size_t r = 0; r < patches.size(); ++r) {
        const ChannelPatch& p = patches[r];
        std::cout << std::setw(4) << r + 1 << "  " << std::fixed << std::setprecision(4) << p.activation << "  "
                  << std::filesystem::path(p.image).filename().string() << "  (" << p.row << ", " << p.col << ")  rows "
                  << p.region.row0 << ".." << p.region.row1 << ", cols " << p.region.col0 << ".." << p.region.col1 << "\n";
        files.add(out_dir + "/" + node_name + "_c" + std::to_string(channel) + "_" + std::to_string(r + 1) + ".png",
                  encode_png(to_rgba(p.patch)));
    }
    const std::vector<std::string> written = files.commit();
    std::cout << "wrote " << written.size() << " patch(es) to " << out_dir << "/\n";
    return 0;
}

}  // namespace convscope::cli
