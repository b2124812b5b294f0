#include "core/weights/constraints.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/errors.hpp"
#include "core/weights/call_syntax.hpp"

namespace convscope {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras' backend.epsilon()

std::string g(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.7g", v);
    return buf;
}

std::string axis_text(const std::vector<int>& axis) {
    if (axis.size() == 1) return std::to_string(axis[0]);
    std::string t = "[";
    for (std::size_t i = 0; i < axis.size(); ++i) t += (i ? ", " : "") + std::to_string(axis[i]);
    return t + "]";
}

}  // namespace

Constraint parse_constraint(const std::string& text) {
    const CallArgs call = parse_call(text);
    Constraint c;
    if (call.name == "None" || call.name == "none" || call.name.empty()) {
        call.allow({});
        return c;
    }
    if (call.name == "max_norm" || call.name == "MaxNorm") {
        call.allow({"max_value", "axis"});
        c.kind = Constraint::Kind::max_norm;
        c.max_value = call.number(0, "max_value", 2.0);
        c.axis = call.int_list(1, "axis", {0});
    } else if (call.name == "non_neg" || call.name == "NonNeg") {
        call.allow({});
        c.kind = Constraint::Kind::non_neg;
    } else if (call.name == "unit_norm" || call.name == "UnitNorm") {
        call.allow({"axis"});
        c.kind = Constraint::Kind::unit_norm;
        c.axis = call.int_list(0, "axis", {0});
    } else if (call.name == "min_max_norm" || call.name == "MinMaxNorm") {
        call.allow({"min_value", "max_value", "rate", "axis"});
        c.kind = Constraint::Kind::min_max_norm;
        c.min_value = call.number(0, "min_value", 0.0);
        c.max_value = call.number(1, "max_value", 1.0);
        c.rate = call.number(2, "rate", 1.0);
        c.axis = call.int_list(3, "axis", {0});
        if (c.min_value > c.max_value)
            throw ConfigError("\"" + call.text + "\": min_value must not exceed max_value");
    } else {
        throw ConfigError("constraint \"" + call.text +
                          "\": expected None, max_norm(max_value, axis), non_neg, unit_norm(axis) or "
                          "min_max_norm(min_value, max_value, rate, axis)");
    }
    if (c.max_value < 0.0 || c.min_value < 0.0)
        throw ConfigError("\"" + call.text + "\": a norm bound cannot be negative");
    if (c.axis.empty()) throw ConfigError("\"" + call.text + "\": axis needs at least one axis");
    return c;
}

std::string to_string(const Constraint& c) {
    const bool default_axis = c.axis == std::vector<int>{0};
    const std::string axis = default_axis ? "" : "axis=" + axis_text(c.axis);
    switch (c.kind) {
        case Constraint::Kind::none: return "None";
        case Constraint::Kind::non_neg: return "non_neg()";
        case Constraint::Kind::max_norm: return "max_norm(" + format_number(c.max_value) + (axis.empty() ? "" : ", " + axis) + ")";
        case Constraint::Kind::unit_norm: return "unit_norm(" + axis + ")";
        case Constraint::Kind::min_max_norm:
            return "min_max_norm(min_value=" + format_number(c.min_value) + ", max_value=" + format_number(c.max_value) +
                   ", rate=" + format_number(c.rate) + (axis.empty() ? "" : ", " + axis) + ")";
    }
    return "None";
}

std::string keras_argument(const Constraint& c) { return c.active() ? "constraints." + to_string(c) : "None"; }

