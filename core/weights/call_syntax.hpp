#pragma once
// The small Python-call syntax users type for Keras arguments: "l2(0.01)", "max_norm(2, axis=[0, 1, 2])",
// "random_normal(mean=0, stddev=0.02)", "he_normal".
//
//   parse_call(text)          name and arguments (positional ones have an empty key); throws ConfigError
//   CallArgs::number(...)     the argument at a position or with a key, as a double, or the default
//   format_number(v)          "0.01", "2", "1e-05": shortest text that reads back as v (%.10g)

#include <string>
#include <utility>
#include <vector>

namespace convscope {

struct CallArgs {
    std::string text;  // the whole call, for messages
    std::string name;
    std::vector<std::pair<std::string, std::string>> args;  // (key or "", value text)

    // The argument named `key` or, failing that, positional argument `position`; `fallback` when absent.
    // Throws ConfigError for text that is not a number, and for keys not in `known`.
    double number(std::size_t position, const std::string& key, double fallback) const;
    // "[0, 1, 2]" or "0" -> {0, 1, 2} / {0}; `fallback` when absent.
    std::vector<int> int_list(std::size_t position, const std::string& key, std::vector<int> fallback) const;
    // Throws ConfigError unless every key is in `keys` and there are at most keys.size() arguments.
    void allow(const std::vector<std::string>& keys) const;
};

CallArgs parse_call(const std::string& text);
std::string format_number(double v);

}  // namespace convscope
