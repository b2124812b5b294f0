// Every argument of Keras' Conv2D signature beyond the geometry: initializers (formulas and the statistics of
// large drawn kernels against Keras' definitions), regularizer penalties, constraint effects, activations
// (against tf.keras 2.x definitions, in the reference and the fast path), data_format, and the Keras line.

#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/layers/conv2d.hpp"
#include "core/weights/initializers.hpp"

using namespace convscope;
using Catch::Contains;

namespace {

struct Stats {
    double mean = 0.0, variance = 0.0, low = 1e300, high = -1e300;
};

Stats stats(const std::vector<float>& v) {
    Stats s;
    for (float x : v) {
        s.mean += x;
        s.low = std::min(s.low, double(x));
        s.high = std::max(s.high, double(x));
    }
    s.mean /= double(v.size());
    for (float x : v) s.variance += (x - s.mean) * (x - s.mean);
    s.variance /= double(v.size());
    return s;
}

std::vector<float> draw(const std::string& spec, const std::vector<std::size_t>& shape, std::uint64_t seed = 3) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    std::vector<float> v(n);
    std::mt19937_64 random(seed);
    draw_initializer(parse_initializer(spec), shape, random, v.data());
    return v;
}

}  // namespace

TEST_CASE("initializer formulas with the layer's numbers, as Keras defines them", "[initializers]") {
    // Conv2D(64, 3x3) on 3 channels: kernel (3, 3, 3, 64), fan_in = 27, fan_out = 576 (Keras multiplies both
    // by the receptive field kh * kw).
    const std::vector<std::size_t> k{3, 3, 3, 64};
    const InitializerFormula glorot = initializer_formula(parse_initializer("glorot_uniform"), k);
    CHECK(glorot.high == Approx(std::sqrt(6.0 / (27 + 576))));
    CHECK_THAT(glorot.text, Contains("sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (27 + 576)) = 0.09975"));
    CHECK_THAT(glorot.text, Contains("fan_in = 3 * 3 * 3 = 27, fan_out = 3 * 3 * 64 = 576"));
    const InitializerFormula he = initializer_formula(parse_initializer("he_normal"), k);
    CHECK(he.high == Approx(2.0 * std::sqrt(2.0 / 27) / 0.87962566103423978));
    CHECK_THAT(he.text, Contains("sqrt(2 / fan_in) / 0.87962566103423978 = sqrt(2 / 27)"));
    CHECK(initializer_formula(parse_initializer("lecun_uniform"), k).high == Approx(std::sqrt(3.0 / 27)));
    CHECK(initializer_formula(parse_initializer("he_uniform"), k).high == Approx(std::sqrt(6.0 / 27)));
    CHECK(initializer_formula(parse_initializer("glorot_normal"), k).variance == Approx(2.0 / (27 + 576)));
    CHECK(initializer_formula(parse_initializer("lecun_normal"), k).variance == Approx(1.0 / 27));
    // A vector (a bias): fan_in = fan_out = its length.
    CHECK(initializer_formula(parse_initializer("he_uniform"), {64}).high == Approx(std::sqrt(6.0 / 64)));
}

