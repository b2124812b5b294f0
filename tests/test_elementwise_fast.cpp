// The fast BatchNormalization / ReLU / Add / MaxPooling2D kernels against the readable layers, on odd sizes and
// fixed seeds; plus thread-count invariance, cancellation and the fused-vs-separate BN agreement.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/errors.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"
#include "core/kernels/fast/max_pooling2d_fast.hpp"
#include "core/layers/activation.hpp"
#include "core/layers/add.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv_geometry.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/tensor.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::bitwise_equal;

namespace {

Tensor3 random_tensor(int h, int w, int c, unsigned seed) {  // (H, W, C), values in [-2, 2]
    Tensor3 t = make_tensor(Shape::image(h, w, c));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
    for (float& x : t) x = uniform(rng);
    return t;
}

double max_abs_diff(const float* a, const float* b, std::size_t n) {
    double d = 0.0;
    for (std::size_t i = 0; i < n; ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
    return d;
}

}  // namespace

TEST_CASE("batch_norm_fast matches the BatchNormalization layer, with and without the fused ReLU", "[elementwise_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    for (int channels : {1, 3, 17, 64, 1000}) {
        INFO("channels " << channels);
        const Tensor3 x = random_tensor(37, 13, channels, unsigned(channels));  // (H, W, C)
        BatchNormalization layer;
        layer.build({shape_of(x)});
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> u(0.1f, 2.0f), s(-1.0f, 1.0f);
        auto& w = layer.mutable_weights();  // gamma, beta, moving_mean, moving_variance
        for (int c = 0; c < channels; ++c) {
            w[0].values(c) = u(rng);
            w[1].values(c) = s(rng);
            w[2].values(c) = s(rng);
            w[3].values(c) = u(rng);
        }
        Tensor3 want = make_tensor(shape_of(x));
        layer.forward({&x}, want, ctx);
        std::vector<float> scale, shift;  // (C)
        layer.scale_and_shift(scale, shift);

        Tensor3 bn = make_tensor(shape_of(x)), relu = make_tensor(shape_of(x)), relu_only = make_tensor(shape_of(x));
        const std::size_t pixels = x.shape()[0] * x.shape()[1];
        batch_norm_fast(x.data(), scale.data(), shift.data(), bn.data(), relu.data(), pixels, std::size_t(channels), ctx);
        batch_norm_fast(x.data(), scale.data(), shift.data(), nullptr, relu_only.data(), pixels, std::size_t(channels),
                        ctx);
        CHECK(max_abs_diff(bn.data(), want.data(), want.size()) <= 1e-5);
        for (std::size_t i = 0; i < want.size(); ++i) want.data()[i] = std::max(want.data()[i], 0.0f);
        CHECK(max_abs_diff(relu.data(), want.data(), want.size()) <= 1e-5);
        CHECK(bitwise_equal(relu_only, relu));
    }
}

TEST_CASE("BN fused into conv2d_fast gives the same bits as conv2d_fast then batch_norm_fast", "[elementwise_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    // 5 channels take the direct path, 32 the Winograd one: each has its own epilogue.
    for (int in_c : {5, 32})
        for (Isa isa : all_isas()) {
            if (!isa_supported(isa)) continue;
            INFO("isa " << to_string(isa) << ", in_c " << in_c);
            Conv2DParams p;
            p.in_h = 31, p.in_w = 29, p.in_c = in_c, p.kernel_h = 3, p.kernel_w = 3, p.filters = 37;
            p.pad_top = 1, p.pad_left = 1, p.out_h = 31, p.out_w = 29;
            const Tensor3 input = random_tensor(31, 29, in_c, 1);      // (H, W, Cin)
            const Tensor3 kernel = random_tensor(3, 3, in_c * 37, 2);  // (kh, kw, Cin*F) = (kh, kw, Cin, F) flattened
            const Tensor3 affine = random_tensor(1, 2, 37, 3);         // scale then shift, (2, F)
            const float* scale = affine.data();
            const float* shift = affine.data() + 37;
            const std::size_t n = std::size_t(31) * 29 * 37;  // (out_h, out_w, F)
            std::vector<float> conv(n), bn(n), relu(n), bn2(n), relu2(n);
            conv2d_fast_fused_isa(p, input.data(), kernel.data(), nullptr, conv.data(), scale, shift, bn.data(),
                                  relu.data(), isa, ctx);
            batch_norm_fast(conv.data(), scale, shift, bn2.data(), relu2.data(), n / 37, 37, ctx);
            CHECK(bn == bn2);
            CHECK(relu == relu2);
        }
}

