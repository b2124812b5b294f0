#include "core/render/normalize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/render/name_table.hpp"

namespace convscope {

namespace {

// Every normalisation with its name, in menu order: the one list to_string(), parse_normalization() and
// normalization_names() read.
const Named<Normalization> k_normalizations[] = {{Normalization::per_channel, "per-channel"},
                                                 {Normalization::per_layer, "per-layer"},
                                                 {Normalization::symmetric, "symmetric"}};

// [min, max] of the finite values of channel `channel` (or of every channel when channel < 0).
ValueRange finite_range(const Tensor3& t, int channel) {
    const std::size_t c = t.shape()[2];
    const std::size_t n = t.size();
    const std::size_t first = channel < 0 ? 0 : std::size_t(channel);
    const std::size_t step = channel < 0 ? 1 : c;
    const float* d = t.data();
    float lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = first; i < n; i += step) {
        const float v = d[i];
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (lo > hi) return ValueRange{0.0f, 0.0f};  // nothing finite
    return ValueRange{lo, hi};
}

}  // namespace

void check_channel(const Tensor3& t, int channel) {
    const int c = int(t.shape()[2]);
    if (channel < 0 || channel >= c)
        throw std::out_of_range("channel " + std::to_string(channel) + " does not exist: the tensor has " +
                                std::to_string(c) + " channels (0 to " + std::to_string(c - 1) + ")");
}

const char* to_string(Normalization n) { return name_of(k_normalizations, n); }

std::vector<std::string> normalization_names() { return names_of(k_normalizations); }

Normalization parse_normalization(const std::string& name) {
    std::string key = name;
    std::replace(key.begin(), key.end(), '_', '-');
    if (const Named<Normalization>* m = find_named(k_normalizations, key)) return m->value;
    throw ConfigError("normalisation \"" + name + "\" is not known; choose " + or_list(normalization_names()));
}

ValueRange layer_range(const Tensor3& t) { return finite_range(t, -1); }

ValueRange value_range(const Tensor3& t, int channel, Normalization n) {
    check_channel(t, channel);
    switch (n) {
        case Normalization::per_channel: return finite_range(t, channel);
        case Normalization::per_layer: return layer_range(t);
        case Normalization::symmetric: {
            const ValueRange r = layer_range(t);
            const float m = std::max(std::fabs(r.lo), std::fabs(r.hi));
            return ValueRange{-m, m};
        }
    }
    return finite_range(t, channel);
}

float normalize_value(float v, ValueRange r) {
    if (std::isnan(v)) return 0.0f;
    const float span = r.hi - r.lo;
    if (!(span > 0.0f)) return 0.5f;  // a constant map: the middle colour rather than a division by zero
    const float t = (v - r.lo) / span;
    return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
}

ChannelStats channel_stats(const Tensor3& t, int channel, int bins) {
    check_channel(t, channel);
    if (bins < 1) throw std::invalid_argument("channel_stats: bins=" + std::to_string(bins) + ", must be at least 1");
    ChannelStats s;
    const ValueRange r = finite_range(t, channel);
    s.min = r.lo;
    s.max = r.hi;
    s.histogram.assign(std::size_t(bins), 0);
    s.bin_edges.resize(std::size_t(bins) + 1);
    for (int i = 0; i <= bins; ++i) s.bin_edges[std::size_t(i)] = r.lo + (r.hi - r.lo) * float(i) / float(bins);
    s.bin_edges[std::size_t(bins)] = r.hi;

    const std::size_t c = t.shape()[2];
    const float* d = t.data();
    double sum = 0.0;
    for (std::size_t i = std::size_t(channel); i < t.size(); i += c) {
        const float v = d[i];
        if (!std::isfinite(v)) {
            ++s.non_finite;
            continue;
        }
        ++s.count;
        sum += v;
        int b = r.hi > r.lo ? int(double(v - r.lo) / double(r.hi - r.lo) * bins) : 0;
        s.histogram[std::size_t(std::clamp(b, 0, bins - 1))] += 1;  // max falls in the last bin
    }
    if (s.count > 0) {
        s.mean = sum / double(s.count);
        double sq = 0.0;  // second pass: stable for large offsets, unlike sum of squares minus square of sum
        for (std::size_t i = std::size_t(channel); i < t.size(); i += c)
            if (std::isfinite(d[i])) sq += (d[i] - s.mean) * (d[i] - s.mean);
        s.std = std::sqrt(sq / double(s.count));
    }
    return s;
}

std::string format_value(float v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0.0f) return "0";
    char buf[32];
    const float a = std::fabs(v);
    if (a >= 1e-3f && a < 1e4f)
        std::snprintf(buf, sizeof buf, "%.4g", double(v));
    else
        std::snprintf(buf, sizeof buf, "%.2e", double(v));
    return buf;
}

}  // namespace convscope
