#include "core/render/image_rgba.hpp"

#include <algorithm>
#include <cstring>

namespace convscope {

RgbaImage::RgbaImage(int w, int h, Rgba8 background) : width(std::max(0, w)), height(std::max(0, h)) {
    pixels.resize(std::size_t(width) * std::size_t(height) * 4);
    fill(0, 0, width, height, background);
}

void RgbaImage::fill(int x, int y, int w, int h, Rgba8 colour) {
    const int x0 = std::max(0, x), y0 = std::max(0, y);
    const int x1 = std::min(width, x + w), y1 = std::min(height, y + h);
    for (int yy = y0; yy < y1; ++yy)
        for (int xx = x0; xx < x1; ++xx) {
            std::uint8_t* p = at(xx, yy);
            p[0] = colour.r;
            p[1] = colour.g;
            p[2] = colour.b;
            p[3] = colour.a;
        }
}

void RgbaImage::blit(const RgbaImage& src, int x, int y) {
    const int x0 = std::max(0, x), y0 = std::max(0, y);
    const int x1 = std::min(width, x + src.width), y1 = std::min(height, y + src.height);
    if (x0 >= x1) return;
    for (int yy = y0; yy < y1; ++yy)
        std::memcpy(at(x0, yy), src.at(x0 - x, yy - y), std::size_t(x1 - x0) * 4);
}

}  // namespace convscope
