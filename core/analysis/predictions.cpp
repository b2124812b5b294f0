#include "core/analysis/predictions.hpp"

#include <algorithm>
#include <numeric>

#include "core/errors.hpp"
#include "core/read_file.hpp"

namespace convscope {

std::vector<std::string> load_class_names(const std::string& path, std::size_t expected) {
    const std::vector<std::uint8_t> bytes = read_file_bytes(path, "class names", "a text file with one name a line",
                                                                   std::int64_t(16) << 20);  // 1000 short lines
    std::vector<std::string> names;
    std::string line;
    for (std::uint8_t b : bytes) {
        if (b == '\n') {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            names.push_back(line);
            line.clear();
        } else {
            line += char(b);
        }
    }
    if (!line.empty()) names.push_back(line);
    if (names.size() != expected)
        throw InputError(path + ": " + std::to_string(names.size()) + " lines, expected " + std::to_string(expected) +
                         " class names (one a line, line i naming class i)");
    return names;
}

std::vector<Prediction> top_predictions(const Tensor3& probabilities, int k, const std::vector<std::string>& names) {
    const float* p = probabilities.data();
    const int n = int(probabilities.size());
    k = std::max(0, std::min(k, n));
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    std::vector<Prediction> out;
    for (int r = 0; r < k; ++r) {
        const int c = order[std::size_t(r)];
        out.push_back({r + 1, c, std::size_t(c) < names.size() ? names[std::size_t(c)] : "class " + std::to_string(c), p[c]});
    }
    return out;
}

}  // namespace convscope
