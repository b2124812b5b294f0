// What a channel responds to: the strongest activation per image, found again here by a plain search over a
// separately computed output, its input region from the hand-derived receptive field of pool1, the cropped
// pixels, the order, the cache and cancelling.

#include <filesystem>

#include <catch2/catch.hpp>

#include "core/analysis/channel_patches.hpp"
#include "core/errors.hpp"
#include "core/export/png.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::TempDir;

namespace {

EngineOptions threads(int n) {
    EngineOptions o;
    o.threads = n;
    return o;
}

// A picture with structure at every scale (a different one per seed), saved as PNG.
std::string write_picture(const TempDir& dir, const std::string& name, int w, int h, int seed) {
    RgbaImage img(w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint8_t* p = img.at(x, y);
            p[0] = std::uint8_t((x * 7 + y * seed * 3) % 256);
            p[1] = std::uint8_t(((x / (seed + 2)) % 2) * 200 + y % 50);
            p[2] = std::uint8_t((x * y * seed) % 251);
        }
    return dir.write(name, encode_png(img));
}

Graph seeded_network() {
    ResNet50Options o;
    o.height = o.width = 64;
    Graph g = build_resnet50(o);
    g.shapes_or_throw();
    initialize_graph(g, 3);
    return g;
}

struct Strongest {
    float value;
    int row, col;
};

// The first maximum in row-major order of one channel, from a fresh engine.
Strongest search(const std::string& image, const std::string& node, int channel) {
    Graph g = seeded_network();
    const int n = g.find(node);
    Engine engine(std::move(g), threads(1));
    engine.set_input(caffe_preprocess(resize_image(load_image(image), 64, 64)));
    engine.run();
    const Tensor3& a = *engine.output(n);  // (H, W, C)
    Strongest best{a(0, 0, std::size_t(channel)), 0, 0};
    for (std::size_t r = 0; r < a.shape()[0]; ++r)
        for (std::size_t c = 0; c < a.shape()[1]; ++c)
            if (a(r, c, std::size_t(channel)) > best.value) best = {a(r, c, std::size_t(channel)), int(r), int(c)};
    return best;
}

}  // namespace

