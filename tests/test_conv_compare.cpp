// Compare A / B: the rows the window and `convscope-cli compare` show, recomputed here from Keras' formulas; the
// shared value range, the difference map and the exported picture.

#include <cmath>

#include <catch2/catch.hpp>

#include "core/render/compare_image.hpp"
#include "core/render/feature_map.hpp"
#include "core/render/text.hpp"
#include "core/teach/conv_compare.hpp"
#include "core/weights/regularizers.hpp"

using namespace convscope;

namespace {

const ComparisonRow* find_row(const ConvComparison& c, const std::string& what) {
    for (const ComparisonRow& r : c.rows)
        if (r.what == what) return &r;
    return nullptr;
}

ConvSetting setting(int h, int w, int filters, int k, int s, Padding p, int d = 1) {
    ConvSetting x;
    x.input = Shape::image(h, w, 3);
    x.config.filters = filters;
    x.config.kernel_size = IntPair(k);
    x.config.strides = IntPair(s);
    x.config.padding = p;
    x.config.dilation_rate = IntPair(d);
    return x;
}

// Keras' output size and 'same' padding split, written out here (TensorFlow's rule).
int keras_out(int in, int k_eff, int s, Padding p) {
    return p == Padding::same ? (in + s - 1) / s : (in - k_eff + s) / s;
}

}  // namespace

TEST_CASE("compare: the seed-like 3x3 against 5x5 strides 2, 'same'", "[compare]") {
    const ConvSetting a = setting(600, 600, 16, 3, 1, Padding::same), b = setting(600, 600, 16, 5, 2, Padding::same);
    const ConvComparison c = compare_convs(a, b);
    REQUIRE(c.a.ok);
    REQUIRE(c.b.ok);
    CHECK(c.a.output == Shape::image(600, 600, 16));
    CHECK(c.b.output == Shape::image(keras_out(600, 5, 2, Padding::same), keras_out(600, 5, 2, Padding::same), 16));
    // Parameters kh * kw * in * filters + filters; MACs out_h * out_w * filters * kh * kw * in.
    CHECK(c.a.params == 3 * 3 * 3 * 16 + 16);
    CHECK(c.b.params == 5 * 5 * 3 * 16 + 16);
    CHECK(c.b.macs == std::int64_t(300) * 300 * 16 * 5 * 5 * 3);
    CHECK(find_row(c, "kernel_size")->differs);
    CHECK(find_row(c, "strides")->differs);
    CHECK_FALSE(find_row(c, "filters")->differs);
    CHECK_FALSE(find_row(c, "padding")->differs);
    // 'same' pads max(0, (out - 1) * s + k - in) = 299 * 2 + 5 - 600 = 3: 1 before, 2 after.
    CHECK(find_row(c, "padding rows")->b == "top 1, bottom 2");
    CHECK(find_row(c, "padding cols")->a == "left 1, right 1");
    CHECK(find_row(c, "output shape")->b == "(None, 300, 300, 16)");
    CHECK(find_row(c, "parameters")->b == "1,216");
    CHECK(find_row(c, "MACs")->b == "108,000,000");
    CHECK_FALSE(find_row(c, "parameters")->argument);
    // Arguments that stay at Keras' default on both sides are not listed.
    CHECK(find_row(c, "data_format") == nullptr);
    CHECK(find_row(c, "kernel_regularizer") == nullptr);
    CHECK(ratio_text(c.a.params, c.b.params) == "2.71x");
    CHECK(ratio_text(c.a.macs, c.b.macs) == "0.69x");
    CHECK(ratio_text(0, 5) == "-");
}

TEST_CASE("compare: sizes and dilations against Keras' formulas", "[compare]") {
    for (int in : {5, 17, 224, 601})
        for (int k : {1, 3, 4})
            for (int s : {1, 2, 3})
                for (int d : {1, 2})
                    for (Padding p : {Padding::valid, Padding::same}) {
                        if (s > 1 && d > 1) continue;  // Keras refuses both at once
                        const ConvSetting a = setting(in, in + 2, 8, 3, 1, Padding::valid);
                        const ConvSetting b = setting(in, in + 2, 8, k, s, p, d);
                        const ConvComparison c = compare_convs(a, b);
                        const int k_eff = (k - 1) * d + 1;
                        const int rows = keras_out(in, k_eff, s, p), cols = keras_out(in + 2, k_eff, s, p);
                        INFO("in " << in << " k " << k << " s " << s << " d " << d << " " << to_string(p));
                        if (rows < 1 || cols < 1) {
                            CHECK_FALSE(c.b.ok);
                            CHECK(find_row(c, "output shape")->b == "impossible");
                            CHECK(find_row(c, "parameters")->b == "-");
                            continue;
                        }
                        REQUIRE(c.b.ok);
                        CHECK(c.b.output == Shape::image(rows, cols, 8));
                        CHECK(c.b.macs == std::int64_t(rows) * cols * 8 * k * k * 3);
                        CHECK(find_row(c, "effective kernel")->b == std::to_string(k_eff) + " x " + std::to_string(k_eff));
                        const int total = p == Padding::same ? std::max(0, (rows - 1) * s + k_eff - in) : 0;
                        CHECK(find_row(c, "padding rows")->b ==
                              "top " + std::to_string(total / 2) + ", bottom " + std::to_string(total - total / 2));
                    }
}