TEST_CASE("drawn kernels have Keras' bounds, mean and variance", "[initializers]") {
    const std::vector<std::size_t> shape{3, 3, 128, 256};  // 294,912 values; fan_in 1152, fan_out 2304
    const double fan_in = 1152, fan_out = 2304;
    const double n = 3 * 3 * 128 * 256;
    struct Expect {
        const char* spec;
        double low, high, mean, variance;
    };
    // Variances: U(-a, a) has a^2 / 3; VarianceScaling's truncated normal has scale / n exactly (that is what
    // the 0.8796 correction is for); Keras' TruncatedNormal has stddev^2 * 0.7737413 (N(0,1) cut at +-2).
    const double he_std = std::sqrt(2.0 / fan_in) / 0.87962566103423978;
    const double glorot_std = std::sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978;
    const double lecun_std = std::sqrt(1.0 / fan_in) / 0.87962566103423978;
    const Expect cases[] = {
        {"glorot_uniform", -std::sqrt(6 / (fan_in + fan_out)), std::sqrt(6 / (fan_in + fan_out)), 0, 2 / (fan_in + fan_out)},
        {"he_uniform", -std::sqrt(6 / fan_in), std::sqrt(6 / fan_in), 0, 2 / fan_in},
        {"lecun_uniform", -std::sqrt(3 / fan_in), std::sqrt(3 / fan_in), 0, 1 / fan_in},
        {"glorot_normal", -2 * glorot_std, 2 * glorot_std, 0, 2 / (fan_in + fan_out)},
        {"he_normal", -2 * he_std, 2 * he_std, 0, 2 / fan_in},
        {"lecun_normal", -2 * lecun_std, 2 * lecun_std, 0, 1 / fan_in},
        {"random_uniform", -0.05, 0.05, 0, 0.1 * 0.1 / 12},
        {"random_uniform(-1, 3)", -1, 3, 1, 16.0 / 12},
        {"random_normal(0.5, 0.2)", -HUGE_VAL, HUGE_VAL, 0.5, 0.04},
        {"truncated_normal", -0.1, 0.1, 0, 0.05 * 0.05 * 0.7737413},
        {"truncated_normal(mean=1, stddev=0.1)", 0.8, 1.2, 1, 0.01 * 0.7737413},
    };
    for (const Expect& e : cases) {
        INFO(e.spec);
        const Stats s = stats(draw(e.spec, shape));
        CHECK(s.low >= e.low * (1 + 1e-6) - 1e-12);  // float rounding of the bound itself
        CHECK(s.high <= e.high * (1 + 1e-6) + 1e-12);
        const double sd = std::sqrt(e.variance);
        CHECK(std::fabs(s.mean - e.mean) < 5 * sd / std::sqrt(n));  // 5 standard errors
        CHECK(s.variance == Approx(e.variance).epsilon(0.01));
        if (std::isfinite(e.high)) CHECK(s.high > e.high - 0.05 * (e.high - e.low));  // the range is used
    }
    // Truncation: nothing beyond 2 standard deviations, and plenty between 1.9 and 2 (a cut, not a taper).
    const std::vector<float> t = draw("truncated_normal(0, 1)", shape);
    int tail = 0;
    for (float v : t) tail += std::fabs(v) > 1.9f;
    CHECK(tail > 0.005 * n);
    CHECK(stats(t).high <= 2.0);
    for (const char* constant : {"zeros", "ones", "constant(0.25)"}) {
        const Stats s = stats(draw(constant, {4, 5}));
        CHECK(s.low == s.high);
    }
    CHECK(stats(draw("constant(0.25)", {7})).mean == 0.25);
}

TEST_CASE("the same seed draws the same kernel, and the default Conv2D kernel is unchanged glorot_uniform", "[initializers]") {
    CHECK(draw("he_normal", {3, 3, 8, 8}, 11) == draw("he_normal", {3, 3, 8, 8}, 11));
    CHECK(draw("he_normal", {3, 3, 8, 8}, 11) != draw("he_normal", {3, 3, 8, 8}, 12));
    Conv2DConfig c;
    c.filters = 8;
    Conv2D a(c);
    a.build({Shape::image(5, 5, 4)});
    initialize_layer(a, 5, "node");
    // The historical stream: 24 random bits per value, (2u - 1) * sqrt(6 / (fan_in + fan_out)).
    std::mt19937_64 random(5 ^ 0x8e4c9214dbeb7353ull);  // seed ^ FNV-1a("node")
    const double limit = std::sqrt(6.0 / (36 + 72));
    const float first = float((double(random() >> 40) / 16777216.0 * 2.0 - 1.0) * limit);
    CHECK(a.weights()[0].values.data()[0] == first);
    CHECK(a.weights()[1].values(0) == 0.0f);
    c.kernel_initializer = parse_initializer("ones");
    c.bias_initializer = parse_initializer("constant(0.1)");
    Conv2D b(c);
    b.build({Shape::image(5, 5, 4)});
    initialize_layer(b, 5, "node");
    CHECK(b.weights()[0].values.data()[17] == 1.0f);
    CHECK(b.weights()[1].values(3) == 0.1f);
}

