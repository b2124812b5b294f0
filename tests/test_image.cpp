// Image input: decoding the formats users drop on the program, resizing, and the two preprocessings.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include <stb_image_write.h>

#include "core/errors.hpp"
#include "core/image/image.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::TempDir;

namespace {

void append(void* ctx, void* data, int size) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(ctx);
    out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
}

enum class Format { png, bmp, jpg };

std::vector<std::uint8_t> encode(Format f, int w, int h, int comp, const std::vector<std::uint8_t>& px) {
    std::vector<std::uint8_t> out;
    int ok = 0;
    switch (f) {
        case Format::png: ok = stbi_write_png_to_func(append, &out, w, h, comp, px.data(), w * comp); break;
        case Format::bmp: ok = stbi_write_bmp_to_func(append, &out, w, h, comp, px.data()); break;
        case Format::jpg: ok = stbi_write_jpg_to_func(append, &out, w, h, comp, px.data(), 95); break;
    }
    REQUIRE(ok);
    return out;
}

std::vector<int> rgb(const RgbImage& img, int x, int y) {
    const std::size_t i = (std::size_t(y) * std::size_t(img.width) + std::size_t(x)) * 3;
    return {img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]};
}

}  // namespace

TEST_CASE("a grey PNG becomes RGB with equal channels", "[image]") {
    const std::vector<std::uint8_t> grey{0, 50, 100, 150, 200, 255};  // 3 wide, 2 high
    const RgbImage img = decode_image(encode(Format::png, 3, 2, 1, grey).data(), encode(Format::png, 3, 2, 1, grey).size());
    REQUIRE(img.width == 3);
    REQUIRE(img.height == 2);
    CHECK(rgb(img, 0, 0) == std::vector<int>{0, 0, 0});
    CHECK(rgb(img, 1, 1) == std::vector<int>{200, 200, 200});
    CHECK(rgb(img, 2, 1) == std::vector<int>{255, 255, 255});
}

TEST_CASE("an RGBA PNG keeps its colours and drops alpha", "[image]") {
    const std::vector<std::uint8_t> px{255, 0, 0, 255, 0, 255, 0, 0, 10, 20, 30, 128, 1, 2, 3, 4};  // 2 x 2
    const auto bytes = encode(Format::png, 2, 2, 4, px);
    const RgbImage img = decode_image(bytes.data(), bytes.size());
    CHECK(rgb(img, 0, 0) == std::vector<int>{255, 0, 0});
    CHECK(rgb(img, 1, 0) == std::vector<int>{0, 255, 0});  // fully transparent pixels are not blackened
    CHECK(rgb(img, 0, 1) == std::vector<int>{10, 20, 30});
    CHECK(rgb(img, 1, 1) == std::vector<int>{1, 2, 3});
}

TEST_CASE("BMP and JPEG decode", "[image]") {
    std::vector<std::uint8_t> px;
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) px.insert(px.end(), {std::uint8_t(x * 16), std::uint8_t(y * 16), 77});
    const auto bmp = encode(Format::bmp, 16, 16, 3, px);
    const RgbImage b = decode_image(bmp.data(), bmp.size(), "test.bmp");
    CHECK(b.pixels == px);  // lossless

    std::vector<std::uint8_t> flat(16 * 16 * 3);
    for (std::size_t i = 0; i < flat.size(); i += 3) {
        flat[i] = 200;
        flat[i + 1] = 120;
        flat[i + 2] = 40;
    }
    const auto jpg = encode(Format::jpg, 16, 16, 3, flat);
    const RgbImage j = decode_image(jpg.data(), jpg.size(), "test.jpg");
    REQUIRE(j.width == 16);
    const auto c = rgb(j, 8, 8);
    CHECK(std::abs(c[0] - 200) <= 4);
    CHECK(std::abs(c[1] - 120) <= 4);
    CHECK(std::abs(c[2] - 40) <= 4);
}

