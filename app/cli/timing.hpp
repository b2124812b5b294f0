#pragma once
// Repeated timings of one thing in milliseconds, and their median (what bench reports: robust to the odd slow
// round on a shared machine) and minimum. Used by bench's forward-pass and weights-loading measurements.

#include <algorithm>
#include <vector>

namespace convscope::cli {

struct Timing {
    std::vector<double> runs_ms;
    double median() const {
        std::vector<double> v = runs_ms;
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
    double min() const { return *std::min_element(runs_ms.begin(), runs_ms.end()); }
};

}  // namespace convscope::cli
