// Shape arithmetic: the seed's worked examples exactly, the output-size and padding formulas against a
// brute-force enumeration of window positions, and Keras' parameter counts for ResNet50.

#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/model/resnet50.hpp"

using namespace convscope;

namespace {

std::string conv_shape(int filters, IntPair kernel, IntPair strides = 1, Padding padding = Padding::valid) {
    Conv2DConfig c;
    c.filters = filters;
    c.kernel_size = kernel;
    c.strides = strides;
    c.padding = padding;
    return keras_shape(Conv2D(c).output_shape({Shape::image(600, 600, 3)}));
}

// What a sliding window does on one axis, found by trying positions rather than by formula.
struct BruteAxis {
    int out = 0;
    int pad_before = 0, pad_after = 0;
};

BruteAxis brute_force(int in, int kernel, int stride, int dilation, Padding padding) {
    BruteAxis b;
    if (padding == Padding::valid) {
        // Windows start at 0, stride, 2*stride, ... on the unpadded input; one counts if every tap is inside.
        for (int o = 0; o * stride < in; ++o) {
            bool inside = true;
            for (int j = 0; j < kernel; ++j) {
                const int tap = o * stride + j * dilation;
                inside = inside && tap >= 0 && tap < in;
            }
            if (inside) ++b.out;
        }
        return b;
    }
    // 'same': one output per input position the stride lands on (0, stride, ... < in); then the least
    // total padding for which all those windows fit, split TensorFlow's way (odd one bottom/right).
    for (int o = 0; o * stride < in; ++o) ++b.out;
    for (int total = 0;; ++total) {
        bool all_fit = true;
        for (int o = 0; o < b.out; ++o)
            for (int j = 0; j < kernel; ++j)
                all_fit = all_fit && o * stride + j * dilation < in + total;
        if (all_fit) {
            b.pad_before = total / 2;
            b.pad_after = total - total / 2;
            return b;
        }
    }
}

void check_axis(int in, int kernel, int stride, int dilation, Padding padding) {
    const AxisGeometry g = axis_geometry(in, kernel, stride, dilation, padding);
    const BruteAxis b = brute_force(in, kernel, stride, dilation, padding);
    INFO("in=" << in << " kernel=" << kernel << " stride=" << stride << " dilation=" << dilation << " padding="
               << to_string(padding) << ": formula " << g.formula);
    // The formula may report a negative 'valid' size where no window fits; brute force counts 0 windows.
    REQUIRE(std::max(g.out, 0) == b.out);
    REQUIRE(g.effective_kernel == (kernel - 1) * dilation + 1);
    if (padding == Padding::same) {
        REQUIRE(g.pad_before == b.pad_before);
        REQUIRE(g.pad_after == b.pad_after);
        // With stride 1 and an odd kernel, each window's centre tap is exactly its output position.
        if (stride == 1 && kernel % 2 == 1)
            for (int o = 0; o < g.out; ++o) REQUIRE(o - g.pad_before + (kernel - 1) / 2 * dilation == o);
    } else {
        REQUIRE(g.pad_before == 0);
        REQUIRE(g.pad_after == 0);
    }
}

// The layers must agree with the axis arithmetic: a shape when every axis has an output, else ShapeError.
void check_layers(int h, int w, IntPair kernel, IntPair stride, IntPair dilation, Padding padding) {
    const BruteAxis rows = brute_force(h, kernel.rows, stride.rows, dilation.rows, padding);
    const BruteAxis cols = brute_force(w, kernel.cols, stride.cols, dilation.cols, padding);
    INFO("input " << h << "x" << w << " kernel " << to_string(kernel) << " strides " << to_string(stride)
                  << " dilation " << to_string(dilation) << " " << to_string(padding));
    const bool strided = stride.rows > 1 || stride.cols > 1, dilated = dilation.rows > 1 || dilation.cols > 1;
    Conv2DConfig c;
    c.filters = 5;
    c.kernel_size = kernel;
    c.strides = stride;
    c.dilation_rate = dilation;
    c.padding = padding;
    const Conv2D conv(c);
    const std::vector<Shape> in{Shape::image(h, w, 2)};
    if (strided && dilated) {
        REQUIRE_THROWS_AS(conv.output_shape(in), ConfigError);
    } else if (rows.out < 1 || cols.out < 1) {
        REQUIRE_THROWS_AS(conv.output_shape(in), ShapeError);
    } else {
        REQUIRE(conv.output_shape(in) == Shape::image(rows.out, cols.out, 5));
        const ConvGeometry g = conv.geometry(in[0]);
        REQUIRE(g.rows.pad_before == rows.pad_before);
        REQUIRE(g.cols.pad_after == cols.pad_after);
    }
    if (!dilated) {
        MaxPooling2DConfig p;
        p.pool_size = kernel;
        p.strides = stride;
        p.padding = padding;
        const MaxPooling2D pool(p);
        if (rows.out < 1 || cols.out < 1) REQUIRE_THROWS_AS(pool.output_shape(in), ShapeError);
        else REQUIRE(pool.output_shape(in) == Shape::image(rows.out, cols.out, 2));
    }
}

}  // namespace