TEST_CASE("relu_fast and add_fast match the Activation and Add layers", "[elementwise_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    const Tensor3 a = random_tensor(131, 67, 33, 3), b = random_tensor(131, 67, 33, 4);  // (H, W, C)
    Tensor3 want = make_tensor(shape_of(a));
    Activation(ActivationConfig{ActivationKind::relu}).forward({&a}, want, ctx);
    Tensor3 got = make_tensor(shape_of(a));
    relu_fast(a.data(), got.data(), a.size(), ctx);
    CHECK(bitwise_equal(got, want));

    Tensor3 sum_want = make_tensor(shape_of(a)), relu_want = make_tensor(shape_of(a));
    Add().forward({&a, &b}, sum_want, ctx);
    Activation(ActivationConfig{ActivationKind::relu}).forward({&sum_want}, relu_want, ctx);
    Tensor3 sum = make_tensor(shape_of(a)), relu = make_tensor(shape_of(a)), relu_only = make_tensor(shape_of(a));
    add_fast(a.data(), b.data(), sum.data(), relu.data(), a.size(), ctx);
    add_fast(a.data(), b.data(), nullptr, relu_only.data(), a.size(), ctx);
    CHECK(bitwise_equal(sum, sum_want));
    CHECK(bitwise_equal(relu, relu_want));
    CHECK(bitwise_equal(relu_only, relu_want));

    // In place, as an engine reusing a buffer would call it.
    Tensor3 inplace = a;
    add_fast(inplace.data(), b.data(), inplace.data(), nullptr, a.size(), ctx);
    CHECK(bitwise_equal(inplace, sum_want));
}

TEST_CASE("affine_add_fast gives the bits of batch_norm_fast then add_fast, in every variant", "[elementwise_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    for (int channels : {1, 17, 64, 256}) {
        INFO("channels " << channels);
        const Tensor3 a = random_tensor(29, 13, channels, 5), b = random_tensor(29, 13, channels, 6);  // (H, W, C)
        const Tensor3 affine = random_tensor(1, 4, channels, 7);  // a_scale, a_shift, b_scale, b_shift: (4, C)
        const float* as = affine.data();
        const float* at = as + channels;
        const float* bs = at + channels;
        const float* bt = bs + channels;
        const std::size_t pixels = 29 * 13, n = a.size();
        std::vector<float> bn_a(n), bn_b(n), sum_want(n), relu_want(n);
        batch_norm_fast(a.data(), as, at, bn_a.data(), nullptr, pixels, std::size_t(channels), ctx);
        batch_norm_fast(b.data(), bs, bt, bn_b.data(), nullptr, pixels, std::size_t(channels), ctx);
        for (int variant = 0; variant < 4; ++variant) {
            const bool affine_a = variant & 1, affine_b = variant & 2;
            INFO("affine a " << affine_a << ", affine b " << affine_b);
            add_fast(affine_a ? bn_a.data() : a.data(), affine_b ? bn_b.data() : b.data(), sum_want.data(),
                     relu_want.data(), n, ctx);
            auto join = [&](float* sum_out, float* relu_out) {  // this variant's affine_add_fast into these outputs
                affine_add_fast(a.data(), affine_a ? as : nullptr, affine_a ? at : nullptr, b.data(),
                                affine_b ? bs : nullptr, affine_b ? bt : nullptr, sum_out, relu_out, pixels,
                                std::size_t(channels), ctx);
            };
            std::vector<float> sum(n), relu(n), relu_only(n, -1.0f), sum_only(n, -1.0f);
            join(sum.data(), relu.data());
            join(nullptr, relu_only.data());
            join(sum_only.data(), nullptr);
            CHECK(sum == sum_want);
            CHECK(sum_only == sum_want);
            CHECK(relu == relu_want);
            CHECK(relu_only == relu_want);
        }
    }
}

TEST_CASE("max_pool2d_fast matches the MaxPooling2D layer, padded cells never win", "[elementwise_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    struct Case {
        int h, w, c, ph, pw, sh, sw;
        Padding padding;
    };
    const Case cases[] = {
        {150, 150, 64, 3, 3, 2, 2, Padding::same},  // ResNet50's pool1 at 300x300
        {13, 15, 5, 3, 3, 2, 2, Padding::same},   {13, 15, 5, 3, 3, 2, 2, Padding::valid},
        {17, 13, 3, 2, 2, 2, 2, Padding::same},   {31, 17, 17, 3, 2, 1, 3, Padding::same},
        {15, 15, 1, 5, 4, 3, 2, Padding::same},   {13, 31, 64, 2, 5, 1, 1, Padding::valid},
        {4, 4, 3, 3, 3, 3, 3, Padding::same},     {7, 9, 2, 1, 1, 2, 2, Padding::same},
    };
    for (const Case& k : cases) {
        INFO("input " << k.h << "x" << k.w << "x" << k.c << ", pool " << k.ph << "x" << k.pw << ", strides " << k.sh
                      << "x" << k.sw << ", " << to_string(k.padding));
        // All negative input: a padded cell read as 0 would win everywhere on the border.
        Tensor3 x = random_tensor(k.h, k.w, k.c, unsigned(k.h * 100 + k.c));  // (H, W, C)
        for (float& v : x) v = -3.0f - std::fabs(v);
        MaxPooling2D layer(MaxPooling2DConfig{IntPair(k.ph, k.pw), IntPair(k.sh, k.sw), k.padding});
        const Shape out_shape = layer.output_shape({shape_of(x)});
        Tensor3 want = make_tensor(out_shape);
        layer.forward({&x}, want, ctx);

        const AxisGeometry rows = axis_geometry(k.h, k.ph, k.sh, 1, k.padding);
        const AxisGeometry cols = axis_geometry(k.w, k.pw, k.sw, 1, k.padding);
        MaxPool2DParams p;
        p.in_h = k.h, p.in_w = k.w, p.channels = k.c, p.pool_h = k.ph, p.pool_w = k.pw, p.stride_h = k.sh,
        p.stride_w = k.sw;
        p.pad_top = rows.pad_before, p.pad_left = cols.pad_before, p.out_h = rows.out, p.out_w = cols.out;
        REQUIRE(p.out_h == out_shape.h);
        REQUIRE(p.out_w == out_shape.w);
        Tensor3 got = make_tensor(out_shape);
        got.fill(7.0f);
        max_pool2d_fast(p, x.data(), got.data(), ctx);
        CHECK(bitwise_equal(got, want));
        const bool no_padding_won = std::all_of(got.data(), got.data() + got.size(), [](float v) { return v <= -3.0f; });
        CHECK(no_padding_won);
    }
}

