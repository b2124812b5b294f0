#include "core/image/image.hpp"

#include <algorithm>
#include <climits>

#include <stb_image.h>
#include <stb_image_resize.h>

#include "core/errors.hpp"
#include "core/read_file.hpp"

namespace convscope {

namespace {

const char* const k_expected = "a PNG, JPEG, BMP or GIF image";

// The bundled samples, in menu order; a sample's name is its file name without the extension.
const char* const k_sample_files[] = {"chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"};

std::string without_extension(const std::string& file) { return file.substr(0, file.find('.')); }

}  // namespace

RgbImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& what) {
    if (size == 0) throw InputError(what + ": the file is empty; expected " + k_expected);
    if (size > std::size_t(INT_MAX))  // stb_image takes an int length
        throw InputError(what + ": the file is " + std::to_string(size >> 20) + " MiB; images over 2 GiB are not supported");
    int w = 0, h = 0, channels_in_file = 0;
    // Asking for 3 channels makes stb convert grey, grey+alpha and RGBA to RGB for us.
    stbi_uc* data = stbi_load_from_memory(bytes, int(size), &w, &h, &channels_in_file, 3);
    if (!data)
        throw InputError(what + ": cannot decode the image (" + std::string(stbi_failure_reason()) +
                         "); expected " + k_expected);
    RgbImage img;
    img.height = h;
    img.width = w;
    img.pixels.assign(data, data + std::size_t(w) * std::size_t(h) * 3);
    stbi_image_free(data);
    return img;
}

RgbImage load_image(const std::string& path) {
    const std::vector<std::uint8_t> bytes = read_file_bytes(path, "the image file", k_expected);
    return decode_image(bytes.data(), bytes.size(), path);
}

// Source index of every output index along one axis, as PIL's nearest-neighbour scaling computes it:
// the centre of output pixel i maps to (i + 0.5) * in / out, truncated. PIL accumulates the position by
// repeated addition in double precision, and we do the same so that exact multiples land on the same
// side as in Keras (e.g. 2.9999999999 -> 2, not 3).
static std::vector<int> nearest_sources(int in, int out) {
    std::vector<int> source(std::size_t(out), 0);
    const double step = double(in) / double(out);
    double position = step * 0.5;
    for (int i = 0; i < out; ++i, position += step) source[std::size_t(i)] = std::min(int(position), in - 1);
    return source;
}

RgbImage resize_image(const RgbImage& image, int height, int width, ResizeFilter filter) {
    if (height < 1 || width < 1)
        throw InputError("cannot resize to " + std::to_string(height) + "x" + std::to_string(width) +
                         ": both sides must be at least 1 pixel");
    // stb_image_resize asserts (aborts the program) on an empty source.
    if (image.height < 1 || image.width < 1 ||
        image.pixels.size() != std::size_t(image.height) * std::size_t(image.width) * 3)
        throw InputError("cannot resize an empty or inconsistent image (" + std::to_string(image.height) + "x" +
                         std::to_string(image.width) + ", " + std::to_string(image.pixels.size()) + " bytes)");
    if (image.height == height && image.width == width) return image;
    RgbImage out;
    out.height = height;
    out.width = width;
    out.pixels.resize(std::size_t(height) * std::size_t(width) * 3);
    if (filter == ResizeFilter::nearest) {
        const std::vector<int> rows = nearest_sources(image.height, height), cols = nearest_sources(image.width, width);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < 3; ++c)
                    out.pixels[(std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3 + std::size_t(c)] =
                        image.pixels[(std::size_t(rows[std::size_t(y)]) * std::size_t(image.width) +
                                      std::size_t(cols[std::size_t(x)])) * 3 + std::size_t(c)];
        return out;
    }
    if (!stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, out.pixels.data(), width, height, 0, 3))
        throw InputError("resizing the image failed");
    return out;
}

Tensor3 caffe_preprocess(const RgbImage& image) {
    static const float mean_bgr[3] = {103.939f, 116.779f, 123.68f};
    Tensor3 out = Tensor3::from_shape({std::size_t(image.height), std::size_t(image.width), 3});  // (H, W, 3) BGR
    const std::size_t pixels = std::size_t(image.height) * std::size_t(image.width);
    for (std::size_t p = 0; p < pixels; ++p)
        for (std::size_t c = 0; c < 3; ++c)  // output channel c is input channel 2 - c: RGB -> BGR
            out.data()[p * 3 + c] = float(image.pixels[p * 3 + (2 - c)]) - mean_bgr[c];
    return out;
}

Tensor3 unit_preprocess(const RgbImage& image) {
    Tensor3 out = Tensor3::from_shape({std::size_t(image.height), std::size_t(image.width), 3});  // (H, W, 3) RGB
    for (std::size_t i = 0; i < image.pixels.size(); ++i) out.data()[i] = float(image.pixels[i]) / 255.0f;
    return out;
}

std::vector<std::string> sample_names() {
    std::vector<std::string> names;
    for (const char* file : k_sample_files) names.push_back(without_extension(file));
    return names;
}

std::string sample_path(const std::string& name, const std::string& assets_dir) {
    for (const char* f : k_sample_files) {
        const std::string file = f;
        if (name == file || name == without_extension(file)) return assets_dir + "/" + file;
    }
    std::string names;
    for (const std::string& n : sample_names()) names += (names.empty() ? "" : ", ") + n;
    throw InputError("no bundled sample named \"" + name + "\"; the samples are " + names);
}

}  // namespace convscope
