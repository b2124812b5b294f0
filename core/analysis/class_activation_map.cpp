#include "core/analysis/class_activation_map.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/layers/dense.hpp"

namespace convscope {

namespace {

std::string shape_text(const WeightArray& a) {
    std::string s = "(";
    for (std::size_t i = 0; i < a.dimension(); ++i) s += (i ? ", " : "") + std::to_string(a.shape()[i]);
    return s + ")";
}

}  // namespace

Map2 class_activation_map(const Tensor3& features, const WeightArray& kernel, int class_index) {
    const std::size_t h = features.shape()[0], w = features.shape()[1], k_count = features.shape()[2];
    if (kernel.dimension() != 2 || kernel.shape()[0] != k_count)
        throw ShapeError("class activation map: the Dense kernel is " + shape_text(kernel) + ", expected (" +
                         std::to_string(k_count) + ", classes) for " + std::to_string(k_count) + " feature channels");
    const std::size_t classes = kernel.shape()[1];
    if (class_index < 0 || std::size_t(class_index) >= classes)
        throw ConfigError("class " + std::to_string(class_index) + ": expected 0 to " + std::to_string(classes - 1));
    const float* a = features.data();  // (H, W, K)
    const float* wk = kernel.data();   // (K, classes)
    Map2 cam = Map2::from_shape({h, w});  // (H, W)
    for (std::size_t p = 0; p < h * w; ++p) {
        double sum = 0;  // double: 2048 terms of either sign
        for (std::size_t k = 0; k < k_count; ++k) sum += double(wk[k * classes + std::size_t(class_index)]) * a[p * k_count + k];
        cam.data()[p] = float(sum);
    }
    return cam;
}

CamSource find_cam_source(const Graph& graph) {
    CamSource s;
    const int pool = graph.find("avg_pool");
    s.dense = graph.find("fc1000");
    if (pool < 0 || s.dense < 0)
        throw ConfigError("a class activation map needs the classifier top (avg_pool and fc1000): use --include-top");
    s.features = graph.node(pool).inputs.at(0);
    return s;
}

Map2 class_activation_map(Engine& engine, int class_index) {
    const CamSource s = find_cam_source(engine.graph());
    const auto features = engine.output(s.features);  // (H, W, 2048)
    if (!features) throw ConfigError("class activation map: run the network first");
    const Layer& dense = *engine.graph().node(s.dense).layer;
    return class_activation_map(*features, dense.weights().at(0).values, class_index);
}

Map2 upsample_bilinear(const Map2& map, int height, int width) {
    const int h = int(map.shape()[0]), w = int(map.shape()[1]);
    Map2 out = Map2::from_shape({std::size_t(height), std::size_t(width)});  // (height, width)
    for (int y = 0; y < height; ++y) {
        const float sy = std::clamp((float(y) + 0.5f) * float(h) / float(height) - 0.5f, 0.0f, float(h - 1));
        const int y0 = int(sy), y1 = std::min(y0 + 1, h - 1);
        const float fy = sy - float(y0);
        for (int x = 0; x < width; ++x) {
            const float sx = std::clamp((float(x) + 0.5f) * float(w) / float(width) - 0.5f, 0.0f, float(w - 1));
            const int x0 = int(sx), x1 = std::min(x0 + 1, w - 1);
            const float fx = sx - float(x0);
            const float top = map(y0, x0) * (1 - fx) + map(y0, x1) * fx;
            const float bottom = map(y1, x0) * (1 - fx) + map(y1, x1) * fx;
            out(y, x) = top * (1 - fy) + bottom * fy;
        }
    }
    return out;
}

RgbaImage render_cam_overlay(const Map2& cam, const RgbImage& image, float opacity, Colormap colormap) {
    const Map2 up = upsample_bilinear(cam, image.height, image.width);
    const auto [lo, hi] = std::minmax_element(up.begin(), up.end());
    const float low = up.size() ? *lo : 0.0f, range = up.size() ? *hi - *lo : 0.0f;
    const float a = std::clamp(opacity, 0.0f, 1.0f);
    RgbaImage out(image.width, image.height);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const float t = range > 0 ? (up(y, x) - low) / range : 0.0f;
            const Rgb8 c = colormap_lookup(colormap, t);
            const std::uint8_t* src = image.pixels.data() + (std::size_t(y) * std::size_t(image.width) + std::size_t(x)) * 3;
            std::uint8_t* dst = out.at(x, y);
            const float mix[3] = {float(c.r), float(c.g), float(c.b)};
            for (int ch = 0; ch < 3; ++ch) dst[ch] = std::uint8_t(std::lround((1 - a) * float(src[ch]) + a * mix[ch]));
            dst[3] = 255;
        }
    return out;
}

RgbImage caffe_unpreprocess(const Tensor3& input) {
    static const float mean_bgr[3] = {103.939f, 116.779f, 123.68f};
    RgbImage img;
    img.height = int(input.shape()[0]);
    img.width = int(input.shape()[1]);
    img.pixels.resize(std::size_t(img.height) * std::size_t(img.width) * 3);
    const float* p = input.data();  // (H, W, 3) BGR
    for (std::size_t i = 0; i < std::size_t(img.height) * std::size_t(img.width); ++i)
        for (int c = 0; c < 3; ++c) {
            const float v = std::round(p[i * 3 + std::size_t(2 - c)] + mean_bgr[2 - c]);
            img.pixels[i * 3 + std::size_t(c)] = std::uint8_t(std::clamp(v, 0.0f, 255.0f));
        }
    return img;
}

}  // namespace convscope