TEST_CASE("compare: an impossible side keeps the other, and its reason", "[compare]") {
    const ConvComparison c = compare_convs(setting(5, 5, 4, 3, 1, Padding::valid), setting(5, 5, 4, 7, 1, Padding::valid));
    CHECK(c.a.ok);
    CHECK_FALSE(c.b.ok);
    CHECK_FALSE(c.b.error.empty());
    CHECK(find_row(c, "output shape")->a == "(None, 3, 3, 4)");
    CHECK(find_row(c, "output shape")->differs);
}

TEST_CASE("compare: channels_first shapes, and arguments beyond the first six when set", "[compare]") {
    ConvSetting a = setting(32, 48, 8, 3, 1, Padding::same), b = a;
    b.config.data_format = DataFormat::channels_first;
    b.config.kernel_regularizer = parse_regularizer("l2(0.01)");
    b.config.use_bias = false;
    const ConvComparison c = compare_convs(a, b);
    REQUIRE(find_row(c, "data_format") != nullptr);
    CHECK(find_row(c, "data_format")->b == "channels_first");
    CHECK(find_row(c, "output shape")->a == "(None, 32, 48, 8)");
    CHECK(find_row(c, "output shape")->b == "(None, 8, 32, 48)");
    REQUIRE(find_row(c, "kernel_regularizer") != nullptr);
    CHECK(find_row(c, "kernel_regularizer")->a == "None");
    CHECK(find_row(c, "kernel_regularizer")->differs);
    CHECK(find_row(c, "use_bias")->b == "False");
    CHECK(c.b.params == 3 * 3 * 3 * 8);  // no biases
    CHECK(find_row(c, "bias_constraint") == nullptr);
}

TEST_CASE("compare: the words of a formula that changed", "[compare]") {
    CHECK(differing_words("ceil(600 / 1) = 600", "ceil(600 / 2) = 300") ==
          std::vector<bool>{false, false, true, false, true});
    CHECK(differing_words("top 1, bottom 1", "top 1, bottom 1") == std::vector<bool>(4, false));
    // Different structure ('valid' against 'same'): every word is new.
    CHECK(differing_words("ceil(600 / 1) = 600", "ceil((600 - 3 + 1) / 1) = 598") == std::vector<bool>(5, true));
}

TEST_CASE("compare: one value range for both maps, and B - A", "[compare][render]") {
    Tensor3 a = Tensor3::from_shape({2, 3, 2}), b = Tensor3::from_shape({2, 3, 2});
    for (std::size_t i = 0; i < a.size(); ++i) {
        a.data()[i] = float(i) - 4.0f;         // -4 .. 7
        b.data()[i] = 0.5f * float(i) + 1.0f;  // 1 .. 6.5
    }
    // Channel 0 of A: -4, -2, 0, 2, 4, 6; of B: 1, 2, 3, 4, 5, 6.
    ValueRange r = shared_range(a, 0, b, 0, Normalization::per_channel);
    CHECK(r.lo == -4.0f);
    CHECK(r.hi == 6.0f);
    r = shared_range(a, 1, b, 1, Normalization::per_layer);  // the whole tensors
    CHECK(r.lo == -4.0f);
    CHECK(r.hi == 7.0f);
    r = shared_range(a, 0, b, 0, Normalization::symmetric);
    CHECK(r.lo == -7.0f);
    CHECK(r.hi == 7.0f);
    const Tensor3 d = difference_map(a, 0, b, 1);
    REQUIRE(d.shape()[2] == 1);
    for (std::size_t y = 0; y < 2; ++y)
        for (std::size_t x = 0; x < 3; ++x) CHECK(d(y, x, 0) == b(y, x, 1) - a(y, x, 0));
    const Tensor3 small = Tensor3::from_shape({1, 3, 2});
    CHECK_THROWS(difference_map(a, 0, small, 0));
    // Where no B - A is drawn, the reason names both sizes, A's first; none when the sizes match.
    CHECK(no_difference_reason(a, b).empty());
    CHECK(no_difference_reason(a, small).find("A is 2 x 3 and B 1 x 3") != std::string::npos);
    CHECK(no_difference_reason(small, a).find("A is 1 x 3 and B 2 x 3") != std::string::npos);
}

