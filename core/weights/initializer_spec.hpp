#pragma once
// Keras' initializers by name, with tf.keras 2.x (Keras 2) definitions and defaults, drawn from a seed.
//
//   glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal
//       = VarianceScaling(scale, mode, distribution):  n = fan_in, fan_out or (fan_in + fan_out) / 2
//         uniform:           U(-limit, limit), limit = sqrt(3 * scale / n)
//         truncated normal:  N(0, stddev^2) cut at +-2 stddev, stddev = sqrt(scale / n) / 0.87962566103423978
//                            (the standard deviation of N(0, 1) cut at +-2, so the variance stays scale / n)
//         glorot: scale 1, fan_avg; he: scale 2, fan_in; lecun: scale 1, fan_in
//   random_uniform(minval=-0.05, maxval=0.05), random_normal(mean=0, stddev=0.05),
//   truncated_normal(mean=0, stddev=0.05) (cut at +-2 stddev, no variance correction), zeros, ones, constant(value=0)
//
// Fans of a weight shape, as Keras computes them: (kh, kw, in, out) -> fan_in = kh*kw*in, fan_out = kh*kw*out;
// (in, out) -> in, out; (n,) -> n, n.
//
//   parse_initializer(text)        "he_normal", "constant(0.1)", "random_normal(0, 0.02)", "random_uniform(minval=-1, maxval=1)"
//   keras_argument(init)           as in a Keras line: "\"he_normal\"" or "initializers.Constant(value=0.1)"
//   initializer_formula(init, shape)   the definition with this shape's numbers filled in
//   draw_initializer(init, shape, random, out)   fills out (size of shape) from the 64-bit generator

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace convscope {

enum class InitializerKind {
    glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal,
    random_uniform, random_normal, truncated_normal, zeros, ones, constant
};

struct Initializer {
    InitializerKind kind = InitializerKind::glorot_uniform;
    // random_uniform: (minval, maxval); random_normal, truncated_normal: (mean, stddev); constant: (value, -)
    double a = 0.0, b = 0.0;
    static Initializer of(InitializerKind kind);  // with Keras' default arguments
    bool operator==(const Initializer& o) const { return kind == o.kind && a == o.a && b == o.b; }
    bool operator!=(const Initializer& o) const { return !(*this == o); }
};

const char* to_string(InitializerKind k);               // "glorot_uniform", ...
const std::vector<InitializerKind>& all_initializers();  // in enum order
Initializer parse_initializer(const std::string& text);  // throws ConfigError naming the text and what is accepted
std::string keras_argument(const Initializer& init);
std::string to_string(const Initializer& init);          // "he_normal", "constant(0.1)", "random_normal(0, 0.02)"

struct Fans {
    double fan_in = 1.0, fan_out = 1.0;
    std::string text;  // "fan_in = 3 * 3 * 3 = 27, fan_out = 3 * 3 * 64 = 576"
};
Fans compute_fans(const std::vector<std::size_t>& shape);

// What a draw is: the distribution with its numbers, as plain text (for the CLI and the GUI).
struct InitializerFormula {
    std::string text;        // e.g. "limit = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (27 + 576)) = 0.09975"
    double low = 0.0, high = 0.0;  // every value lies in [low, high]
    double mean = 0.0, variance = 0.0;  // of the distribution the values are drawn from
};
InitializerFormula initializer_formula(const Initializer& init, const std::vector<std::size_t>& shape);

// 24 random bits -> [0, 1) (portable, unlike std::uniform_real_distribution; the historical glorot_uniform stream).
inline double unit_uniform24(std::mt19937_64& random) { return double(random() >> 40) / 16777216.0; }
void draw_initializer(const Initializer& init, const std::vector<std::size_t>& shape, std::mt19937_64& random,
                      float* out);

}  // namespace convscope
