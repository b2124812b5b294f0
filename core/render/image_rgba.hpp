#pragma once
// Images out: 8-bit RGBA pixels, row-major, as GL textures and PNG files want them.
//
//   Rgba8          one pixel
//   RgbaImage      width x height pixels, 4 bytes each, top row first
//     .at(x, y)    pointer to a pixel's 4 bytes (x: column, y: row)
//     .fill()      paint a rectangle, clipped to the image
//     .blit()      copy another image in at (x, y), clipped

#include <cstdint>
#include <vector>

namespace convscope {

struct Rgba8 {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    bool operator==(const Rgba8& o) const { return r == o.r && g == o.g && b == o.b && a == o.a; }
    bool operator!=(const Rgba8& o) const { return !(*this == o); }
};

struct RgbaImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // (height, width, 4), row-major

    RgbaImage() = default;
    RgbaImage(int w, int h, Rgba8 background = Rgba8{});

    std::uint8_t* at(int x, int y) { return pixels.data() + (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 4; }
    const std::uint8_t* at(int x, int y) const {
        return pixels.data() + (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 4;
    }
    Rgba8 pixel(int x, int y) const { const std::uint8_t* p = at(x, y); return Rgba8{p[0], p[1], p[2], p[3]}; }
    void fill(int x, int y, int w, int h, Rgba8 colour);
    void blit(const RgbaImage& src, int x, int y);
};

}  // namespace convscope
