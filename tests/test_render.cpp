// Rendering: colour maps, normalisation, channel grids, labels and the colour bar.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "core/errors.hpp"
#include "core/render/colormap.hpp"
#include "core/render/feature_map.hpp"
#include "core/render/normalize.hpp"
#include "core/render/text.hpp"

using namespace convscope;

namespace {

// Relative luminance Y of an sRGB colour (IEC 61966-2-1 transfer, Rec. 709 weights).
double luminance(Rgb8 c) {
    auto lin = [](int v) {
        const double s = v / 255.0;
        return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

Rgb8 rgb_at(const RgbaImage& img, int x, int y) {
    const Rgba8 p = img.pixel(x, y);
    return Rgb8{p.r, p.g, p.b};
}

int count_colour(const RgbaImage& img, Rect r, Rgba8 colour) {
    int n = 0;
    for (int y = r.y; y < r.y + r.h; ++y)
        for (int x = r.x; x < r.x + r.w; ++x) n += img.pixel(x, y) == colour;
    return n;
}

// (H, W, C) tensor whose channel c holds the constant value c.
Tensor3 channel_index_tensor(int h, int w, int c) {
    Tensor3 t = Tensor3::from_shape({std::size_t(h), std::size_t(w), std::size_t(c)});  // (H, W, C)
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < c; ++k) t(y, x, k) = float(k);
    return t;
}

}  // namespace

TEST_CASE("colour maps have the published end points", "[render][colormap]") {
    CHECK(colormap_lookup(Colormap::viridis, 0.0f) == Rgb8{68, 1, 84});
    CHECK(colormap_lookup(Colormap::viridis, 1.0f) == Rgb8{253, 231, 37});
    CHECK(colormap_lookup(Colormap::magma, 0.0f) == Rgb8{0, 0, 4});
    CHECK(colormap_lookup(Colormap::magma, 1.0f) == Rgb8{252, 253, 191});
    CHECK(colormap_lookup(Colormap::gray, 0.0f) == Rgb8{0, 0, 0});
    CHECK(colormap_lookup(Colormap::gray, 1.0f) == Rgb8{255, 255, 255});
    CHECK(colormap_lookup(Colormap::gray, 0.5f).r == 128);
    // Out of range and NaN are clamped rather than reading outside the table.
    CHECK(colormap_lookup(Colormap::viridis, -3.0f) == colormap_lookup(Colormap::viridis, 0.0f));
    CHECK(colormap_lookup(Colormap::viridis, 7.0f) == colormap_lookup(Colormap::viridis, 1.0f));
    CHECK(colormap_lookup(Colormap::magma, NAN) == colormap_lookup(Colormap::magma, 0.0f));
}

TEST_CASE("viridis and magma get brighter all the way", "[render][colormap]") {
    for (Colormap c : {Colormap::viridis, Colormap::magma, Colormap::gray}) {
        INFO(to_string(c));
        const auto& table = colormap_table(c);
        for (int i = 1; i < 256; ++i) {
            INFO("entry " << i);
            CHECK(luminance(table[i]) >= luminance(table[i - 1]) - 1e-3);  // 8-bit rounding may tie
        }
        CHECK(luminance(table[255]) - luminance(table[0]) > 0.6);
        // Every entry is distinct from its neighbours a few steps away: no flat stretches.
        for (int i = 8; i < 256; ++i) CHECK(table[i] != table[i - 8]);
    }
}

TEST_CASE("the diverging map is blue, white in the middle, red", "[render][colormap]") {
    const Rgb8 lo = colormap_lookup(Colormap::diverging, 0.0f);
    const Rgb8 mid = colormap_lookup(Colormap::diverging, 0.5f);
    const Rgb8 hi = colormap_lookup(Colormap::diverging, 1.0f);
    CHECK(lo.b > lo.r + 60);
    CHECK(hi.r > hi.b + 60);
    CHECK(int(mid.r) >= 240);
    CHECK(int(mid.g) >= 240);
    CHECK(int(mid.b) >= 240);
    // Equal distances from the middle are about equally light, so neither sign looks stronger.
    for (float d : {0.1f, 0.25f, 0.4f, 0.5f}) {
        INFO("distance " << d);
        CHECK(std::fabs(luminance(colormap_lookup(Colormap::diverging, 0.5f - d)) -
                        luminance(colormap_lookup(Colormap::diverging, 0.5f + d))) < 0.08);
    }
    // Lightness falls away from the middle on both sides.
    const auto& t = colormap_table(Colormap::diverging);
    for (int i = 1; i <= 127; ++i) CHECK(luminance(t[i]) >= luminance(t[i - 1]) - 1e-3);
    for (int i = 129; i < 256; ++i) CHECK(luminance(t[i]) <= luminance(t[i - 1]) + 1e-3);
}

TEST_CASE("colour map and normalisation names round trip", "[render]") {
    for (const std::string& n : colormap_names()) CHECK(to_string(parse_colormap(n)) == n);
    CHECK(parse_colormap("grey") == Colormap::gray);
    CHECK_THROWS_WITH(parse_colormap("jet"), Catch::Contains("\"jet\"") && Catch::Contains("viridis"));
    for (const std::string& n : normalization_names()) CHECK(to_string(parse_normalization(n)) == n);
    CHECK(parse_normalization("per_layer") == Normalization::per_layer);
    CHECK_THROWS_AS(parse_normalization("minmax"), ConfigError);
}

TEST_CASE("per-channel and per-layer ranges differ, symmetric is centred on zero", "[render][normalize]") {
    Tensor3 t = Tensor3::from_shape({2, 2, 2});  // (H, W, C)
    // channel 0: 0 .. 1; channel 1: -4 .. 100
    t(0, 0, 0) = 0.0f; t(0, 1, 0) = 0.25f; t(1, 0, 0) = 0.5f; t(1, 1, 0) = 1.0f;
    t(0, 0, 1) = -4.0f; t(0, 1, 1) = 0.0f; t(1, 0, 1) = 50.0f; t(1, 1, 1) = 100.0f;

    const ValueRange pc = value_range(t, 0, Normalization::per_channel);
    CHECK(pc.lo == 0.0f);
    CHECK(pc.hi == 1.0f);
    const ValueRange pl = value_range(t, 0, Normalization::per_layer);
    CHECK(pl.lo == -4.0f);
    CHECK(pl.hi == 100.0f);
    const ValueRange sym = value_range(t, 0, Normalization::symmetric);
    CHECK(sym.lo == -100.0f);
    CHECK(sym.hi == 100.0f);
    CHECK(normalize_value(0.0f, sym) == 0.5f);

    // What a user sees: channel 0's largest value is the brightest colour per channel, but dim per layer.
    const RgbaImage own = render_channel(t, 0, pc, Colormap::gray);
    const RgbaImage shared = render_channel(t, 0, pl, Colormap::gray);
    CHECK(own.pixel(1, 1).r == 255);
    CHECK(shared.pixel(1, 1).r < 20);

    CHECK_THROWS_AS(value_range(t, 2, Normalization::per_channel), std::out_of_range);
    CHECK_THROWS_AS(value_range(t, -1, Normalization::per_layer), std::out_of_range);
}

TEST_CASE("symmetric normalisation shows zero as the middle colour", "[render][normalize]") {
    Tensor3 t = Tensor3::from_shape({1, 3, 1});  // (H, W, C)
    t(0, 0, 0) = -1.0f;
    t(0, 1, 0) = 0.0f;
    t(0, 2, 0) = 3.0f;
    const ValueRange r = value_range(t, 0, Normalization::symmetric);
    const RgbaImage img = render_channel(t, 0, r, Colormap::diverging);
    CHECK(rgb_at(img, 1, 0) == colormap_lookup(Colormap::diverging, 0.5f));
    CHECK(rgb_at(img, 2, 0) == colormap_lookup(Colormap::diverging, 1.0f));
    // -1 is a third of the way down from the middle: bluish, lighter than full blue.
    const Rgb8 neg = rgb_at(img, 0, 0);
    CHECK(neg.b > neg.r);
    CHECK(luminance(neg) > luminance(colormap_lookup(Colormap::diverging, 0.0f)));
}

TEST_CASE("a constant channel does not divide by zero", "[render][normalize]") {
    Tensor3 t = Tensor3::from_shape({3, 3, 2});  // (H, W, C)
    t.fill(7.0f);
    const ValueRange r = value_range(t, 1, Normalization::per_channel);
    CHECK(r.lo == 7.0f);
    CHECK(r.hi == 7.0f);
    CHECK(normalize_value(7.0f, r) == 0.5f);
    // Painted as "nothing": the dark end of a sequential map (not viridis' mid teal, which reads as a middle
    // value), the white middle of the diverging one.
    const RgbaImage img = render_channel(t, 1, r, Colormap::viridis);
    CHECK(rgb_at(img, 2, 2) == colormap_lookup(Colormap::viridis, 0.0f));
    CHECK(rgb_at(render_channel(t, 1, r, Colormap::magma), 0, 0) == colormap_lookup(Colormap::magma, 0.0f));
    CHECK(rgb_at(render_channel(t, 1, r, Colormap::diverging), 0, 0) == colormap_lookup(Colormap::diverging, 0.5f));

    const ChannelStats s = channel_stats(t, 0, 4);
    CHECK(s.min == 7.0f);
    CHECK(s.max == 7.0f);
    CHECK(s.std == 0.0);
    CHECK(s.histogram == std::vector<std::int64_t>{9, 0, 0, 0});

    t.fill(0.0f);  // all zero under symmetric: m = 0; zero stays the diverging map's white middle
    const ValueRange z = value_range(t, 0, Normalization::symmetric);
    CHECK(normalize_value(0.0f, z) == 0.5f);
    CHECK(rgb_at(render_channel(t, 0, z, Colormap::diverging), 1, 1) == colormap_lookup(Colormap::diverging, 0.5f));
}

TEST_CASE("channel statistics and histogram", "[render][normalize]") {
    Tensor3 t = Tensor3::from_shape({1, 5, 2});  // (H, W, C)
    const float ch0[5] = {1.0f, 2.0f, 3.0f, 4.0f, NAN};
    for (int x = 0; x < 5; ++x) {
        t(0, x, 0) = ch0[x];
        t(0, x, 1) = 1000.0f;  // must not leak into channel 0
    }
    const ChannelStats s = channel_stats(t, 0, 3);
    CHECK(s.min == 1.0f);
    CHECK(s.max == 4.0f);
    CHECK(s.mean == Approx(2.5));
    CHECK(s.std == Approx(std::sqrt(1.25)));  // population std of 1, 2, 3, 4
    CHECK(s.count == 4);
    CHECK(s.non_finite == 1);
    CHECK(s.bin_edges == std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f});
    CHECK(s.histogram == std::vector<std::int64_t>{1, 1, 2});  // the last bin holds 3 and the maximum 4
    // A NaN does not make the whole map's range NaN.
    const ValueRange r = value_range(t, 0, Normalization::per_channel);
    CHECK(r.lo == 1.0f);
    CHECK(r.hi == 4.0f);
}