TEST_CASE("initializer, regularizer and constraint texts are checked", "[initializers][regularizers]") {
    CHECK_THROWS_WITH(parse_initializer("he_gaussian"), Contains("expected glorot_uniform"));
    CHECK_THROWS_WITH(parse_initializer("random_uniform(1, -1)"), Contains("minval must be less than maxval"));
    CHECK_THROWS_WITH(parse_initializer("constant(v=2)"), Contains("no argument \"v\""));
    CHECK_THROWS_WITH(parse_regularizer("l3(0.1)"), Contains("expected None, l1"));
    CHECK_THROWS_WITH(parse_regularizer("l2(-1)"), Contains("at least 0"));
    CHECK_THROWS_WITH(parse_regularizer("l2(abc)"), Contains("\"abc\" is not a number"));
    CHECK_THROWS_WITH(parse_constraint("max_norm(2, axis=[0, 1"), Contains("closing parenthesis"));
    CHECK(parse_regularizer("l2").l2 == 0.01);  // Keras' default factor
    CHECK(parse_regularizer("l1_l2(l2=0.5)").l1 == 0.01);
    CHECK(parse_constraint("max_norm(3, axis=[0, 1, 2])").axis == std::vector<int>{0, 1, 2});
    CHECK(parse_constraint("min_max_norm(0.5, 1.5)").max_value == 1.5);
}

TEST_CASE("regularizer penalties, recomputed by hand", "[regularizers]") {
    const float w[] = {0.5f, -1.0f, 2.0f, -0.25f};  // sum |w| = 3.75, sum w^2 = 5.3125
    CHECK(regularizer_penalty(parse_regularizer("l1(0.1)"), w, 4, "w").value == Approx(0.375));
    const Penalty l2 = regularizer_penalty(parse_regularizer("l2(0.01)"), w, 4, "w");
    CHECK(l2.value == Approx(0.053125));
    CHECK(l2.formula == "0.01 * sum(w^2) = 0.01 * 5.3125 = 0.053125 over 4 values");
    CHECK(regularizer_penalty(parse_regularizer("l1_l2(l1=0.1, l2=0.01)"), w, 4, "w").value == Approx(0.428125));
}

