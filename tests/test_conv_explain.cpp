// One output value explained: every number of the explanation against a convolution written here on its own
// (an explicitly zero-padded copy of the input, then window sums), and its result against the engine's output.

#include <cmath>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/layers/conv2d.hpp"
#include "core/export/npy.hpp"
#include "core/teach/conv_explain.hpp"

using namespace convscope;

namespace {

struct Case {
    const char* what;
    int h, w, c;
    Conv2DConfig config;
};

Conv2DConfig config(int filters, IntPair kernel, IntPair strides, Padding padding, IntPair dilation,
                    ActivationKind activation, bool use_bias = true) {
    Conv2DConfig c;
    c.filters = filters;
    c.kernel_size = kernel;
    c.strides = strides;
    c.padding = padding;
    c.dilation_rate = dilation;
    c.activation = activation;
    c.use_bias = use_bias;
    return c;
}

// TensorFlow's 'same' split, restated: total = max(0, (out - 1) * s + (k - 1) * d + 1 - in), before = total / 2.
int before_pad(int in, int k, int s, int d, Padding padding, int* out) {
    if (padding == Padding::valid) {
        *out = (in - ((k - 1) * d + 1)) / s + 1;
        return 0;
    }
    *out = (in + s - 1) / s;
    const int total = std::max(0, (*out - 1) * s + (k - 1) * d + 1 - in);
    return total / 2;
}

}  // namespace

TEST_CASE("the explained output equals the engine's and a separately written convolution's", "[explain]") {
    const std::vector<Case> cases = {
        {"'same' with an odd padding total (rows 1 + 2)", 9, 8, 3,
         config(4, {4, 3}, 1, Padding::same, 1, ActivationKind::linear)},
        {"strides 2, 'same', odd total (0 + 1)", 12, 11, 5, config(3, 3, 2, Padding::same, 1, ActivationKind::relu)},
        {"dilation 2, 'same'", 15, 10, 4, config(2, 3, 1, Padding::same, 2, ActivationKind::gelu)},
        {"non-square kernel and strides, 'valid', no bias", 7, 19, 2,
         config(5, {2, 5}, {1, 3}, Padding::valid, 1, ActivationKind::selu, false)},
        {"non-square dilation, softmax over filters", 11, 13, 3,
         config(6, {3, 2}, 1, Padding::same, {1, 3}, ActivationKind::softmax)},
        {"hard_sigmoid, strides (3, 2)", 10, 9, 2, config(3, 3, {3, 2}, Padding::same, 1, ActivationKind::hard_sigmoid)},
    };
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    ThreadPool pool(2);
    for (const Case& k : cases) {
        INFO(k.what);
        Conv2D conv(k.config);
        const Shape in_shape = Shape::image(k.h, k.w, k.c);
        conv.build({in_shape});
        for (Weight& w : conv.mutable_weights())
            for (float& v : w.values) v = dist(rng);
        Tensor3 x = make_tensor(in_shape);  // (H, W, C)
        for (float& v : x) v = dist(rng) + 0.25f;
        const Shape out_shape = conv.output_shape({in_shape});
        Tensor3 fast = make_tensor(out_shape), reference = make_tensor(out_shape);  // (OH, OW, F)
        conv.forward({&x}, fast, Context{&pool, nullptr, Kernels::fast});
        conv.forward({&x}, reference, Context{nullptr, nullptr, Kernels::reference});

        // The separate convolution: pad the input explicitly, then slide.
        const Conv2DConfig& c = k.config;
        int oh = 0, ow = 0;
        const int top = before_pad(k.h, c.kernel_size.rows, c.strides.rows, c.dilation_rate.rows, c.padding, &oh);
        const int left = before_pad(k.w, c.kernel_size.cols, c.strides.cols, c.dilation_rate.cols, c.padding, &ow);
        REQUIRE(oh == out_shape.h);
        REQUIRE(ow == out_shape.w);
        const int ph = k.h + 2 * top + 2 * c.kernel_size.rows * c.dilation_rate.rows;
        const int pw = k.w + 2 * left + 2 * c.kernel_size.cols * c.dilation_rate.cols;
        std::vector<double> padded(std::size_t(ph * pw * k.c), 0.0);  // (ph, pw, C), zeros around the input
        for (int y = 0; y < k.h; ++y)
            for (int xx = 0; xx < k.w; ++xx)
                for (int ch = 0; ch < k.c; ++ch)
                    padded[std::size_t(((y + top) * pw + xx + left) * k.c + ch)] = x(std::size_t(y), std::size_t(xx), std::size_t(ch));
        const auto& kernel = conv.weights()[0].values;  // (kh, kw, C, F)

        int checked = 0;
        for (int r = 0; r < oh; ++r)
            for (int col = 0; col < ow; ++col)
                for (int f = 0; f < c.filters; ++f) {
                    const ConvExplanation e = explain_conv(conv, x, r, col, f);
                    double total = 0.0;
                    for (int ch = 0; ch < k.c; ++ch) {
                        double partial = 0.0;
                        for (int ky = 0; ky < c.kernel_size.rows; ++ky)
                            for (int kx = 0; kx < c.kernel_size.cols; ++kx) {
                                const int py = r * c.strides.rows + ky * c.dilation_rate.rows;
                                const int px = col * c.strides.cols + kx * c.dilation_rate.cols;
                                const double in_v = padded[std::size_t((py * pw + px) * k.c + ch)];
                                const double w_v = kernel(std::size_t(ky), std::size_t(kx), std::size_t(ch), std::size_t(f));
                                const bool outside = py < top || py >= top + k.h || px < left || px >= left + k.w;
                                const std::size_t i = e.index(ky, kx, ch);
                                REQUIRE(e.taps[std::size_t(ky * c.kernel_size.cols + kx)].padding == outside);
                                REQUIRE(double(e.inputs[i]) == in_v);
                                REQUIRE(double(e.weights[i]) == w_v);
                                REQUIRE(e.products[i] == in_v * w_v);
                                partial += in_v * w_v;
                            }
                        REQUIRE(e.channel_sums[std::size_t(ch)] == Approx(partial).margin(1e-12));
                        total += partial;
                    }
                    REQUIRE(e.total == Approx(total).margin(1e-12));
                    const double bias = c.use_bias ? double(conv.weights()[1].values(std::size_t(f))) : 0.0;
                    REQUIRE(e.pre_activation == Approx(total + bias).margin(1e-12));
                    // The reference kernel sums in double too: 1e-5 of the value itself. The fast kernel sums in
                    // float, so where the terms cancel its rounding is relative to their size, not to the result.
                    const double engine = reference(std::size_t(r), std::size_t(col), std::size_t(f));
                    const double engine_fast = fast(std::size_t(r), std::size_t(col), std::size_t(f));
                    double magnitude = std::fabs(bias);
                    for (double p : e.products) magnitude += std::fabs(p);
                    INFO("output[" << r << ", " << col << ", " << f << "] explained " << e.output << ", engine "
                                   << engine << ", fast " << engine_fast);
                    REQUIRE(std::fabs(e.output - engine) <= 1e-5 * std::max(std::fabs(engine), 1e-30));
                    REQUIRE(std::fabs(e.output - engine_fast) <= 1e-5 * std::max(std::fabs(engine_fast), magnitude));
                    ++checked;
                }
        CHECK(checked == oh * ow * c.filters);
    }
}