TEST_CASE("the seed's Conv2D shape examples on a (600, 600, 3) input", "[shapes]") {
    CHECK(conv_shape(64, {1, 1}) == "(None, 600, 600, 64)");
    CHECK(conv_shape(64, {2, 2}) == "(None, 599, 599, 64)");
    CHECK(conv_shape(64, 2) == "(None, 599, 599, 64)");
    CHECK(conv_shape(64, 1, {2, 2}) == "(None, 300, 300, 64)");
    CHECK(conv_shape(64, 1, 2, Padding::same) == "(None, 300, 300, 64)");
    CHECK(conv_shape(64, 3, 2, Padding::same) == "(None, 300, 300, 64)");
    CHECK(conv_shape(64, 3, 1, Padding::same) == "(None, 600, 600, 64)");
    CHECK(conv_shape(64, 3) == "(None, 598, 598, 64)");
    CHECK(conv_shape(64, 3, 1, Padding::valid) == "(None, 598, 598, 64)");
}

TEST_CASE("the seed backbone's shapes at 600x600", "[shapes][resnet50]") {
    const Graph g = build_resnet50({});  // defaults: 600x600, stage 4, no top
    const std::vector<NodeShape> shapes = g.infer_shapes();
    auto shape = [&](const char* name) {
        const int i = g.find(name);
        REQUIRE(i >= 0);
        REQUIRE(shapes[std::size_t(i)].ok());
        return plain_shape(*shapes[std::size_t(i)].shape);
    };
    CHECK(shape("input") == "(600, 600, 3)");
    CHECK(shape("conv1_pad") == "(606, 606, 3)");
    CHECK(shape("conv1") == "(300, 300, 64)");
    CHECK(shape("pool1") == "(150, 150, 64)");
    CHECK(shape("res2c_relu") == "(150, 150, 256)");
    CHECK(shape("res3d_relu") == "(75, 75, 512)");
    CHECK(shape("res4f_relu") == "(38, 38, 1024)");
    CHECK(g.node(g.output()).name == "res4f_relu");
}

TEST_CASE("output size and padding formulas agree with brute-force window enumeration", "[shapes]") {
    int cases = 0;
    SECTION("every small case") {
        for (int in = 1; in <= 20; ++in)
            for (int k = 1; k <= 7; ++k)
                for (int s = 1; s <= 4; ++s)
                    for (int d = 1; d <= 3; ++d)
                        for (Padding p : {Padding::valid, Padding::same}) {
                            check_axis(in, k, s, d, p);
                            ++cases;
                        }
        CHECK(cases == 20 * 7 * 4 * 3 * 2);
    }
    SECTION("random larger cases, both axes, through Conv2D and MaxPooling2D") {
        std::mt19937 rng(20240531);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        for (int i = 0; i < 4000; ++i) {
            const int h = pick(1, 700), w = pick(1, 700);
            const IntPair kernel{pick(1, 11), pick(1, 11)};
            IntPair stride{1, 1}, dilation{1, 1};
            switch (pick(0, 3)) {  // Keras rejects strides > 1 with dilation > 1; keep some of those too
                case 0: stride = IntPair{pick(1, 6), pick(1, 6)}; break;
                case 1: dilation = IntPair{pick(1, 8), pick(1, 8)}; break;
                case 2: stride = IntPair{pick(1, 6), pick(1, 6)}, dilation = IntPair{pick(1, 4), pick(1, 4)}; break;
                default: break;
            }
            const Padding p = pick(0, 1) ? Padding::same : Padding::valid;
            check_axis(h, kernel.rows, stride.rows, dilation.rows, p);
            check_axis(w, kernel.cols, stride.cols, dilation.cols, p);
            check_layers(h, w, kernel, stride, dilation, p);
            ++cases;
        }
        CHECK(cases == 4000);
    }
}

TEST_CASE("ResNet50 parameter counts match Keras", "[shapes][resnet50]") {
    SECTION("with the top at 224x224") {
        ResNet50Options o;
        o.height = o.width = 224;
        o.last_stage = 5;
        o.include_top = true;
        const Graph g = build_resnet50(o);
        CHECK(g.param_count() == 25636712);
        CHECK(g.trainable_param_count() == 25583592);
        CHECK(g.param_count() - g.trainable_param_count() == 53120);
    }
    SECTION("without the top (stage 5)") {
        ResNet50Options o;
        o.height = o.width = 224;
        o.last_stage = 5;
        CHECK(build_resnet50(o).param_count() == 23587712);
    }
    SECTION("the default seed backbone (stage 4, 600x600)") {
        CHECK(build_resnet50({}).param_count() == 8589184);
    }
}
