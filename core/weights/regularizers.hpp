#pragma once
// Keras' weight and activity regularizers (tf.keras 2.x): penalties added to the training loss. They do not
// change the forward pass; this is what they would add for the current values.
//
//   l1(l1=0.01)                   l1 * sum(|x|)
//   l2(l2=0.01)                   l2 * sum(x^2)
//   l1_l2(l1=0.01, l2=0.01)       l1 * sum(|x|) + l2 * sum(x^2)
// An activity_regularizer applies to the layer's output; tf.keras divides it by the batch size (1 here).
//
//   parse_regularizer(text)    "l2(0.01)", "l1", "l1_l2(l1=0.001, l2=0.01)", "None"; throws ConfigError
//   keras_argument(r)          "regularizers.l2(0.01)"
//   regularizer_penalty(r, values, n, what)   the penalty and its formula with the numbers filled in

#include <cstddef>
#include <string>

namespace convscope {

struct Regularizer {
    enum class Kind { none, l1, l2, l1_l2 } kind = Kind::none;
    double l1 = 0.0, l2 = 0.0;
    bool active() const { return kind != Kind::none; }
    bool operator==(const Regularizer& o) const { return kind == o.kind && l1 == o.l1 && l2 == o.l2; }
    bool operator!=(const Regularizer& o) const { return !(*this == o); }
};

Regularizer parse_regularizer(const std::string& text);
std::string to_string(const Regularizer& r);       // "l2(0.01)", "None"
std::string keras_argument(const Regularizer& r);  // "regularizers.l2(0.01)"

struct Penalty {
    double sum_abs = 0.0, sum_squares = 0.0;  // over the values, in double
    double value = 0.0;                       // what it adds to the loss
    std::string formula;                      // "0.01 * sum(w^2) = 0.01 * 2.1337 = 0.021337 over 1,728 values"
};
// `symbol` names the values in the formula: "w" (kernel), "b" (bias), "y" (output).
Penalty regularizer_penalty(const Regularizer& r, const float* values, std::size_t n, const std::string& symbol);

}  // namespace convscope
