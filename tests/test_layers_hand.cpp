// Small cases worked by hand (the arithmetic is in the comments), run with the reference and the fast
// kernels, and the configuration errors a user would see, which must name the value and the rule.

#include <cmath>
#include <initializer_list>
#include <vector>

#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/layers/activation.hpp"
#include "core/layers/add.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/dense.hpp"
#include "core/layers/global_average_pooling2d.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"

using namespace convscope;
using Catch::Matchers::Contains;

namespace {

// An (h, w, c) tensor from values in row-major (H, W, C) order.
Tensor3 tensor(std::size_t h, std::size_t w, std::size_t c, std::initializer_list<float> values) {
    Tensor3 t = Tensor3::from_shape({h, w, c});
    REQUIRE(values.size() == t.size());
    std::copy(values.begin(), values.end(), t.begin());
    return t;
}

void set_weight(Layer& layer, std::size_t i, std::initializer_list<float> values) {
    auto& w = layer.mutable_weights().at(i).values;
    REQUIRE(values.size() == w.size());
    std::copy(values.begin(), values.end(), w.begin());
}

// Runs `layer` on `inputs` with both kernel kinds and checks every output value.
void expect_forward(Layer& layer, const std::vector<Tensor3>& inputs, const Shape& out_shape,
                    std::initializer_list<float> expected) {
    std::vector<Shape> shapes;
    std::vector<const Tensor3*> ptrs;
    for (const auto& t : inputs) {
        shapes.push_back(shape_of(t));
        ptrs.push_back(&t);
    }
    REQUIRE(layer.output_shape(shapes) == out_shape);
    ThreadPool pool(2);
    for (Kernels k : {Kernels::reference, Kernels::fast}) {
        INFO((k == Kernels::reference ? "reference" : "fast") << " kernels");
        const Context ctx{k == Kernels::fast ? &pool : nullptr, nullptr, k};
        Tensor3 out = make_tensor(out_shape);
        layer.forward(ptrs, out, ctx);
        std::size_t i = 0;
        for (float e : expected) {
            INFO("element " << i);
            CHECK(out.data()[i] == Approx(e).epsilon(1e-6).margin(1e-6));
            ++i;
        }
    }
}

Conv2D conv(int filters, IntPair kernel, IntPair strides = 1, Padding padding = Padding::valid, IntPair dilation = 1,
            bool use_bias = true) {
    Conv2DConfig c;
    c.filters = filters;
    c.kernel_size = kernel;
    c.strides = strides;
    c.padding = padding;
    c.dilation_rate = dilation;
    c.use_bias = use_bias;
    return Conv2D(c);
}

}  // namespace

TEST_CASE("Conv2D by hand", "[layers][hand]") {
    SECTION("3x3 input, 2x2 kernel, valid, bias 0.5") {
        // x = 1 2 3    kernel = 1 2    y(0,0) = 1*1 + 2*2 + 4*3 + 5*4 + 0.5 = 37.5
        //     4 5 6             3 4    y(0,1) = 2*1 + 3*2 + 5*3 + 6*4 + 0.5 = 47.5
        //     7 8 9                    y(1,0) = 4*1 + 5*2 + 7*3 + 8*4 + 0.5 = 67.5
        //                              y(1,1) = 5*1 + 6*2 + 8*3 + 9*4 + 0.5 = 77.5
        Conv2D c = conv(1, 2);
        c.build({Shape::image(3, 3, 1)});
        set_weight(c, 0, {1, 2, 3, 4});  // (kh, kw, in, out) = (2, 2, 1, 1)
        set_weight(c, 1, {0.5f});
        expect_forward(c, {tensor(3, 3, 1, {1, 2, 3, 4, 5, 6, 7, 8, 9})}, Shape::image(2, 2, 1),
                       {37.5f, 47.5f, 67.5f, 77.5f});
    }
    SECTION("'same', strides 2 on an even input: TensorFlow pads only bottom/right") {
        // x(i, j) = 4i + j on 4x4, kernel 3x3 of ones, no bias. out = ceil(4/2) = 2, total pad =
        // (2-1)*2 + 3 - 4 = 1: top/left 0, bottom/right 1. Windows cover rows {0,1,2} and {2,3,pad}.
        // y(0,0) = sum_{i<3, j<3} (4i + j) = 36 + 9 = 45     y(0,1) = sum_{i<3, j in 2..3} = 24 + 15 = 39
        // y(1,0) = sum_{i in 2..3, j<3} = 60 + 6 = 66        y(1,1) = sum_{i, j in 2..3} = 40 + 10 = 50
        // (A symmetric pad of 1 on top/left would give y(0,0) = sum_{i<2, j<2} (4i + j) = 10 instead.)
        Conv2D c = conv(1, 3, 2, Padding::same, 1, false);
        c.build({Shape::image(4, 4, 1)});
        set_weight(c, 0, {1, 1, 1, 1, 1, 1, 1, 1, 1});
        expect_forward(c, {tensor(4, 4, 1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})},
                       Shape::image(2, 2, 1), {45, 39, 66, 50});
    }
    SECTION("dilation (1, 3), 1x2 kernel on a 1x5 row") {
        // taps j and j+3: effective kernel (2-1)*3+1 = 4, out = 5 - 4 + 1 = 2.
        // y0 = 1*1 + 4*10 = 41, y1 = 2*1 + 5*10 = 52
        Conv2D c = conv(1, {1, 2}, 1, Padding::valid, {1, 3}, false);
        c.build({Shape::image(1, 5, 1)});
        set_weight(c, 0, {1, 10});
        expect_forward(c, {tensor(1, 5, 1, {1, 2, 3, 4, 5})}, Shape::image(1, 2, 1), {41, 52});
    }
    SECTION("the kernel layout is (kh, kw, in, out), not (out, in)") {
        // x = [1, 2] (2 channels), kernel[0][0] = [[1, 2, 3], [4, 5, 6]] (in 2 x out 3):
        // y = [1*1 + 2*4, 1*2 + 2*5, 1*3 + 2*6] = [9, 12, 15]
        Conv2D c = conv(3, 1, 1, Padding::valid, 1, false);
        c.build({Shape::image(1, 1, 2)});
        set_weight(c, 0, {1, 2, 3, 4, 5, 6});
        expect_forward(c, {tensor(1, 1, 2, {1, 2})}, Shape::image(1, 1, 3), {9, 12, 15});
    }
    SECTION("activation applies after the bias") {
        // x = [1, -1] on 1x2, kernel 1x1 = 2, bias -1: pre-activation [1, -3]; relu [1, 0]
        Conv2DConfig cfg;
        cfg.filters = 1;
        cfg.kernel_size = 1;
        cfg.activation = ActivationKind::relu;
        Conv2D c(cfg);
        c.build({Shape::image(1, 2, 1)});
        set_weight(c, 0, {2});
        set_weight(c, 1, {-1});
        expect_forward(c, {tensor(1, 2, 1, {1, -1})}, Shape::image(1, 2, 1), {1, 0});
    }
}