TEST_CASE("value labels are short", "[render]") {
    CHECK(format_value(0.0f) == "0");
    CHECK(format_value(-1.25f) == "-1.25");
    CHECK(format_value(123.456f) == "123.5");
    CHECK(format_value(31000.0f) == "3.10e+04");
    CHECK(format_value(0.00001f) == "1.00e-05");
}

TEST_CASE("grid size and cell placement", "[render][grid]") {
    const Tensor3 t = channel_index_tensor(4, 6, 5);  // (H, W, C) = (4, 6, 5)
    GridOptions o;
    o.cell_scale = 2;
    o.gap = 3;
    o.columns = 3;
    o.labels = false;
    o.colorbar = false;
    o.normalization = Normalization::per_layer;  // values 0..4 -> gray 0..255
    o.colormap = Colormap::gray;
    GridLayout L;
    const RgbaImage img = render_grid(t, o, &L);

    CHECK(L.columns == 3);
    CHECK(L.rows == 2);
    CHECK(L.cell_w == 12);
    CHECK(L.cell_h == 8);
    CHECK(img.width == 3 + 3 * (12 + 3));
    CHECK(img.height == 3 + 2 * (8 + 3));
    CHECK(img.width == L.width);
    CHECK(img.height == L.height);

    const Rect c4 = L.cell(4);  // second row, second column
    CHECK(c4.x == 3 + 15);
    CHECK(c4.y == 3 + 11);
    for (int i = 0; i < 5; ++i) {
        const Rect c = L.cell(i);
        const int expected = int(std::lround(i / 4.0 * 255.0));
        INFO("cell " << i);
        CHECK(std::abs(int(img.pixel(c.x, c.y).r) - expected) <= 1);
        CHECK(std::abs(int(img.pixel(c.x + c.w - 1, c.y + c.h - 1).r) - expected) <= 1);
    }
    CHECK(img.pixel(0, 0) == o.background);            // the margin
    CHECK(img.pixel(c4.x - 1, c4.y) == o.background);  // the gap left of a cell

    // Mouse mapping: pixel -> (channel, row, col); gaps and the empty sixth slot are nothing.
    int ch = -1, row = -1, col = -1;
    REQUIRE(L.activation_at(c4.x + 2 * 5 + 1, c4.y + 2 * 3, ch, row, col));
    CHECK(ch == 4);
    CHECK(row == 3);
    CHECK(col == 5);
    CHECK(L.channel_at(c4.x - 1, c4.y) == -1);
    CHECK(L.channel_at(L.width - 5, L.height - 5) == -1);  // slot 5 is empty
    CHECK(L.channel_at(L.cell(2).x, L.cell(2).y) == 2);
}

