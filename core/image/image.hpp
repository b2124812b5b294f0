#pragma once
// Images in: decode, convert to RGB, resize, preprocess.
//
//   RgbImage            8-bit RGB pixels, row-major (H, W, 3)
//   load_image(path)    PNG, JPEG, BMP or GIF (first frame), decoded by stb_image in a separate sandboxed
//                       process (core/sandbox); grey and RGBA become RGB (alpha dropped); throws InputError
//                       naming the file and the reason
//   decode_image(bytes) the decoding itself, in this process: the format by its magic bytes (nothing else
//                       reaches stb), the header's size checked against kMaxImagePixels before decoding
//   image_format(bytes) "PNG", "JPEG", "GIF", "BMP" by the magic bytes, or nullptr
//   resize_image()      a stretch to exactly (h, w); `nearest` is what Keras load_img(target_size=...) does
//                       by default (PIL's NEAREST, pixel for pixel), `smooth` is stb_image_resize's filter
//   caffe_preprocess()  Keras' "caffe" mode for ResNet50: RGB -> BGR, minus [103.939, 116.779, 123.68]
//   unit_preprocess()   the playground's plain scaling to [0, 1], RGB order kept

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope {

struct RgbImage {
    int height = 0;
    int width = 0;
    std::vector<std::uint8_t> pixels;  // (H, W, 3)
};

RgbImage load_image(const std::string& path);
const char* image_format(const std::uint8_t* bytes, std::size_t size);
RgbImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& what = "image");
enum class ResizeFilter { nearest, smooth };
RgbImage resize_image(const RgbImage& image, int height, int width, ResizeFilter filter = ResizeFilter::nearest);

Tensor3 caffe_preprocess(const RgbImage& image);  // (H, W, 3) BGR, mean-subtracted
Tensor3 unit_preprocess(const RgbImage& image);   // (H, W, 3) RGB in [0, 1]

// The bundled samples ("chelsea", "coffee", "astronaut", "rocket") and where they live.
std::vector<std::string> sample_names();
// Path of a bundled sample by name (with or without extension); throws InputError listing the names.
std::string sample_path(const std::string& name, const std::string& assets_dir);

}  // namespace convscope
