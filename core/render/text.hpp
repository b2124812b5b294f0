#pragma once
// Small text for labels baked into images (channel numbers, colour-bar values), drawn with stb_easy_font's
// segment glyphs. At scale 1 a capital is 7 pixels tall and a line 9 (with descenders); use scale 2 or more for
// projector-sized images.
//
//   text_width(s, scale)    pixels the string takes horizontally
//   text_height(scale)      pixels a line takes vertically (capitals and descenders)
//   draw_text(img, x, y, s, colour, scale)   top-left corner at (x, y); clipped to the image

#include <string>

#include "core/render/image_rgba.hpp"

namespace convscope {

int text_width(const std::string& s, int scale = 1);
int text_height(int scale = 1);
void draw_text(RgbaImage& img, int x, int y, const std::string& s, Rgba8 colour, int scale = 1);

}  // namespace convscope
