#include "core/render/text.hpp"

#include <cstring>
#include <vector>

// stb_easy_font is a header of static functions; we use only some of them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace convscope {

namespace {

// stb_easy_font indexes its glyph table with (c - 32): keep to printable ASCII, one line.
std::string printable(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (c < 32 || c > 126) c = '?';
    return out;
}

}  // namespace

int text_width(const std::string& s, int scale) {
    if (s.empty()) return 0;
    std::string t = printable(s);
    // The last glyph's advance includes one column of spacing that is not ink.
    return (stb_easy_font_width(&t[0]) - 1) * scale;
}

int text_height(int scale) { return 9 * scale; }  // 7 rows of capitals and digits, 2 of descenders

void draw_text(RgbaImage& img, int x, int y, const std::string& s, Rgba8 colour, int scale) {
    if (s.empty() || scale < 1) return;
    std::string t = printable(s);
    // Each quad is 4 vertices of 16 bytes (x, y, z as floats, then a colour); glyphs are at most ~30 quads.
    std::vector<char> buffer(t.size() * 32 * 64 + 64);
    const int quads = stb_easy_font_print(0.0f, 0.0f, &t[0], nullptr, buffer.data(), int(buffer.size()));
    for (int q = 0; q < quads; ++q) {
        float v0[2], v2[2];  // top-left and bottom-right corners
        std::memcpy(v0, buffer.data() + q * 64, sizeof v0);
        std::memcpy(v2, buffer.data() + q * 64 + 32, sizeof v2);
        const int qx = int(v0[0]), qy = int(v0[1]);
        const int qw = int(v2[0]) - qx, qh = int(v2[1]) - qy;
        img.fill(x + qx * scale, y + qy * scale, qw * scale, qh * scale, colour);
    }
}

}  // namespace convscope