TEST_CASE("grid pages through channels and picks near-square columns", "[render][grid]") {
    const Tensor3 t = channel_index_tensor(3, 3, 64);
    GridOptions o;
    o.labels = false;
    o.colorbar = false;
    CHECK(grid_layout(shape_of(t), o).columns == 8);

    o.first_channel = 60;
    GridLayout L;
    render_grid(t, o, &L);
    CHECK(L.count == 4);
    CHECK(L.channel_at(L.cell(0).x, L.cell(0).y) == 60);
    o.channel_count = 2;
    CHECK(grid_layout(shape_of(t), o).count == 2);
    o.first_channel = 64;
    CHECK_THROWS_AS(grid_layout(shape_of(t), o), std::out_of_range);

    // Automatic scale makes small maps at least min_cell pixels.
    GridOptions a;
    CHECK(grid_layout(Shape::image(3, 3, 1), a).cell_w >= 32);
    CHECK(grid_layout(Shape::image(300, 300, 1), a).cell_w == 300);
    a.max_cell = 64;  // large maps shrink
    CHECK(grid_layout(Shape::image(300, 150, 1), a).cell_w == 30);
    CHECK(grid_layout(Shape::image(300, 150, 1), a).cell_h == 60);
}

TEST_CASE("shrunk maps average what they cover", "[render][grid]") {
    Tensor3 t = Tensor3::from_shape({8, 8, 1});  // (H, W, C)
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) t(y, x, 0) = (x + y) % 2 ? 1.0f : 0.0f;  // checkerboard
    t(0, 0, 0) = 0.0f;
    GridOptions o;
    o.max_cell = 4;
    o.labels = false;
    o.colorbar = false;
    o.colormap = Colormap::gray;
    GridLayout L;
    const RgbaImage img = render_grid(t, o, &L);
    CHECK(L.cell_w == 4);
    // Every 2x2 block of a checkerboard averages to 0.5: mid gray, not black or white.
    const Rect c = L.cell(0);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) CHECK(std::abs(int(img.pixel(c.x + x, c.y + y).r) - 128) <= 1);
}