TEST_CASE("the other layers by hand", "[layers][hand]") {
    SECTION("MaxPooling2D 'same' on all-negative values: the padding never wins") {
        // 2x2 input, pool 3, strides 2: out 1, total pad 1 (bottom/right). Max of {-5, -3, -4, -6} = -3, not 0.
        MaxPooling2DConfig p;
        p.pool_size = 3;
        p.strides = IntPair(2);
        p.padding = Padding::same;
        MaxPooling2D pool(p);
        expect_forward(pool, {tensor(2, 2, 1, {-5, -3, -4, -6})}, Shape::image(1, 1, 1), {-3});
    }
    SECTION("MaxPooling2D strides=None means strides = pool_size") {
        // 2x4 row pairs, pool 2: windows {1,5,2,6} and {3,7,4,8} -> 6, 8
        MaxPooling2DConfig p;
        p.pool_size = 2;
        MaxPooling2D pool(p);
        expect_forward(pool, {tensor(2, 4, 1, {1, 2, 3, 4, 5, 6, 7, 8})}, Shape::image(1, 2, 1), {6, 8});
    }
    SECTION("BatchNormalization") {
        // gamma 2, beta 1, mean 1, variance 3, epsilon 1: y = 2 * (x - 1) / sqrt(3 + 1) + 1 = x
        BatchNormalization bn(BatchNormalizationConfig{1.0f});
        bn.build({Shape::image(1, 2, 1)});
        set_weight(bn, 0, {2});
        set_weight(bn, 1, {1});
        set_weight(bn, 2, {1});
        set_weight(bn, 3, {3});
        expect_forward(bn, {tensor(1, 2, 1, {2, -7})}, Shape::image(1, 2, 1), {2, -7});
    }
    SECTION("ZeroPadding2D ((1, 0), (0, 2))") {
        // [7] -> 0 0 0
        //        7 0 0
        ZeroPadding2D zp(ZeroPadding2DConfig{1, 0, 0, 2});
        expect_forward(zp, {tensor(1, 1, 1, {7})}, Shape::image(2, 3, 1), {0, 0, 0, 7, 0, 0});
    }
    SECTION("Add") {
        Add add;
        expect_forward(add, {tensor(1, 2, 1, {1, 2}), tensor(1, 2, 1, {10, -20})}, Shape::image(1, 2, 1), {11, -18});
    }
    SECTION("GlobalAveragePooling2D") {
        // channel 0: (1 + 2 + 3 + 6) / 4 = 3; channel 1: (0 + 0 + 4 + 0) / 4 = 1
        GlobalAveragePooling2D gap;
        expect_forward(gap, {tensor(2, 2, 2, {1, 0, 2, 0, 3, 4, 6, 0})}, Shape::vector(2), {3, 1});
    }
    SECTION("Dense + softmax") {
        // identity kernel, bias 0, x = [0, ln 3]: softmax = [1, 3] / 4
        Dense dense(DenseConfig{2, true, ActivationKind::softmax});
        dense.build({Shape::vector(2)});
        set_weight(dense, 0, {1, 0, 0, 1});
        set_weight(dense, 1, {0, 0});
        Tensor3 x = tensor(1, 1, 2, {0, std::log(3.0f)});
        std::vector<const Tensor3*> in{&x};
        REQUIRE(dense.output_shape({Shape::vector(2)}) == Shape::vector(2));
        Tensor3 out = make_tensor(Shape::vector(2));
        dense.forward(in, out, Context{});
        CHECK(out.data()[0] == Approx(0.25));
        CHECK(out.data()[1] == Approx(0.75));
    }
    SECTION("Activation") {
        Activation sig(ActivationConfig{ActivationKind::sigmoid});
        expect_forward(sig, {tensor(1, 1, 2, {0, 0})}, Shape::image(1, 1, 2), {0.5f, 0.5f});
        Activation tanh_layer(ActivationConfig{ActivationKind::tanh});
        expect_forward(tanh_layer, {tensor(1, 1, 1, {0.5f})}, Shape::image(1, 1, 1), {std::tanh(0.5f)});
    }
}