TEST_CASE("a GIF decodes to its palette colours", "[image]") {
    const RgbImage g = load_image(std::string(CONVSCOPE_FIXTURES_DIR) + "/images/tiny_4x2.gif");
    REQUIRE(g.width == 4);
    REQUIRE(g.height == 2);
    CHECK(rgb(g, 0, 0) == std::vector<int>{255, 0, 0});
    CHECK(rgb(g, 1, 0) == std::vector<int>{0, 255, 0});
    CHECK(rgb(g, 2, 0) == std::vector<int>{0, 0, 255});
    CHECK(rgb(g, 3, 0) == std::vector<int>{255, 255, 255});
    CHECK(rgb(g, 0, 1) == std::vector<int>{255, 255, 255});
    CHECK(rgb(g, 3, 1) == std::vector<int>{255, 0, 0});
}

TEST_CASE("bad image files give a message naming the file", "[image]") {
    TempDir dir;
    std::vector<std::uint8_t> noise(64 * 64 * 3);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = std::uint8_t((i * 7919) % 251);
    const auto png = encode(Format::png, 64, 64, 3, noise);

    const std::string truncated = dir.write("truncated.png", std::vector<std::uint8_t>(png.begin(), png.begin() + long(png.size() / 2)));
    CHECK_THROWS_WITH(load_image(truncated), Catch::StartsWith(truncated + ": the PNG file is truncated or damaged"));

    const std::string empty = dir.write("empty.png", {});
    CHECK_THROWS_WITH(load_image(empty), empty + ": the file is empty; expected a PNG, JPEG, BMP or GIF image");

    const std::string text = "this is a text file, not a picture\n";
    const std::string fake = dir.write("notes.png", std::vector<std::uint8_t>(text.begin(), text.end()));
    CHECK_THROWS_WITH(load_image(fake), Catch::StartsWith(fake + ": not a PNG, JPEG, BMP or GIF file") &&
                                            Catch::Contains("expected a PNG, JPEG, BMP or GIF image"));

    std::vector<std::uint8_t> corrupt = png;  // a damaged header chunk
    for (std::size_t i = 16; i < 24; ++i) corrupt[i] = 0xff;
    const std::string bad = dir.write("corrupt.png", corrupt);
    CHECK_THROWS_AS(load_image(bad), InputError);

    const std::string missing = dir / "missing.jpg";
    CHECK_THROWS_WITH(load_image(missing), missing + ": cannot open the image file (No such file or directory)");
    CHECK_THROWS_WITH(load_image(dir.path), Catch::Contains("is a folder"));
}

TEST_CASE("resize gives exactly the requested size", "[image]") {
    RgbImage img;
    img.width = 7;
    img.height = 5;
    img.pixels.assign(7 * 5 * 3, 0);
    for (std::size_t i = 0; i < img.pixels.size(); i += 3) {
        img.pixels[i] = 30;
        img.pixels[i + 1] = 60;
        img.pixels[i + 2] = 90;
    }
    for (ResizeFilter filter : {ResizeFilter::nearest, ResizeFilter::smooth}) {
    const RgbImage r = resize_image(img, 3, 11, filter);
    CHECK(r.height == 3);
    CHECK(r.width == 11);
    CHECK(r.pixels.size() == 3u * 11u * 3u);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 11; ++x) CHECK(rgb(r, x, y) == std::vector<int>{30, 60, 90});  // a flat colour stays flat
    }
    const RgbImage big = resize_image(img, 600, 600);
    CHECK(big.width == 600);
    CHECK(big.height == 600);
    CHECK_THROWS_AS(resize_image(img, 0, 5), InputError);
    CHECK_THROWS_AS(resize_image(RgbImage{}, 5, 5), InputError);
}