TEST_CASE("compare: maps drawn to one size, and the comparison picture", "[compare][render]") {
    Tensor3 t = Tensor3::from_shape({2, 2, 1});
    t(0, 0, 0) = 0.0f, t(0, 1, 0) = 1.0f, t(1, 0, 0) = 2.0f, t(1, 1, 0) = 3.0f;
    const ValueRange range{0.0f, 3.0f};
    // Enlarged: each value a 2 x 2 block of its colour.
    const RgbaImage big = render_fitted(t, 0, range, Colormap::gray, 4, 4);
    const Rgb8 c3 = colormap_lookup(Colormap::gray, 1.0f);
    CHECK(big.pixel(3, 3) == Rgba8{c3.r, c3.g, c3.b, 255});
    CHECK(big.pixel(2, 2) == big.pixel(3, 3));
    // Shrunk to one pixel: the mean 1.5, the middle of the range.
    const RgbaImage one = render_fitted(t, 0, range, Colormap::gray, 1, 1);
    const Rgb8 mid = colormap_lookup(Colormap::gray, 0.5f);
    CHECK(std::abs(int(one.pixel(0, 0).r) - int(mid.r)) <= 1);

    Tensor3 a = Tensor3::from_shape({8, 8, 2}), b = Tensor3::from_shape({8, 8, 2}), half = Tensor3::from_shape({4, 4, 2});
    a.fill(1.0f), b.fill(2.0f), half.fill(0.0f);
    ComparisonImageOptions o;
    o.box = 64;
    o.text_scale = 1;
    const RgbaImage three = render_comparison(a, 0, b, 0, o);
    const RgbaImage two = render_comparison(a, 0, half, 0, o);  // different sizes: no B - A
    const int gap = 8;
    CHECK(three.width == gap + 3 * (o.box + gap));
    CHECK(two.width == gap + 2 * (o.box + gap));
    // A is all 1 and B all 2 under the shared range [1, 2]: A's map is the colour map's start, B's its end.
    const Rgb8 lo = colormap_lookup(o.colormap, 0.0f), hi = colormap_lookup(o.colormap, 1.0f);
    const int map_y = three.height / 2 - 20;  // inside the maps' row
    bool found_lo = false, found_hi = false;
    for (int x = 0; x < three.width; ++x) {
        const Rgba8 p = three.pixel(x, map_y);
        found_lo |= p == Rgba8{lo.r, lo.g, lo.b, 255};
        found_hi |= p == Rgba8{hi.r, hi.g, hi.b, 255};
    }
    CHECK(found_lo);
    CHECK(found_hi);
}

// The export's titles are Keras lines; a line break inside "strides=(2, 2)" split the tuple over two lines.
TEST_CASE("compare: titles break between arguments, never inside a tuple", "[compare][render]") {
    const std::string title = "A: Conv2D(16, (5, 5), strides=(2, 2), padding=\"same\", dilation_rate=(1, 1))";
    for (int width : {60, 120, 200, 300, 400}) {
        const std::vector<std::string> lines = wrapped_title(title, width, 1);
        std::string joined;
        for (const std::string& l : lines) joined += l;
        CHECK(joined == title);
        for (const std::string& l : lines) {
            CAPTURE(width, l);
            // A line wider than the box is only ever one argument alone (cut anywhere, as before).
            if (text_width(l, 1) > width) CHECK(l.find(", ") == std::string::npos);
        }
        // When the longest argument fits a line, every line ends between two arguments.
        if (text_width("A: Conv2D(16, (5, 5), ", 1) <= width)
            for (std::size_t l = 0; l + 1 < lines.size(); ++l) {
                CAPTURE(width, lines[l]);
                CHECK(lines[l].size() >= 2);
                CHECK(lines[l].compare(lines[l].size() - 2, 2, ", ") == 0);
            }
        // Whenever "strides=(2, 2)" fits a line, it is on one line.
        if (text_width("strides=(2, 2), ", 1) <= width) {
            bool whole = false;
            for (const std::string& l : lines) whole = whole || l.find("strides=(2, 2)") != std::string::npos;
            CHECK(whole);
        }
    }
}