TEST_CASE("an explanation marks padded taps and prints the engine's value last", "[explain]") {
    Conv2D conv(config(1, 3, 2, Padding::same, 1, ActivationKind::relu));
    const Shape in = Shape::image(4, 4, 1);
    conv.build({in});
    for (std::size_t i = 0; i < 9; ++i) conv.mutable_weights()[0].values.data()[i] = float(i + 1);  // 1..9
    conv.mutable_weights()[1].values(0) = -100.0f;
    Tensor3 x = make_tensor(in);
    for (std::size_t i = 0; i < 16; ++i) x.data()[i] = float(i);  // 0..15, row-major
    // 4 rows, strides 2, 'same': out 2, total pad max(0, 1*2 + 3 - 4) = 1, all of it at the bottom.
    const ConvExplanation e = explain_conv(conv, x, 1, 1, 0);  // rows 2..4, cols 2..4: row 4 and col 4 are padding
    CHECK(e.taps[0].in_row == 2);
    CHECK(e.taps[8].in_row == 4);
    CHECK(e.taps[8].padding);
    CHECK_FALSE(e.taps[4].padding);
    // By hand: window rows 2, 3 and cols 2, 3 hold 10, 11 / 14, 15 under kernel taps 1, 2 / 4, 5.
    CHECK(e.total == 10 * 1 + 11 * 2 + 14 * 4 + 15 * 5);
    CHECK(e.pre_activation == 163 - 100);
    CHECK(e.output == 63);
    std::ostringstream text;
    print_explanation(text, e);
    CHECK(text.str().find("pad 0") != std::string::npos);
    CHECK(text.str().find("+ bias[0] -100 = 63") != std::string::npos);
    CHECK(text.str().find("output[1, 1, 0] = 63\n") != std::string::npos);
    REQUIRE_THROWS_WITH(explain_conv(conv, x, 2, 0, 0), Catch::Contains("row must be 0..1"));
    REQUIRE_THROWS_WITH(explain_conv(conv, x, 0, 0, 1), Catch::Contains("filter 1"));
}