TEST_CASE("constraints: what they would change, against Keras' formulas", "[constraints]") {
    // A (2, 1, 1, 3) kernel: with axis=[0, 1, 2] one norm per filter; with axis 0 also (the other axes are 1 wide).
    WeightArray k = xt::zeros<float>(std::vector<std::size_t>{2, 1, 1, 3});
    const float values[] = {3, 0.6f, -1, 4, 0.8f, 0};  // filters: (3, 4) norm 5; (0.6, 0.8) norm 1; (-1, 0) norm 1
    std::copy(values, values + 6, k.data());
    const ConstraintEffect m = constraint_effect(parse_constraint("max_norm(2, axis=[0, 1, 2])"), k, "kernel");
    CHECK(m.groups == 3);
    CHECK(m.changed == 1);
    CHECK(m.max_norm == Approx(5.0));
    CHECK(m.after(0, 0, 0, 0) == Approx(3 * 2 / (5 + 1e-7)));  // w * 2 / (epsilon + 5)
    CHECK(m.after(1, 0, 0, 0) == Approx(4 * 2 / (5 + 1e-7)));
    CHECK(m.after(0, 0, 0, 1) == Approx(0.6 * 1 / (1 + 1e-7)));  // within the bound: (almost) unchanged
    const ConstraintEffect n = constraint_effect(parse_constraint("non_neg"), k, "kernel");
    CHECK(n.changed == 1);
    CHECK(n.after(0, 0, 0, 2) == 0.0f);
    CHECK_THAT(n.text, Contains("set 1 of 6 kernel values"));
    const ConstraintEffect u = constraint_effect(parse_constraint("unit_norm(axis=[0, 1, 2])"), k, "kernel");
    CHECK(u.after(0, 0, 0, 0) == Approx(0.6));
    const ConstraintEffect mm = constraint_effect(parse_constraint("min_max_norm(1.5, 3, rate=0.5, axis=[0, 1, 2])"), k, "kernel");
    CHECK(mm.changed == 3);  // 5 > 3, 1 < 1.5, 1 < 1.5
    CHECK(mm.after(0, 0, 0, 0) == Approx(3 * (0.5 * 3 + 0.5 * 5) / (5 + 1e-7)));
    CHECK(mm.after(0, 0, 0, 1) == Approx(0.6 * (0.5 * 1.5 + 0.5 * 1) / (1 + 1e-7)));
    // Keras' default axis=0 on a Conv2D kernel: norms over the kernel rows only, one per (kw, in, out).
    WeightArray big = xt::ones<float>(std::vector<std::size_t>{3, 3, 4, 5});
    const ConstraintEffect d = constraint_effect(parse_constraint("max_norm(1)"), big, "kernel");
    CHECK(d.groups == 3 * 4 * 5);
    CHECK(d.max_norm == Approx(std::sqrt(3.0)));
    CHECK_THAT(d.text, Contains("axis=[0, 1, 2]"));
    CHECK(constraint_effect(parse_constraint("max_norm(1, axis=[0, 1, 2])"), big, "kernel").groups == 5);
    // No norm over the bound: the only change is Keras' epsilon in the division, and the text says so.
    const ConstraintEffect none = constraint_effect(parse_constraint("max_norm(10, axis=[0, 1, 2])"), k, "kernel");
    CHECK(none.changed == 0);
    CHECK(none.max_change > 0.0);
    CHECK(none.max_change < 1e-6);
    CHECK_THAT(none.text, Contains("0 of them exceed 10") && Contains("inside the bounds a value still moves through Keras' epsilon"));
    CHECK_THAT(m.text, Contains("(largest change of one value: "));
    CHECK_THROWS_WITH(constraint_effect(parse_constraint("unit_norm(axis=4)"), big, "kernel"), Contains("axis 4 does not exist"));
}