TEST_CASE("channel patches: each image's strongest activation, its receptive field and its pixels", "[patches]") {
    TempDir dir;
    const std::vector<std::string> images = {write_picture(dir, "a.png", 50, 70, 1), write_picture(dir, "b.png", 64, 64, 2),
                                             write_picture(dir, "c.png", 90, 40, 3)};
    dir.write("notes.txt", {'h', 'i'});
    dir.write("broken.png", {1, 2, 3});
    CHECK(list_images(dir.path) == std::vector<std::string>{dir / "a.png", dir / "b.png", dir / "broken.png", dir / "c.png"});

    Engine engine(seeded_network(), threads(2));
    ChannelPatchFinder finder(engine, "seed 3");
    const int pool1 = engine.graph().find("pool1");
    const std::vector<ChannelPatch> patches = finder.strongest(list_images(dir.path), pool1, 5, 10);
    REQUIRE(patches.size() == 3);
    REQUIRE(finder.skipped().size() == 1);
    CHECK_THAT(finder.skipped()[0], Catch::Contains("broken.png"));
    CHECK(finder.network_runs() == 3);

    for (std::size_t i = 0; i < patches.size(); ++i) {
        const ChannelPatch& p = patches[i];
        INFO(p.image);
        if (i > 0) CHECK(patches[i - 1].activation >= p.activation);
        const Strongest s = search(p.image, "pool1", 5);
        CHECK(p.activation == s.value);
        CHECK(p.row == s.row);
        CHECK(p.col == s.col);
        // pool1 at 64x64: conv1 (7x7, stride 2) after 3 pixels of padding, then a 3x3 stride-2 'same' pool that
        // pads nothing before: 11 input pixels, 4 apart, starting 3 before position 4 * row.
        CHECK(p.region.row0 == 4 * p.row - 3);
        CHECK(p.region.row1 == 4 * p.row + 7);
        CHECK(p.region.col0 == 4 * p.col - 3);
        CHECK(p.region.col1 == 4 * p.col + 7);
        REQUIRE(p.patch.height == 11);
        REQUIRE(p.patch.width == 11);
        const RgbImage picture = resize_image(load_image(p.image), 64, 64);
        for (int y = 0; y < 11; ++y)
            for (int x = 0; x < 11; ++x) {
                const int sy = p.region.row0 + y, sx = p.region.col0 + x;
                const bool inside = sy >= 0 && sy < 64 && sx >= 0 && sx < 64;
                const std::uint8_t expected_r = inside ? picture.pixels[std::size_t(sy * 64 + sx) * 3] : 124;
                CHECK(p.patch.pixels[std::size_t(y * 11 + x) * 3] == expected_r);
            }
    }
    CHECK(finder.strongest(images, pool1, 5, 2).size() == 2);  // only the best k

    SECTION("another channel of the same node comes from the cache, and equals a fresh search") {
        const std::vector<ChannelPatch> other = finder.strongest(images, pool1, 9, 3);
        CHECK(finder.network_runs() == 3);
        Engine fresh_engine(seeded_network(), threads(2));
        ChannelPatchFinder fresh(fresh_engine, "seed 3");
        const std::vector<ChannelPatch> expected = fresh.strongest(images, pool1, 9, 3);
        REQUIRE(other.size() == expected.size());
        for (std::size_t i = 0; i < other.size(); ++i) {
            CHECK(other[i].image == expected[i].image);
            CHECK(other[i].activation == expected[i].activation);
        }
    }
    SECTION("a changed image file is run again") {
        write_picture(dir, "b.png", 64, 64, 7);
        std::filesystem::last_write_time(dir / "b.png", std::filesystem::file_time_type::clock::now() + std::chrono::hours(1));
        finder.strongest(images, pool1, 5, 3);
        CHECK(finder.network_runs() == 4);
    }
    SECTION("bad requests name the value and the rule") {
        CHECK_THROWS_WITH(finder.strongest(images, pool1, 64, 3), Catch::Contains("channel 64 of pool1: expected 0 to 63"));
    }
}

TEST_CASE("channel patches: cancel between images keeps what was done", "[patches]") {
    TempDir dir;
    const std::vector<std::string> images = {write_picture(dir, "a.png", 30, 30, 1), write_picture(dir, "b.png", 40, 30, 2),
                                             write_picture(dir, "c.png", 30, 40, 3)};
    Engine engine(seeded_network(), threads(2));
    ChannelPatchFinder finder(engine, "seed 3");
    std::atomic<bool> cancel{false};
    const int node = engine.graph().find("res2a_relu");
    CHECK_THROWS_AS(finder.strongest(images, node, 0, 3, [&](const PatchProgress&) { cancel = true; }, &cancel), Cancelled);
    CHECK(finder.network_runs() == 1);
    std::vector<int> seen;
    CHECK(finder.strongest(images, node, 0, 3, [&](const PatchProgress& p) { seen.push_back(p.done); }).size() == 3);
    CHECK(finder.network_runs() == 3);  // the first image came from the cache
    CHECK(seen == std::vector<int>{1, 2, 3});
}

TEST_CASE("a patch that reaches beyond the image shows the mean colour there", "[patches]") {
    RgbImage image;
    image.height = 2;
    image.width = 3;
    for (int i = 0; i < 18; ++i) image.pixels.push_back(std::uint8_t(i));
    const RgbImage patch = crop_patch(image, FieldRegion{-1, 0, 1, 3});  // rows -1..0, cols 1..3
    REQUIRE(patch.height == 2);
    REQUIRE(patch.width == 3);
    CHECK(std::vector<std::uint8_t>(patch.pixels.begin(), patch.pixels.begin() + 3) == std::vector<std::uint8_t>{124, 117, 104});
    CHECK(patch.pixels[9] == 3);   // row 0, col 1 of the image: red of pixel 1
    CHECK(patch.pixels[15] == 124);  // col 3 is beyond the image
}
