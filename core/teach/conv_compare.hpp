#pragma once
// Two Conv2D settings side by side: the playground's pinned setting A against the one being edited (B), or a
// network Conv2D before and after an in-place edit. What changes in the arguments, and what follows from it.
//
//   ConvSetting          a Conv2D configuration and the input it sees, (H, W, C)
//   compare_convs(a, b)  one row per argument (the first six always, the others when either differs from Keras'
//                        default), then the consequences: effective kernel, the per-axis formulas, padding, output
//                        shape, parameters and MACs; each row says whether A and B differ
//   differing_words(a, b) per word of a (split at spaces), whether b has another word there: the formula's
//                        numbers that changed, for highlighting (every word when the word counts differ)
//
// An impossible setting (an output side < 1) is not an error here: its consequences read "impossible" and its
// reason is kept, so the other side still shows.

#include <cstdint>
#include <string>
#include <vector>

#include "core/layers/conv2d.hpp"

namespace convscope {

struct ConvSetting {
    Conv2DConfig config;
    Shape input;  // (H, W, C)
};

struct ComparisonRow {
    std::string what;  // "filters", "rows: out", "output shape", ...
    std::string a, b;
    bool differs = false;
    bool argument = true;  // false: a consequence of the arguments (formula, shape, count)
};

struct ConvSideNumbers {
    bool ok = false;
    std::string error;            // why the setting is impossible (ok == false)
    Shape output;                 // (H, W, filters)
    std::int64_t params = 0;      // kernel and bias values
    std::int64_t macs = 0;        // multiply-accumulates of one forward pass
};

struct ConvComparison {
    std::vector<ComparisonRow> rows;
    ConvSideNumbers a, b;
};

ConvSideNumbers conv_side_numbers(const ConvSetting& s);
ConvComparison compare_convs(const ConvSetting& a, const ConvSetting& b);
std::vector<bool> differing_words(const std::string& a, const std::string& b);
// "2.00x", "0.25x", "-" when a is 0: b as a multiple of a (parameters and MACs).
std::string ratio_text(std::int64_t a, std::int64_t b);

}  // namespace convscope