TEST_CASE("nearest resize picks the same source pixels as Keras load_img (PIL NEAREST)", "[image]") {
    // images/pil_nearest.txt was made by PIL itself (make_resize_fixture.py): per case the source column
    // of every output column and the source row of every output row.
    std::ifstream cases(std::string(CONVSCOPE_FIXTURES_DIR) + "/images/pil_nearest.txt");
    REQUIRE(cases);
    int in_w = 0, in_h = 0, out_w = 0, out_h = 0, checked = 0;
    while (cases >> in_w >> in_h >> out_w >> out_h) {
        std::vector<int> want_cols(static_cast<std::size_t>(out_w)), want_rows(static_cast<std::size_t>(out_h));
        for (int& c : want_cols) cases >> c;
        for (int& r : want_rows) cases >> r;
        RgbImage img;  // every pixel holds its own coordinates: R = column % 256, G = row % 256, B = the rest
        img.width = in_w;
        img.height = in_h;
        img.pixels.resize(std::size_t(in_w) * std::size_t(in_h) * 3);
        for (int y = 0; y < in_h; ++y)
            for (int x = 0; x < in_w; ++x) {
                std::uint8_t* p = &img.pixels[(std::size_t(y) * std::size_t(in_w) + std::size_t(x)) * 3];
                p[0] = std::uint8_t(x % 256);
                p[1] = std::uint8_t(y % 256);
                p[2] = std::uint8_t(x / 256 + (y / 256) * 16);
            }
        const RgbImage r = resize_image(img, out_h, out_w, ResizeFilter::nearest);
        INFO(in_w << "x" << in_h << " -> " << out_w << "x" << out_h);
        for (int x = 0; x < out_w; ++x) {
            const std::vector<int> px = rgb(r, x, 0);
            CHECK(px[0] + (px[2] % 16) * 256 == want_cols[std::size_t(x)]);
        }
        for (int y = 0; y < out_h; ++y) {
            const std::vector<int> px = rgb(r, 0, y);
            CHECK(px[1] + (px[2] / 16) * 256 == want_rows[std::size_t(y)]);
        }
        ++checked;
    }
    CHECK(checked == 7);
}

TEST_CASE("caffe preprocessing: RGB to BGR minus the ImageNet means", "[image]") {
    RgbImage img;
    img.width = 2;
    img.height = 1;
    img.pixels = {10, 20, 30, 255, 128, 0};
    const Tensor3 t = caffe_preprocess(img);  // (H, W, 3) BGR
    REQUIRE(t.shape()[0] == 1);
    REQUIRE(t.shape()[1] == 2);
    REQUIRE(t.shape()[2] == 3);
    CHECK(t(0, 0, 0) == Approx(30 - 103.939));  // B
    CHECK(t(0, 0, 1) == Approx(20 - 116.779));  // G
    CHECK(t(0, 0, 2) == Approx(10 - 123.68));   // R
    CHECK(t(0, 1, 0) == Approx(0 - 103.939));
    CHECK(t(0, 1, 2) == Approx(255 - 123.68));
}

TEST_CASE("unit preprocessing scales to [0, 1] in RGB order", "[image]") {
    RgbImage img;
    img.width = 1;
    img.height = 1;
    img.pixels = {255, 51, 0};
    const Tensor3 t = unit_preprocess(img);  // (H, W, 3) RGB
    CHECK(t(0, 0, 0) == 1.0f);
    CHECK(t(0, 0, 1) == Approx(0.2f));
    CHECK(t(0, 0, 2) == 0.0f);
}

TEST_CASE("bundled samples load", "[image]") {
    for (const std::string& name : sample_names()) {
        INFO(name);
        const RgbImage img = load_image(sample_path(name, CONVSCOPE_ASSETS_DIR));
        CHECK(img.width > 100);
        CHECK(img.height > 100);
        CHECK(img.pixels.size() == std::size_t(img.width) * std::size_t(img.height) * 3);
    }
    CHECK(sample_path("rocket.jpg", "/a") == "/a/rocket.jpg");
    CHECK_THROWS_WITH(sample_path("dog", "/a"), Catch::Contains("\"dog\"") && Catch::Contains("chelsea"));
}