// Softmax reads every filter at the position: the explanation lists them, their max and the sum, so a learner
// can redo it. A 1x1 kernel on one pixel makes the filters' values chosen by hand: weight f times the input 1.
TEST_CASE("a softmax explanation shows every filter's value, their max and the sum", "[explain]") {
    Conv2D conv(config(3, 1, 1, Padding::valid, 1, ActivationKind::softmax));
    const Shape in = Shape::image(1, 1, 1);
    conv.build({in});
    const float weights[3] = {1.0f, 2.0f, 0.5f};
    for (std::size_t f = 0; f < 3; ++f) {
        conv.mutable_weights()[0].values.data()[f] = weights[f];
        conv.mutable_weights()[1].values(f) = 0.0f;
    }
    Tensor3 x = make_tensor(in);
    x.data()[0] = 1.0f;
    const ConvExplanation e = explain_conv(conv, x, 0, 0, 0);
    REQUIRE(e.softmax_inputs == std::vector<double>{1.0, 2.0, 0.5});
    CHECK(e.softmax_max == 2.0);
    const double sum = std::exp(1.0 - 2.0) + std::exp(0.0) + std::exp(0.5 - 2.0);  // 1.59109...
    CHECK(e.softmax_sum == Approx(sum).epsilon(1e-15));
    CHECK(e.output == Approx(std::exp(-1.0) / sum).epsilon(1e-15));  // 0.231224...
    std::ostringstream text;
    print_explanation(text, e);
    CHECK_THAT(text.str(), Catch::Contains("softmax over the 3 filters") && Catch::Contains("[1], 2, 0.5") &&
                               Catch::Contains("max = 2; sum of exp(value - max) = 1.59") &&
                               Catch::Contains("exp(1 - 2) / 1.59"));
}

TEST_CASE("explained outputs equal an independent PyTorch implementation's (the layer fixtures)", "[explain]") {
    // Configurations written out here; inputs, weights and outputs made by tests/fixtures/make_fixtures.py.
    struct Fixture {
        const char* name;
        Conv2DConfig config;
        double tolerance;
    };
    const Fixture fixtures[] = {
        {"conv2d_k3_s2_same_odd", config(5, 3, 2, Padding::same, 1, ActivationKind::linear), 1e-5},
        {"conv2d_k4x2_s2_same_odd", config(3, {4, 2}, 2, Padding::same, 1, ActivationKind::linear), 1e-5},
        {"conv2d_k3_d2_same", config(4, 3, 1, Padding::same, 2, ActivationKind::linear), 1e-5},
        {"conv2d_k5x3_s1x3_same", config(4, {5, 3}, {1, 3}, Padding::same, 1, ActivationKind::linear), 1e-5},
        {"conv2d_k3_s2_same_cin64", config(33, 3, 2, Padding::same, 1, ActivationKind::linear), 1e-4},
    };
    for (const Fixture& f : fixtures) {
        INFO(f.name);
        const std::string dir = std::string(CONVSCOPE_FIXTURES_DIR) + "/layers/" + f.name + "/";
        const Tensor3 x = load_npy_hwc(dir + "input0.npy");  // (H, W, C)
        const Tensor3 want = load_npy_hwc(dir + "output.npy");
        Conv2D conv(f.config);
        conv.build({shape_of(x)});
        conv.mutable_weights()[0].values = load_npy_kernel(dir + "weight0.npy");
        conv.mutable_weights()[1].values = load_npy_vector(dir + "weight1.npy");
        REQUIRE(conv.output_shape({shape_of(x)}) == shape_of(want));
        double scale = 0.0;
        for (float v : want) scale = std::max(scale, double(std::fabs(v)));
        for (std::size_t r = 0; r < want.shape()[0]; ++r)
            for (std::size_t c = 0; c < want.shape()[1]; ++c)
                for (std::size_t k = 0; k < want.shape()[2]; ++k) {
                    const ConvExplanation e = explain_conv(conv, x, int(r), int(c), int(k));
                    REQUIRE(std::fabs(e.output - want(r, c, k)) <= f.tolerance * scale);
                }
    }
}
