#include "core/weights/initializer_spec.hpp"

#include <cmath>

#include "core/errors.hpp"
#include "core/tensor.hpp"
#include "core/weights/call_syntax.hpp"

namespace convscope {

namespace {

// The standard deviation of N(0, 1) cut at +-2: what tf.keras' VarianceScaling divides by.
constexpr double kTruncatedStd = 0.87962566103423978;

struct Names {
    InitializerKind kind;
    const char* name;   // Keras' string identifier
    const char* klass;  // Keras' class, for arguments that need one
};
const Names kNames[] = {
    {InitializerKind::glorot_uniform, "glorot_uniform", "GlorotUniform"},
    {InitializerKind::glorot_normal, "glorot_normal", "GlorotNormal"},
    {InitializerKind::he_uniform, "he_uniform", "HeUniform"},
    {InitializerKind::he_normal, "he_normal", "HeNormal"},
    {InitializerKind::lecun_uniform, "lecun_uniform", "LecunUniform"},
    {InitializerKind::lecun_normal, "lecun_normal", "LecunNormal"},
    {InitializerKind::random_uniform, "random_uniform", "RandomUniform"},
    {InitializerKind::random_normal, "random_normal", "RandomNormal"},
    {InitializerKind::truncated_normal, "truncated_normal", "TruncatedNormal"},
    {InitializerKind::zeros, "zeros", "Zeros"},
    {InitializerKind::ones, "ones", "Ones"},
    {InitializerKind::constant, "constant", "Constant"},
};

struct Scaling {
    double scale;
    enum { fan_in, fan_avg } mode;
    bool uniform;
};

bool variance_scaling(InitializerKind k, Scaling& s) {
    switch (k) {
        case InitializerKind::glorot_uniform: s = {1.0, Scaling::fan_avg, true}; return true;
        case InitializerKind::glorot_normal: s = {1.0, Scaling::fan_avg, false}; return true;
        case InitializerKind::he_uniform: s = {2.0, Scaling::fan_in, true}; return true;
        case InitializerKind::he_normal: s = {2.0, Scaling::fan_in, false}; return true;
        case InitializerKind::lecun_uniform: s = {1.0, Scaling::fan_in, true}; return true;
        case InitializerKind::lecun_normal: s = {1.0, Scaling::fan_in, false}; return true;
        default: return false;
    }
}

std::string g(double v) {  // numbers in formulas: 7 significant digits
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.7g", v);
    return buf;
}

std::string product_text(const std::vector<std::size_t>& shape, std::size_t last) {
    std::string t;
    for (std::size_t i = 0; i + 2 < shape.size(); ++i) t += std::to_string(shape[i]) + " * ";
    return t + std::to_string(shape[last]);
}

// N(0, 1) by Box-Muller from two 53-bit uniforms: portable across standard libraries, unlike
// std::normal_distribution.
double standard_normal(std::mt19937_64& random) {
    const double u1 = (double(random() >> 11) + 1.0) / 9007199254740993.0;  // (0, 1]
    const double u2 = double(random() >> 11) / 9007199254740992.0;          // [0, 1)
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

double truncated_standard_normal(std::mt19937_64& random) {
    for (;;) {  // as TensorFlow: values beyond 2 standard deviations are drawn again
        const double z = standard_normal(random);
        if (std::fabs(z) <= 2.0) return z;
    }
}

}  // namespace

Initializer Initializer::of(InitializerKind kind) {
    Initializer i;
    i.kind = kind;
    if (kind == InitializerKind::random_uniform) i.a = -0.05, i.b = 0.05;
    if (kind == InitializerKind::random_normal || kind == InitializerKind::truncated_normal) i.a = 0.0, i.b = 0.05;
    return i;
}

const char* to_string(InitializerKind k) {
    for (const Names& n : kNames)
        if (n.kind == k) return n.name;
    return "glorot_uniform";
}

const std::vector<InitializerKind>& all_initializers() {
    static const std::vector<InitializerKind> kinds = [] {
        std::vector<InitializerKind> v;
        for (const Names& n : kNames) v.push_back(n.kind);
        return v;
    }();
    return kinds;
}

Initializer parse_initializer(const std::string& text) {
    const CallArgs call = parse_call(text);
    for (const Names& n : kNames) {
        if (call.name != n.name && call.name != n.klass) continue;
        Initializer init = Initializer::of(n.kind);
        switch (n.kind) {
            case InitializerKind::random_uniform:
                call.allow({"minval", "maxval"});
                init.a = call.number(0, "minval", init.a);
                init.b = call.number(1, "maxval", init.b);
                if (!(init.a < init.b))
                    throw ConfigError("\"" + call.text + "\": minval must be less than maxval");
                break;
            case InitializerKind::random_normal:
            case InitializerKind::truncated_normal:
                call.allow({"mean", "stddev"});
                init.a = call.number(0, "mean", init.a);
                init.b = call.number(1, "stddev", init.b);
                if (!(init.b >= 0.0)) throw ConfigError("\"" + call.text + "\": stddev cannot be negative");
                break;
            case InitializerKind::constant:
                call.allow({"value"});
                init.a = call.number(0, "value", 0.0);
                break;
            default:
                call.allow({});
        }
        return init;
    }
    std::vector<std::string> names;
    for (const Names& n : kNames) names.push_back(n.name);
    throw ConfigError("initializer \"" + call.text + "\": expected " + or_list(names) +
                      " (random_uniform(minval, maxval), random_normal(mean, stddev), truncated_normal(mean, stddev), "
                      "constant(value))");
}

std::string to_string(const Initializer& init) {
    const std::string name = to_string(init.kind);
    switch (init.kind) {
        case InitializerKind::random_uniform:
        case InitializerKind::random_normal:
        case InitializerKind::truncated_normal:
            return name + "(" + format_number(init.a) + ", " + format_number(init.b) + ")";
        case InitializerKind::constant: return name + "(" + format_number(init.a) + ")";
        default: return name;
    }
}

std::string keras_argument(const Initializer& init) {
    const Initializer defaults = Initializer::of(init.kind);
    std::string klass;
    for (const Names& n : kNames)
        if (n.kind == init.kind) klass = n.klass;
    switch (init.kind) {
        case InitializerKind::random_uniform:
            if (init == defaults) break;
            return "initializers.RandomUniform(minval=" + format_number(init.a) + ", maxval=" + format_number(init.b) + ")";
        case InitializerKind::random_normal:
        case InitializerKind::truncated_normal:
            if (init == defaults) break;
            return "initializers." + klass + "(mean=" + format_number(init.a) + ", stddev=" + format_number(init.b) + ")";
        case InitializerKind::constant:
            if (init.a == 0.0) break;
            return "initializers.Constant(value=" + format_number(init.a) + ")";
        default: break;
    }
    return std::string("\"") + to_string(init.kind) + "\"";
}

Fans compute_fans(const std::vector<std::size_t>& s) {
    Fans f;
    if (s.empty()) {
        f.text = "fan_in = fan_out = 1 (a scalar)";
        return f;
    }
    if (s.size() == 1) {
        f.fan_in = f.fan_out = double(s[0]);
        f.text = "fan_in = fan_out = " + std::to_string(s[0]) + " (a vector)";
        return f;
    }
    double receptive = 1.0;
    for (std::size_t i = 0; i + 2 < s.size(); ++i) receptive *= double(s[i]);
    f.fan_in = receptive * double(s[s.size() - 2]);
    f.fan_out = receptive * double(s[s.size() - 1]);
    f.text = "fan_in = " + product_text(s, s.size() - 2) + " = " + g(f.fan_in) + ", fan_out = " +
             product_text(s, s.size() - 1) + " = " + g(f.fan_out);
    return f;
}

InitializerFormula initializer_formula(const Initializer& init, const std::vector<std::size_t>& shape) {
    InitializerFormula r;
    Scaling s{};
    if (variance_scaling(init.kind, s)) {
        const Fans f = compute_fans(shape);
        const double n = s.mode == Scaling::fan_avg ? (f.fan_in + f.fan_out) / 2.0 : f.fan_in;
        const double scale = s.scale / std::max(1.0, n);
        // Keras' scale / n written over the formula's denominator: fan_avg's n is (fan_in + fan_out) / 2.
        const double numerator = s.scale * (s.mode == Scaling::fan_avg ? 2.0 : 1.0);
        const std::string num = g(numerator);
        const std::string den = s.mode == Scaling::fan_avg ? "(fan_in + fan_out)" : "fan_in";
        const std::string den_v =
            s.mode == Scaling::fan_avg ? "(" + g(f.fan_in) + " + " + g(f.fan_out) + ")" : g(f.fan_in);
        const std::string name = to_string(init.kind);
        const std::string vs = "VarianceScaling(scale=" + g(s.scale) + ", mode=\"" +
                               (s.mode == Scaling::fan_avg ? "fan_avg" : "fan_in") + "\", distribution=\"" +
                               (s.uniform ? "uniform" : "truncated_normal") + "\")";
        if (s.uniform) {
            const double limit = std::sqrt(3.0 * scale);
            r.text = name + " = " + vs + ": W ~ U(-limit, limit), limit = sqrt(" + g(3.0 * numerator) + " / " + den +
                     ") = sqrt(" + g(3.0 * numerator) + " / " + den_v + ") = " + g(limit) + "; " + f.text;
            r.low = -limit;
            r.high = limit;
            r.variance = limit * limit / 3.0;
        } else {
            const double stddev = std::sqrt(scale) / kTruncatedStd;
            r.text = name + " = " + vs + ": W ~ N(0, stddev^2) cut at +-2 stddev, stddev = sqrt(" + num + " / " + den +
                     ") / 0.87962566103423978 = sqrt(" + num + " / " + den_v + ") / 0.87962566103423978 = " + g(stddev) +
                     " (the divisor is the standard deviation of N(0, 1) cut at +-2, so Var(W) = " + num + " / " + den +
                     " = " + g(scale) + "); " + f.text;
            r.low = -2.0 * stddev;
            r.high = 2.0 * stddev;
            r.variance = scale;
        }
        return r;
    }
    switch (init.kind) {
        case InitializerKind::random_uniform:
            r.text = "random_uniform: W ~ U(" + g(init.a) + ", " + g(init.b) + ")";
            r.low = init.a;
            r.high = init.b;
            r.mean = (init.a + init.b) / 2;
            r.variance = (init.b - init.a) * (init.b - init.a) / 12.0;
            break;
        case InitializerKind::random_normal:
            r.text = "random_normal: W ~ N(" + g(init.a) + ", " + g(init.b) + "^2)";
            r.low = -INFINITY;
            r.high = INFINITY;
            r.mean = init.a;
            r.variance = init.b * init.b;
            break;
        case InitializerKind::truncated_normal:
            r.text = "truncated_normal: W ~ N(" + g(init.a) + ", " + g(init.b) + "^2) cut at mean +- 2 stddev = [" +
                     g(init.a - 2 * init.b) + ", " + g(init.a + 2 * init.b) + "], no variance correction (Var(W) = " +
                     g(init.b) + "^2 * 0.7737413 = " + g(init.b * init.b * kTruncatedStd * kTruncatedStd) + ")";
            r.low = init.a - 2 * init.b;
            r.high = init.a + 2 * init.b;
            r.mean = init.a;
            r.variance = init.b * init.b * kTruncatedStd * kTruncatedStd;
            break;
        case InitializerKind::zeros: r.text = "zeros: W = 0"; break;
        case InitializerKind::ones:
            r.text = "ones: W = 1";
            r.low = r.high = r.mean = 1.0;
            break;
        case InitializerKind::constant:
            r.text = "constant: W = " + g(init.a);
            r.low = r.high = r.mean = init.a;
            break;
        default: break;
    }
    return r;
}

void draw_initializer(const Initializer& init, const std::vector<std::size_t>& shape, std::mt19937_64& random,
                      float* out) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    Scaling s{};
    if (variance_scaling(init.kind, s)) {
        const Fans f = compute_fans(shape);
        const double fans = s.mode == Scaling::fan_avg ? (f.fan_in + f.fan_out) / 2.0 : f.fan_in;
        const double scale = s.scale / std::max(1.0, fans);
        if (s.uniform) {
            // Written as sqrt(6 / (fan_in + fan_out)) for Glorot, so the default kernels stay what they were.
            const double limit = s.mode == Scaling::fan_avg && fans >= 1.0
                                     ? std::sqrt(3.0 * s.scale * 2.0 / (f.fan_in + f.fan_out))
                                     : std::sqrt(3.0 * scale);
            for (std::size_t i = 0; i < n; ++i) out[i] = float((unit_uniform24(random) * 2.0 - 1.0) * limit);
        } else {
            const double stddev = std::sqrt(scale) / kTruncatedStd;
            for (std::size_t i = 0; i < n; ++i) out[i] = float(truncated_standard_normal(random) * stddev);
        }
        return;
    }
    switch (init.kind) {
        case InitializerKind::random_uniform:
            for (std::size_t i = 0; i < n; ++i) out[i] = float(init.a + unit_uniform24(random) * (init.b - init.a));
            return;
        case InitializerKind::random_normal:
            for (std::size_t i = 0; i < n; ++i) out[i] = float(init.a + init.b * standard_normal(random));
            return;
        case InitializerKind::truncated_normal:
            for (std::size_t i = 0; i < n; ++i) out[i] = float(init.a + init.b * truncated_standard_normal(random));
            return;
        case InitializerKind::ones:
            for (std::size_t i = 0; i < n; ++i) out[i] = 1.0f;
            return;
        case InitializerKind::constant:
            for (std::size_t i = 0; i < n; ++i) out[i] = float(init.a);
            return;
        default:
            for (std::size_t i = 0; i < n; ++i) out[i] = 0.0f;
            return;
    }
}

}  // namespace convscope