TEST_CASE("configuration errors name the value and the rule", "[layers][errors]") {
    const std::vector<Shape> in{Shape::image(3, 3, 2)};
    SECTION("strides > 1 together with dilation_rate > 1") {
        Conv2D c = conv(4, 3, 2, Padding::valid, 2);
        REQUIRE_THROWS_AS(c.validate(), ConfigError);
        REQUIRE_THROWS_WITH(c.validate(), Contains("strides=(2, 2)") && Contains("dilation_rate=(2, 2)") &&
                                              Contains("only one"));
        Conv2D mixed = conv(4, 3, {1, 2}, Padding::same, {3, 1});
        REQUIRE_THROWS_WITH(mixed.output_shape(in), Contains("strides=(1, 2)") && Contains("dilation_rate=(3, 1)"));
    }
    SECTION("filters 0") {
        REQUIRE_THROWS_WITH(conv(0, 3).validate(), Contains("filters=0") && Contains("at least 1"));
        REQUIRE_THROWS_AS(conv(0, 3).output_shape(in), ConfigError);
    }
    SECTION("kernel, strides or dilation 0") {
        REQUIRE_THROWS_WITH(conv(4, {0, 3}).validate(), Contains("kernel_size=(0, 3)") && Contains("at least 1"));
        REQUIRE_THROWS_WITH(conv(4, 3, {1, 0}).validate(), Contains("strides=(1, 0)"));
        REQUIRE_THROWS_WITH(conv(4, 3, 1, Padding::valid, {0, 1}).validate(), Contains("dilation_rate=(0, 1)"));
    }
    SECTION("an output dimension < 1") {
        // 'valid', kernel 5 on 3 rows: ceil((3 - 5 + 1) / 1) = -1
        REQUIRE_THROWS_AS(conv(4, {5, 1}).output_shape(in), ShapeError);
        REQUIRE_THROWS_WITH(conv(4, {5, 1}).output_shape(in), Contains("height") && Contains("-1") &&
                                                                  Contains("padding=\"same\""));
        // dilated: effective kernel (3 - 1) * 2 + 1 = 5 > 3 columns
        REQUIRE_THROWS_WITH(conv(4, {1, 3}, 1, Padding::valid, {1, 2}).output_shape(in),
                            Contains("width") && Contains("dilation_rate"));
        // The same kernel fits with 'same'.
        CHECK(conv(4, {5, 1}, 1, Padding::same).output_shape(in) == Shape::image(3, 3, 4));
        MaxPooling2DConfig p;
        p.pool_size = 4;
        REQUIRE_THROWS_AS(MaxPooling2D(p).output_shape(in), ShapeError);
    }
    SECTION("Add with different shapes names both") {
        Add add;
        REQUIRE_THROWS_AS(add.output_shape({Shape::image(4, 4, 3), Shape::image(4, 5, 3)}), ShapeError);
        REQUIRE_THROWS_WITH(add.output_shape({Shape::image(4, 4, 3), Shape::image(4, 5, 3)}),
                            Contains("(4, 4, 3)") && Contains("(4, 5, 3)"));
    }
    SECTION("pooling and dense arguments") {
        MaxPooling2DConfig p;
        p.pool_size = IntPair{0, 2};
        REQUIRE_THROWS_WITH(MaxPooling2D(p).validate(), Contains("pool_size=(0, 2)"));
        REQUIRE_THROWS_WITH(Dense(DenseConfig{0, true, ActivationKind::linear}).validate(), Contains("units=0"));
        REQUIRE_THROWS_WITH(ZeroPadding2D(ZeroPadding2DConfig{-1, 0, 0, 0}).validate(), Contains("negative"));
        REQUIRE_THROWS_WITH(parse_padding("full"), Contains("\"full\"") && Contains("valid"));
    }
}