TEST_CASE("channel numbers are drawn under the cells", "[render][grid][text]") {
    const Tensor3 t = channel_index_tensor(4, 4, 12);
    GridOptions o;
    o.colorbar = false;
    GridLayout L;
    const RgbaImage img = render_grid(t, o, &L);
    REQUIRE(L.label_h > 0);
    std::set<std::vector<std::uint8_t>> patterns;
    for (int i = 0; i < L.count; ++i) {
        const Rect r = L.label(i);
        INFO("label of channel " << i);
        CHECK(count_colour(img, r, o.text) >= 8);  // ink, not an empty strip
        // Text stays inside its own label strip: nothing of the text colour in the cell above.
        CHECK(count_colour(img, L.cell(i), o.text) == 0);
        std::vector<std::uint8_t> pattern;
        for (int y = r.y; y < r.y + r.h; ++y)
            for (int x = r.x; x < r.x + r.w; ++x) pattern.push_back(img.pixel(x, y) == o.text);
        patterns.insert(pattern);
    }
    CHECK(patterns.size() == std::size_t(L.count));  // "3" looks different from "8"

    // The label of the widest number fits in its slot, even for cells narrower than the number.
    const Tensor3 many = channel_index_tensor(1, 1, 1200);
    GridOptions m;
    m.cell_scale = 1;
    m.colorbar = false;
    const GridLayout ml = grid_layout(shape_of(many), m);
    CHECK(ml.slot_w >= text_width("1199", 1));

    o.labels = false;
    CHECK(grid_layout(shape_of(t), o).label_h == 0);
}

