#include "core/analysis/channel_patches.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <sys/stat.h>

#include "core/errors.hpp"

namespace convscope {

namespace {

// The colour of a zero in the caffe-preprocessed input, i.e. what ZeroPadding2D and 'same' padding add.
constexpr std::uint8_t kMeanRgb[3] = {124, 117, 104};  // round(123.68, 116.779, 103.939)

RgbImage network_picture(const std::string& path, const Shape& input) {
    return resize_image(load_image(path), input.h, input.w);
}

}  // namespace

ChannelPatchFinder::ChannelPatchFinder(Engine& engine, std::string weights_id)
    : engine_(engine), weights_id_(std::move(weights_id)) {}

std::string ChannelPatchFinder::key(const std::string& image, int node, const Shape& in) const {
    struct stat st{};
    ::stat(image.c_str(), &st);
    return weights_id_ + "|" + std::to_string(in.h) + "x" + std::to_string(in.w) + "|" + engine_.graph().node(node).name +
           "|" + image + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
}

std::vector<ChannelPatch> ChannelPatchFinder::strongest(const std::vector<std::string>& images, int node, int channel,
                                                        int k, const PatchProgressFn& progress,
                                                        const std::atomic<bool>* cancel) {
    const Graph& g = engine_.graph();
    const std::vector<NodeShape> shapes = g.infer_shapes();
    if (node < 0 || node >= g.size()) throw ConfigError("node " + std::to_string(node) + " is not in the network");
    if (!shapes[std::size_t(node)].ok()) throw ShapeError(g.node(node).name + ": its shape does not infer");
    const Shape out = *shapes[std::size_t(node)].shape;
    const Shape in = *shapes.at(0).shape;
    if (out.flat)
        throw ConfigError(g.node(node).name + " is a vector (no positions): pick a node with a feature map");
    if (channel < 0 || channel >= out.c)
        throw ConfigError("channel " + std::to_string(channel) + " of " + g.node(node).name + ": expected 0 to " +
                          std::to_string(out.c - 1));
    const NodeField field = receptive_fields(g, shapes)[std::size_t(node)];

    skipped_.clear();
    struct Found {
        std::size_t image;
        ChannelMax max;
    };
    std::vector<Found> found;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const std::string cache_key = key(images[i], node, in);
        auto hit = cache_.find(cache_key);
        if (hit == cache_.end()) {
            if (cancel && cancel->load()) throw Cancelled();
            Tensor3 input;
            try {
                input = caffe_preprocess(network_picture(images[i], in));  // (H, W, 3)
            } catch (const InputError& e) {
                skipped_.push_back(e.what());
                if (progress) progress({int(i) + 1, int(images.size()), images[i]});
                continue;
            }
            engine_.set_input(std::move(input));
            const std::shared_ptr<const Tensor3> a = engine_.compute(node, cancel);  // (H, W, C)
            ++network_runs_;
            std::vector<ChannelMax> maxima(std::size_t(out.c), ChannelMax{0, -1, -1});
            const float* p = a->data();
            for (int r = 0; r < out.h; ++r)
                for (int c = 0; c < out.w; ++c)
                    for (int ch = 0; ch < out.c; ++ch) {
                        const float v = p[(std::size_t(r) * std::size_t(out.w) + std::size_t(c)) * std::size_t(out.c) + std::size_t(ch)];
                        ChannelMax& m = maxima[std::size_t(ch)];
                        if (m.row < 0 || v > m.value) m = ChannelMax{v, r, c};  // strict: the first maximum stays
                    }
            hit = cache_.emplace(cache_key, std::move(maxima)).first;
        }
        found.push_back({i, hit->second[std::size_t(channel)]});
        if (progress) progress({int(i) + 1, int(images.size()), images[i]});
    }

    std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.max.value > b.max.value; });
    if (k >= 0 && found.size() > std::size_t(k)) found.resize(std::size_t(k));
    std::vector<ChannelPatch> patches;
    for (const Found& f : found) {
        ChannelPatch p;
        p.image = images[f.image];
        p.activation = f.max.value;
        p.row = f.max.row;
        p.col = f.max.col;
        p.region = field.region(f.max.row, f.max.col);
        p.patch = crop_patch(network_picture(p.image, in), p.region);
        patches.push_back(std::move(p));
    }
    return patches;
}

RgbImage crop_patch(const RgbImage& image, const FieldRegion& region) {
    RgbImage patch;
    patch.height = region.row1 - region.row0 + 1;
    patch.width = region.col1 - region.col0 + 1;
    patch.pixels.resize(std::size_t(patch.height) * std::size_t(patch.width) * 3);
    for (int y = 0; y < patch.height; ++y)
        for (int x = 0; x < patch.width; ++x) {
            const int sy = region.row0 + y, sx = region.col0 + x;
            const bool inside = sy >= 0 && sy < image.height && sx >= 0 && sx < image.width;
            std::uint8_t* dst = patch.pixels.data() + (std::size_t(y) * std::size_t(patch.width) + std::size_t(x)) * 3;
            for (int c = 0; c < 3; ++c)
                dst[c] = inside ? image.pixels[(std::size_t(sy) * std::size_t(image.width) + std::size_t(sx)) * 3 + std::size_t(c)]
                                : kMeanRgb[c];
        }
    return patch;
}

std::vector<std::string> list_images(const std::string& folder) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw InputError(folder + ": not a folder (expected a folder of images)");
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if (!e.is_regular_file(ec)) continue;
        std::string ext = e.path().extension().string();
        for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
        static const char* const known[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".ppm", ".pgm", ".psd"};
        if (std::find(std::begin(known), std::end(known), ext) != std::end(known)) out.push_back(e.path().string());
    }
    if (ec) throw InputError(folder + ": cannot list (" + ec.message() + ")");
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace convscope
