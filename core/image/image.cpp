#include "core/image/image.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

#include <stb_image.h>
#include <stb_image_resize.h>

#include "core/errors.hpp"
#include "core/limits.hpp"
#include "core/sandbox/decode_client.hpp"

namespace convscope {

namespace {

const char* const k_expected = "a PNG, JPEG, BMP or GIF image";

// The bundled samples, in menu order; a sample's name is its file name without the extension.
const char* const k_sample_files[] = {"chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"};

std::string without_extension(const std::string& file) { return file.substr(0, file.find('.')); }

}  // namespace

// stb_image sizes its buffer for the compressed data from each PNG chunk's length before it checks that
// the file holds that many bytes: a 180-byte file can make it ask for 2 GiB. Every chunk must fit the file.
void check_png_chunks(const std::uint8_t* bytes, std::size_t size, const std::string& what) {
    std::size_t at = 8;
    while (size - at >= 8) {
        const std::size_t length = std::size_t(bytes[at]) << 24 | std::size_t(bytes[at + 1]) << 16 |
                                   std::size_t(bytes[at + 2]) << 8 | std::size_t(bytes[at + 3]);
        if (length > size - at - 8)
            throw InputError(what + ": the PNG file is truncated or damaged (the chunk at byte " + std::to_string(at) +
                             " claims " + std::to_string(length) + " bytes, only " + std::to_string(size - at - 8) +
                             " follow)");
        const bool end = std::memcmp(bytes + at + 4, "IEND", 4) == 0;
        at += 8 + length;
        if (end || size - at < 4) break;
        at += 4;  // the CRC
    }
}

// The size a PNG or BMP header declares, read here rather than by stb_image: its PNG and BMP readers refuse
// sizes past about 2^30 bytes of pixels themselves, and stbi_info() then tries every other format, whose last
// failure ("unknown image type") replaces the real reason. Returns false when the header is too short or the
// format is another (GIF and JPEG store 16-bit sides, which stb_image reports as they are).
static bool declared_size(const std::uint8_t* bytes, std::size_t size, const char* format, std::int64_t& w,
                          std::int64_t& h) {
    auto big_endian32 = [&](std::size_t at) {
        return std::int64_t(bytes[at]) << 24 | std::int64_t(bytes[at + 1]) << 16 | std::int64_t(bytes[at + 2]) << 8 |
               std::int64_t(bytes[at + 3]);
    };
    auto little_endian32 = [&](std::size_t at) {  // signed: a BMP's height is negative for top-down rows
        return std::int64_t(std::int32_t(std::uint32_t(bytes[at]) | std::uint32_t(bytes[at + 1]) << 8 |
                                         std::uint32_t(bytes[at + 2]) << 16 | std::uint32_t(bytes[at + 3]) << 24));
    };
    if (std::strcmp(format, "PNG") == 0 && size >= 24 && std::memcmp(bytes + 12, "IHDR", 4) == 0) {
        w = big_endian32(16);  // signature (8), IHDR length (4) and type (4), then width and height
        h = big_endian32(20);
        return true;
    }
    if (std::strcmp(format, "BMP") == 0 && size >= 26 && little_endian32(14) >= 40) {  // a BITMAPINFOHEADER or later
        w = little_endian32(18);
        h = little_endian32(22);
        h = h < 0 ? -h : h;
        return true;
    }
    return false;
}

const char* image_format(const std::uint8_t* bytes, std::size_t size) {
    auto starts = [&](const char* magic, std::size_t n) { return size >= n && std::memcmp(bytes, magic, n) == 0; };
    if (starts("\x89PNG\r\n\x1a\n", 8)) return "PNG";
    if (starts("\xff\xd8\xff", 3)) return "JPEG";
    if (starts("GIF87a", 6) || starts("GIF89a", 6)) return "GIF";
    if (starts("BM", 2)) return "BMP";
    return nullptr;
}

RgbImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& what) {
    if (size == 0) throw InputError(what + ": the file is empty; expected " + k_expected);
    if (size > std::size_t(INT_MAX))  // stb_image takes an int length
        throw InputError(what + ": the file is " + std::to_string(size >> 20) + " MiB; images over 2 GiB are not supported");
    // Only the promised formats reach stb_image, by their magic bytes, whatever the file is called: its PNM,
    // PSD, HDR, PIC and TGA readers are more code for a crafted file to find a way through.
    const char* format = image_format(bytes, size);
    if (!format) throw InputError(what + ": not a PNG, JPEG, BMP or GIF file (by its first bytes); expected " + k_expected);
    if (std::strcmp(format, "PNG") == 0) check_png_chunks(bytes, size, what);
    auto refuse_size = [&](std::int64_t w, std::int64_t h) {
        if (w >= 1 && h >= 1 && w * h <= kMaxImagePixels) return;
        throw InputError(what + ": the " + format + " image is " + std::to_string(w) + " x " + std::to_string(h) +
                         " pixels (" + std::to_string(w * h / 1'000'000) +
                         " megapixels); convscope opens images of at most " +
                         std::to_string(kMaxImagePixels / 1'000'000) + " megapixels");
    };
    std::int64_t declared_w = 0, declared_h = 0;
    if (declared_size(bytes, size, format, declared_w, declared_h)) refuse_size(declared_w, declared_h);
    int w = 0, h = 0, channels_in_file = 0;
    if (!stbi_info_from_memory(bytes, int(size), &w, &h, &channels_in_file))
        throw InputError(what + ": cannot read the " + format + " header (" + std::string(stbi_failure_reason()) +
                         "); the file is damaged or not really " + format);
    refuse_size(w, h);
    // Asking for 3 channels makes stb convert grey, grey+alpha and RGBA to RGB for us.
    const int header_w = w, header_h = h;
    stbi_uc* data = stbi_load_from_memory(bytes, int(size), &w, &h, &channels_in_file, 3);
    if (!data) {
        const char* reason = stbi_failure_reason();
        throw InputError(what + ": cannot decode the " + format + " image (" +
                         (reason && *reason ? reason : "damaged data") + "); expected " + k_expected);
    }
    if (w != header_w || h != header_h) {  // the decoder must deliver what the header promised, no more
        stbi_image_free(data);
        throw InputError(what + ": the " + format + " header says " + std::to_string(header_w) + " x " +
                         std::to_string(header_h) + " but the image decodes to " + std::to_string(w) + " x " +
                         std::to_string(h));
    }
    RgbImage img;
    img.height = h;
    img.width = w;
    img.pixels.assign(data, data + std::size_t(w) * std::size_t(h) * 3);
    stbi_image_free(data);
    return img;
}

RgbImage load_image(const std::string& path) { return decode_image_file(path); }

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
