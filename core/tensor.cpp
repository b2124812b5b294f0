#include "core/tensor.hpp"

namespace convscope {

std::string to_string(IntPair p) {
    return "(" + std::to_string(p.rows) + ", " + std::to_string(p.cols) + ")";
}

std::string keras_shape(const Shape& s) {
    if (s.flat) return "(None, " + std::to_string(s.c) + ")";
    return "(None, " + std::to_string(s.h) + ", " + std::to_string(s.w) + ", " + std::to_string(s.c) + ")";
}

std::string plain_shape(const Shape& s) {
    if (s.flat) return "(" + std::to_string(s.c) + ",)";
    return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ", " + std::to_string(s.c) + ")";
}

std::string python_tuple(const std::vector<std::size_t>& dims) {
    std::string s = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + (dims.size() == 1 ? ",)" : ")");
}

std::string with_thousands(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string or_list(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) s += i + 1 == names.size() ? " or " : ", ";
        s += names[i];
    }
    return s;
}

}  // namespace convscope
