#include "core/weights/regularizers.hpp"

#include <cmath>
#include <cstdio>

#include "core/errors.hpp"
#include "core/tensor.hpp"
#include "core/weights/call_syntax.hpp"

namespace convscope {

namespace {

std::string g(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.7g", v);
    return buf;
}

void check_factor(const CallArgs& call, double v, const char* name) {
    if (!(v >= 0.0)) throw ConfigError("\"" + call.text + "\": " + name + " must be at least 0");
}

}  // namespace

Regularizer parse_regularizer(const std::string& text) {
    const CallArgs call = parse_call(text);
    Regularizer r;
    if (call.name == "None" || call.name == "none" || call.name.empty()) {
        call.allow({});
        return r;
    }
    if (call.name == "l1" || call.name == "L1") {
        call.allow({"l1", "l"});  // "l" is Keras 2.2's name for the factor
        r.kind = Regularizer::Kind::l1;
        r.l1 = call.number(0, "l1", call.number(std::size_t(-1), "l", 0.01));
    } else if (call.name == "l2" || call.name == "L2") {
        call.allow({"l2", "l"});
        r.kind = Regularizer::Kind::l2;
        r.l2 = call.number(0, "l2", call.number(std::size_t(-1), "l", 0.01));
    } else if (call.name == "l1_l2" || call.name == "L1L2") {
        call.allow({"l1", "l2"});
        r.kind = Regularizer::Kind::l1_l2;
        r.l1 = call.number(0, "l1", 0.01);
        r.l2 = call.number(1, "l2", 0.01);
    } else {
        throw ConfigError("regularizer \"" + call.text + "\": expected None, l1(factor), l2(factor) or l1_l2(l1, l2)");
    }
    check_factor(call, r.l1, "l1");
    check_factor(call, r.l2, "l2");
    return r;
}

std::string to_string(const Regularizer& r) {
    switch (r.kind) {
        case Regularizer::Kind::none: return "None";
        case Regularizer::Kind::l1: return "l1(" + format_number(r.l1) + ")";
        case Regularizer::Kind::l2: return "l2(" + format_number(r.l2) + ")";
        case Regularizer::Kind::l1_l2: return "l1_l2(l1=" + format_number(r.l1) + ", l2=" + format_number(r.l2) + ")";
    }
    return "None";
}

std::string keras_argument(const Regularizer& r) { return r.active() ? "regularizers." + to_string(r) : "None"; }

Penalty regularizer_penalty(const Regularizer& r, const float* v, std::size_t n, const std::string& x) {
    Penalty p;
    for (std::size_t i = 0; i < n; ++i) {
        p.sum_abs += std::fabs(double(v[i]));
        p.sum_squares += double(v[i]) * double(v[i]);
    }
    const std::string over = " over " + with_thousands(std::int64_t(n)) + " values";
    switch (r.kind) {
        case Regularizer::Kind::none: p.formula = "no regularizer"; break;
        case Regularizer::Kind::l1:
            p.value = r.l1 * p.sum_abs;
            p.formula = g(r.l1) + " * sum(|" + x + "|) = " + g(r.l1) + " * " + g(p.sum_abs) + " = " + g(p.value) + over;
            break;
        case Regularizer::Kind::l2:
            p.value = r.l2 * p.sum_squares;
            p.formula =
                g(r.l2) + " * sum(" + x + "^2) = " + g(r.l2) + " * " + g(p.sum_squares) + " = " + g(p.value) + over;
            break;
        case Regularizer::Kind::l1_l2:
            p.value = r.l1 * p.sum_abs + r.l2 * p.sum_squares;
            p.formula = g(r.l1) + " * sum(|" + x + "|) + " + g(r.l2) + " * sum(" + x + "^2) = " + g(r.l1) + " * " +
                        g(p.sum_abs) + " + " + g(r.l2) + " * " + g(p.sum_squares) + " = " + g(p.value) + over;
            break;
    }
    return p;
}

}  // namespace convscope
