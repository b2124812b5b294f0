#include "core/export/png.hpp"

#include <stb_image_write.h>

#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"

namespace convscope {

namespace {

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(context);
    const auto* p = static_cast<const std::uint8_t*>(data);
    out->insert(out->end(), p, p + size);
}

}  // namespace

std::vector<std::uint8_t> encode_png(const RgbaImage& img) {
    if (img.width < 1 || img.height < 1)
        throw InputError("cannot encode an empty image (" + std::to_string(img.width) + "x" +
                         std::to_string(img.height) + ") as PNG");
    std::vector<std::uint8_t> out;
    if (!stbi_write_png_to_func(append_bytes, &out, img.width, img.height, 4, img.pixels.data(), img.width * 4))
        throw InputError("PNG encoding failed for a " + std::to_string(img.width) + "x" +
                         std::to_string(img.height) + " image");
    return out;
}

void save_png(const std::string& path, const RgbaImage& img) { write_file_atomic(path, encode_png(img)); }

}  // namespace convscope
