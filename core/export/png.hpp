#pragma once
// PNG output through stb_image_write.
//
//   encode_png(img)         the bytes of an RGBA PNG
//   save_png(path, img)     written atomically (see atomic_file.hpp); InputError names the path and reason

#include <cstdint>
#include <string>
#include <vector>

#include "core/render/image_rgba.hpp"

namespace convscope {

std::vector<std::uint8_t> encode_png(const RgbaImage& img);
void save_png(const std::string& path, const RgbaImage& img);

}  // namespace convscope