TEST_CASE("elementwise kernels: thread-count invariance and cancellation", "[elementwise_fast]") {
    const Tensor3 a = random_tensor(75, 75, 64, 5), b = random_tensor(75, 75, 64, 6);  // (H, W, C)
    ThreadPool one(1), three(3);
    Context c1, c3;
    c1.pool = &one;
    c3.pool = &three;
    MaxPool2DParams p;
    p.in_h = 75, p.in_w = 75, p.channels = 64, p.pool_h = 3, p.pool_w = 3, p.stride_h = 2, p.stride_w = 2;
    p.pad_top = 1, p.pad_left = 1, p.out_h = 38, p.out_w = 38;
    std::vector<float> s1(a.size()), s3(a.size()), m1(38 * 38 * 64), m3(38 * 38 * 64);
    add_fast(a.data(), b.data(), s1.data(), nullptr, a.size(), c1);
    add_fast(a.data(), b.data(), s3.data(), nullptr, a.size(), c3);
    max_pool2d_fast(p, a.data(), m1.data(), c1);
    max_pool2d_fast(p, a.data(), m3.data(), c3);
    CHECK(s1 == s3);
    CHECK(m1 == m3);

    std::atomic<bool> cancel{true};
    c3.cancel = &cancel;
    std::vector<float> scale(64, 1.0f), shift(64, 0.0f);  // (C)
    CHECK_THROWS_AS(add_fast(a.data(), b.data(), s3.data(), nullptr, a.size(), c3), Cancelled);
    CHECK_THROWS_AS(relu_fast(a.data(), s3.data(), a.size(), c3), Cancelled);
    CHECK_THROWS_AS(batch_norm_fast(a.data(), scale.data(), shift.data(), s3.data(), nullptr, 75 * 75, 64, c3),
                    Cancelled);
    CHECK_THROWS_AS(max_pool2d_fast(p, a.data(), m3.data(), c3), Cancelled);
}

TEST_CASE("NaN and -0: ReLU keeps them as the reference does, max pooling never picks a NaN, in vector lanes and tail",
          "[elementwise_fast]") {
    ThreadPool pool(2);
    Context fast, reference;
    fast.pool = &pool;
    reference.kernels = Kernels::reference;
    Tensor3 x = random_tensor(9, 7, 19, 11);  // (H, W, C): 19 channels = whole vectors and a tail
    for (std::size_t i = 0; i < x.size(); i += 5) x.data()[i] = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 2; i < x.size(); i += 7) x.data()[i] = -0.0f;

    // The fast ReLU is the reference layer's std::max(x, 0) bit for bit: a NaN stays NaN (as in Keras' TensorFlow
    // CPU kernel, so a broken weight or input shows instead of vanishing), -0 stays -0.
    const Activation relu_layer(ActivationConfig{ActivationKind::relu});
    Tensor3 relu_want = make_tensor(shape_of(x)), relu_got = make_tensor(shape_of(x));
    relu_layer.forward({&x}, relu_want, reference);
    relu_fast(x.data(), relu_got.data(), x.size(), fast);
    CHECK(bitwise_equal(relu_got, relu_want));
    CHECK(std::isnan(relu_got.data()[0]));
    CHECK(std::signbit(relu_got.data()[2]));

    const MaxPooling2D pool_layer(MaxPooling2DConfig{IntPair(3, 3), IntPair(2, 2), Padding::same});
    const Shape out_shape = pool_layer.output_shape({shape_of(x)});
    Tensor3 pool_want = make_tensor(out_shape), pool_got = make_tensor(out_shape);
    pool_layer.forward({&x}, pool_want, reference);
    pool_layer.forward({&x}, pool_got, fast);
    CHECK(bitwise_equal(pool_got, pool_want));
    CHECK(std::none_of(pool_got.data(), pool_got.data() + pool_got.size(), [](float v) { return std::isnan(v); }));
}