TEST_CASE("text fits the height it reports", "[render][text]") {
    std::string all;
    for (char c = 32; c < 127; ++c) all += c;
    for (int scale : {1, 2, 3}) {
        RgbaImage img(text_width(all, scale) + 10, text_height(scale) + 10, Rgba8{255, 255, 255, 255});
        draw_text(img, 0, 0, all, Rgba8{0, 0, 0, 255}, scale);
        int max_y = -1, max_x = -1;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x)
                if (img.pixel(x, y).r == 0) {
                    max_y = std::max(max_y, y);
                    max_x = std::max(max_x, x);
                }
        INFO("scale " << scale);
        CHECK(max_y < text_height(scale));
        CHECK(max_y == text_height(scale) - 1);  // and not padded: descenders reach the last row
        CHECK(max_x < text_width(all, scale));
    }
    CHECK(text_width("12", 2) == 2 * text_width("12", 1));
    CHECK(text_width("123", 1) > text_width("12", 1));
    RgbaImage small(4, 4);
    draw_text(small, -20, -3, "clipped \x01 text", Rgba8{1, 2, 3, 255}, 2);  // must not write out of bounds
}

TEST_CASE("colour bar shows the ramp and its values", "[render][colorbar]") {
    ColorbarOptions o;
    o.width = 300;
    const RgbaImage bar = render_colorbar(ValueRange{-2.0f, 6.0f}, Colormap::magma, o);
    CHECK(bar.width == 300);
    CHECK(rgb_at(bar, 0, 0) == colormap_lookup(Colormap::magma, 0.0f));
    CHECK(rgb_at(bar, 299, 0) == colormap_lookup(Colormap::magma, 1.0f));
    CHECK(rgb_at(bar, 150, 0) == colormap_lookup(Colormap::magma, 150.0f / 299.0f));
    const int bar_h = 10;
    CHECK(count_colour(bar, Rect{0, bar_h, bar.width, bar.height - bar_h}, o.text) > 30);  // ticks and labels

    // The labels are the numbers: a different range draws different text.
    const RgbaImage other = render_colorbar(ValueRange{-2.0f, 7.0f}, Colormap::magma, o);
    CHECK(other.pixels != bar.pixels);

    // A narrow request grows to fit the labels.
    o.width = 10;
    CHECK(render_colorbar(ValueRange{-12345.0f, 67890.0f}, Colormap::gray, o).width >=
          text_width("-1.23e+04") + text_width("6.79e+04"));
}

TEST_CASE("grid with a colour bar", "[render][grid][colorbar]") {
    const Tensor3 t = channel_index_tensor(5, 5, 4);
    GridOptions o;
    o.normalization = Normalization::symmetric;
    o.colormap = Colormap::diverging;
    GridLayout L;
    const RgbaImage img = render_grid(t, o, &L);
    REQUIRE(L.colorbar.w > 0);
    CHECK(L.colorbar.y + L.colorbar.h <= img.height);
    CHECK(L.colorbar.x + L.colorbar.w <= img.width);
    // The bar sits below every cell and starts with the colour of -max.
    CHECK(L.colorbar.y >= L.label(L.count - 1).y + L.label_h);
    CHECK(rgb_at(img, L.colorbar.x, L.colorbar.y) == colormap_lookup(Colormap::diverging, 0.0f));
    // Channel 0 is all zeros: under symmetric normalisation that is the white middle.
    CHECK(rgb_at(img, L.cell(0).x, L.cell(0).y) == colormap_lookup(Colormap::diverging, 0.5f));

    o.colorbar = false;
    CHECK(grid_layout(shape_of(t), o).height < L.height);
}

TEST_CASE("a flat vector renders as single-value cells", "[render][grid]") {
    Tensor3 v = Tensor3::from_shape({1, 1, 10});  // (1, 1, C): a (C,) vector
    for (int k = 0; k < 10; ++k) v(0, 0, k) = float(k);
    GridOptions o;
    o.colormap = Colormap::gray;
    o.normalization = Normalization::per_layer;
    GridLayout L;
    const RgbaImage img = render_grid(v, o, &L);
    CHECK(L.count == 10);
    CHECK(img.pixel(L.cell(9).x, L.cell(9).y).r == 255);
    CHECK(img.pixel(L.cell(0).x, L.cell(0).y).r == 0);
}