TEST_CASE("activations match tf.keras 2.x definitions in the reference and the fast path", "[activations]") {
    // The definitions, written out independently of the engine (tf.keras 2.4-2.15).
    auto keras = [](ActivationKind a, double x) -> double {
        const double sigmoid = 1 / (1 + std::exp(-x));
        switch (a) {
            case ActivationKind::linear: return x;
            case ActivationKind::relu: return x > 0 ? x : 0;
            case ActivationKind::sigmoid: return sigmoid;
            case ActivationKind::tanh: return std::tanh(x);
            case ActivationKind::elu: return x > 0 ? x : std::exp(x) - 1;
            case ActivationKind::selu: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (std::exp(x) - 1));
            case ActivationKind::softplus: return std::log(std::exp(x) + 1);
            case ActivationKind::softsign: return x / (std::fabs(x) + 1);
            case ActivationKind::swish: return x * sigmoid;
            case ActivationKind::gelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
            case ActivationKind::hard_sigmoid: return x < -2.5 ? 0 : x > 2.5 ? 1 : 0.2 * x + 0.5;
            case ActivationKind::exponential: return std::exp(x);
            default: return NAN;
        }
    };
    CHECK(all_activations().size() == 13);
    Conv2DConfig c;
    c.filters = 4;
    c.kernel_size = {2, 3};
    c.padding = Padding::same;
    const Shape in = Shape::image(9, 7, 3);
    Tensor3 x = make_tensor(in);  // (H, W, C)
    std::mt19937 rng(8);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    for (float& v : x) v = dist(rng);
    ThreadPool pool(2);
    for (ActivationKind a : all_activations()) {
        INFO(to_string(a));
        CHECK(parse_activation(to_string(a)) == a);
        c.activation = a;
        Conv2D conv(c);
        conv.build({in});
        initialize_layer(conv, 1, "c");
        conv.mutable_weights()[1].values.fill(0.3f);
        Conv2DConfig linear = c;
        linear.activation = ActivationKind::linear;
        Conv2D plain(linear);
        plain.mutable_weights() = conv.weights();
        const Shape out = conv.output_shape({in});
        Tensor3 pre = make_tensor(out), ref = make_tensor(out), fast = make_tensor(out);
        plain.forward({&x}, pre, Context{nullptr, nullptr, Kernels::reference});
        conv.forward({&x}, ref, Context{nullptr, nullptr, Kernels::reference});
        conv.forward({&x}, fast, Context{&pool, nullptr, Kernels::fast});
        for (std::size_t i = 0; i < pre.size(); ++i) {
            double want;
            if (a == ActivationKind::softmax) {
                const std::size_t p = i / 4;
                double sum = 0;
                for (std::size_t f = 0; f < 4; ++f) sum += std::exp(double(pre.data()[p * 4 + f]));
                want = std::exp(double(pre.data()[i])) / sum;
            } else {
                want = keras(a, pre.data()[i]);
            }
            REQUIRE(std::fabs(ref.data()[i] - want) <= 1e-6 * std::max(1.0, std::fabs(want)));
            REQUIRE(std::fabs(fast.data()[i] - want) <= 1e-5 * std::max(1.0, std::fabs(want)));
        }
    }
    CHECK(parse_activation("silu") == ActivationKind::swish);
    CHECK_THROWS_WITH(parse_activation("leaky_relu"), Contains("\"hard_sigmoid\""));
    CHECK(activate(ActivationKind::hard_sigmoid, 1.0) == Approx(0.7));  // Keras 3 would give 4 / 6
    CHECK(activate(ActivationKind::gelu, 1.0) == Approx(0.8413447460685429));  // exact, not the tanh form
}

TEST_CASE("data_format changes how shapes are written, and the Keras line lists every non-default argument",
          "[data_format]") {
    const Shape s = Shape::image(300, 299, 64);
    CHECK(keras_shape(s, DataFormat::channels_first) == "(None, 64, 300, 299)");
    CHECK(keras_shape(s, DataFormat::channels_last) == "(None, 300, 299, 64)");
    CHECK_THROWS_WITH(parse_data_format("channels_middle"), Contains("\"channels_last\" or \"channels_first\""));
    Conv2DConfig c;
    CHECK(Conv2D(c).keras_line() == "Conv2D(64, (3, 3))");
    c.data_format = DataFormat::channels_first;
    c.activation = ActivationKind::gelu;
    c.use_bias = false;
    c.kernel_initializer = parse_initializer("he_normal");
    c.bias_initializer = parse_initializer("constant(0.1)");
    c.kernel_regularizer = parse_regularizer("l2(0.01)");
    c.bias_regularizer = parse_regularizer("l1");
    c.activity_regularizer = parse_regularizer("l1_l2(0.001, 0.002)");
    c.kernel_constraint = parse_constraint("max_norm(2, axis=[0, 1, 2])");
    c.bias_constraint = parse_constraint("non_neg");
    CHECK(Conv2D(c).keras_line() ==
          "Conv2D(64, (3, 3), data_format=\"channels_first\", activation=\"gelu\", use_bias=False, "
          "kernel_initializer=\"he_normal\", bias_initializer=initializers.Constant(value=0.1), "
          "kernel_regularizer=regularizers.l2(0.01), bias_regularizer=regularizers.l1(0.01), "
          "activity_regularizer=regularizers.l1_l2(l1=0.001, l2=0.002), "
          "kernel_constraint=constraints.max_norm(2, axis=[0, 1, 2]), bias_constraint=constraints.non_neg())");
}
