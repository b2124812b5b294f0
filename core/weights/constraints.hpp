#pragma once
// Keras' weight constraints (tf.keras 2.x): applied to a weight after each training step. They do not change
// the forward pass; this is what they would do to the current values.
//
//   max_norm(max_value=2, axis=0)     w * clip(norm, 0, max) / (1e-7 + norm)
//   non_neg()                         w * (w >= 0)
//   unit_norm(axis=0)                 w / (1e-7 + norm)
//   min_max_norm(min_value=0, max_value=1, rate=1, axis=0)
//                                     w * (rate * clip(norm, min, max) + (1 - rate) * norm) / (1e-7 + norm)
// norm = sqrt(sum of w^2 over `axis`), one per index of the other axes; 1e-7 is Keras' epsilon(). A Conv2D
// kernel is (kh, kw, in, out): Keras' default axis=0 takes norms over the kernel rows only, one per (kw, in,
// out); axis=[0, 1, 2] gives one norm per filter, which is what the Keras documentation recommends for Conv2D.
//
//   parse_constraint(text)       "max_norm(2)", "max_norm(3, axis=[0, 1, 2])", "non_neg", "None"; ConfigError
//   keras_argument(c)            "constraints.max_norm(2, axis=[0, 1, 2])"
//   constraint_effect(c, w)      what it would change in w, with the numbers

#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope {

struct Constraint {
    enum class Kind { none, max_norm, non_neg, unit_norm, min_max_norm } kind = Kind::none;
    double max_value = 2.0, min_value = 0.0, rate = 1.0;
    std::vector<int> axis{0};
    bool active() const { return kind != Kind::none; }
    bool operator==(const Constraint& o) const {
        return kind == o.kind && max_value == o.max_value && min_value == o.min_value && rate == o.rate && axis == o.axis;
    }
    bool operator!=(const Constraint& o) const { return !(*this == o); }
};

Constraint parse_constraint(const std::string& text);
std::string to_string(const Constraint& c);        // "max_norm(2)", "None"
std::string keras_argument(const Constraint& c);   // "constraints.max_norm(2)"

struct ConstraintEffect {
    Constraint constraint;
    int groups = 0;           // norms taken (1 for non_neg: it acts per value)
    int changed = 0;          // groups rescaled (norm constraints) or values set to 0 (non_neg)
    std::int64_t values = 0;  // values in the weight
    double min_norm = 0.0, max_norm = 0.0;  // of the groups before the constraint (norm constraints)
    double max_change = 0.0;  // largest |w' - w|
    WeightArray after;        // the constrained weight
    std::string text;         // what it would do, in words, with the numbers
};
// `name` is "kernel" or "bias" (for the text).
ConstraintEffect constraint_effect(const Constraint& c, const WeightArray& w, const std::string& name);

}  // namespace convscope