ConstraintEffect constraint_effect(const Constraint& c, const WeightArray& w, const std::string& name) {
    ConstraintEffect e;
    e.constraint = c;
    e.values = std::int64_t(w.size());
    e.after = w;
    const std::size_t rank = w.dimension();
    if (c.kind == Constraint::Kind::none) {
        e.text = "no constraint";
        return e;
    }
    if (c.kind == Constraint::Kind::non_neg) {
        e.groups = 1;
        for (float& v : e.after)
            if (v < 0.0f) {
                e.max_change = std::max(e.max_change, double(-v));
                v = 0.0f;
                ++e.changed;
            }
        e.text = "non_neg would set " + with_thousands(e.changed) + " of " + with_thousands(e.values) + " " + name +
                 " values (the negative ones) to 0, after each training step";
        return e;
    }
    // Norm constraints: one norm per index of the axes not in `axis`.
    std::vector<char> reduced(rank, 0);
    for (int a : c.axis) {
        const int axis = a < 0 ? a + int(rank) : a;
        if (axis < 0 || axis >= int(rank))
            throw ConfigError(to_string(c) + " on the " + name + " " + python_tuple({w.shape().begin(), w.shape().end()}) +
                              ": axis " + std::to_string(a) + " does not exist (rank " + std::to_string(rank) + ")");
        reduced[std::size_t(axis)] = 1;
    }
    std::vector<std::size_t> group_of(w.size());
    std::size_t groups = 1;
    for (std::size_t d = 0; d < rank; ++d)
        if (!reduced[d]) groups *= w.shape()[d];
    for (std::size_t i = 0; i < w.size(); ++i) {
        std::size_t rest = i, group = 0, stride = 1;
        for (std::size_t d = rank; d-- > 0;) {
            const std::size_t coord = rest % w.shape()[d];
            rest /= w.shape()[d];
            if (!reduced[d]) {
                group += coord * stride;
                stride *= w.shape()[d];
            }
        }
        group_of[i] = group;
    }
    std::vector<double> norms(groups, 0.0);
    for (std::size_t i = 0; i < w.size(); ++i) norms[group_of[i]] += double(w.data()[i]) * double(w.data()[i]);
    for (double& n : norms) n = std::sqrt(n);
    e.groups = int(groups);
    e.min_norm = *std::min_element(norms.begin(), norms.end());
    e.max_norm = *std::max_element(norms.begin(), norms.end());
    std::vector<double> factor(groups, 1.0);
    for (std::size_t k = 0; k < groups; ++k) {
        const double n = norms[k];
        double desired = n;
        bool changes = false;
        switch (c.kind) {
            case Constraint::Kind::max_norm:
                desired = std::min(n, c.max_value);
                changes = n > c.max_value;
                break;
            case Constraint::Kind::unit_norm:
                desired = 1.0;
                changes = true;
                break;
            case Constraint::Kind::min_max_norm:
                desired = c.rate * std::clamp(n, c.min_value, c.max_value) + (1.0 - c.rate) * n;
                changes = n < c.min_value || n > c.max_value;
                break;
            default: break;
        }
        factor[k] = desired / (kEpsilon + n);
        e.changed += changes;
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
        const float before = w.data()[i];
        e.after.data()[i] = float(double(before) * factor[group_of[i]]);
        e.max_change = std::max(e.max_change, std::fabs(double(e.after.data()[i]) - double(before)));
    }
    const std::string shape = python_tuple({w.shape().begin(), w.shape().end()});
    std::string t = to_string(c) + " on the " + name + " " + shape + ": " + std::to_string(groups) + " norm" +
                    (groups == 1 ? "" : "s") + " over axis " + axis_text(c.axis) + ", from " + g(e.min_norm) + " to " +
                    g(e.max_norm) + "; ";
    switch (c.kind) {
        case Constraint::Kind::max_norm:
            t += std::to_string(e.changed) + " of them exceed " + g(c.max_value) + " and would be scaled down to it";
            break;
        case Constraint::Kind::unit_norm: t += "every one would be scaled to 1"; break;
        default:
            t += std::to_string(e.changed) + " of them lie outside [" + g(c.min_value) + ", " + g(c.max_value) +
                 "] and would be moved toward it at rate " + g(c.rate);
            break;
    }
    // Keras divides by epsilon + norm, so a norm inside the bounds still shrinks by a factor n / (n + 1e-7): a
    // change in the seventh digit, which "0 of them exceed ... (largest change 1.19e-07)" left unexplained.
    if (e.changed == 0 && c.kind != Constraint::Kind::unit_norm)
        t += " (inside the bounds a value still moves through Keras' epsilon: it is multiplied by norm / (norm + "
             "1e-07), a change of at most " + g(e.max_change) + "), after each training step";
    else
        t += " (largest change of one value: " + g(e.max_change) + "), after each training step";
    if (rank == 4 && c.axis == std::vector<int>{0})
        t += ". Note: Keras' default axis=0 takes norms over the kernel rows only; for one norm per filter use axis=[0, 1, 2]";
    e.text = t;
    return e;
}

}  // namespace convscope
