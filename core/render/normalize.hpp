#pragma once
// Normalisation: which activation values map to the two ends of a colour map, and channel statistics.
//
//   Normalization        per_channel: each channel's own [min, max]
//                        per_layer:   the whole tensor's [min, max], so channels can be compared
//                        symmetric:   [-m, m] with m = max |x| over the whole tensor, so 0 is the middle
//                                     colour (white in the diverging map) in every channel
//   to_string / parse_normalization / normalization_names   "per-channel", "per-layer", "symmetric"
//   value_range()        the range of one channel (or of the layer) under a normalisation
//   layer_range()        [min, max] over the whole tensor
//   normalize_value()    v -> t in [0, 1] for a range; a constant range (lo == hi) gives 0.5, never a
//                        division by zero; NaN gives 0
//   channel_stats()      min, max, mean, std and a histogram of one channel
//   format_value()       a short label for a value: "0", "-1.25", "3.1e+03"
//   check_channel()      throws std::out_of_range unless `channel` is a channel of the tensor
//
// Non-finite values (NaN, ±inf) are skipped by ranges and statistics; a channel with none finite has the
// range [0, 0]. `channel` is an index into the C axis of an (H, W, C) tensor; out of range throws
// std::out_of_range naming the index and C.

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope {

enum class Normalization { per_channel, per_layer, symmetric };

const char* to_string(Normalization n);
Normalization parse_normalization(const std::string& name);  // throws ConfigError listing the names
std::vector<std::string> normalization_names();

struct ValueRange {
    float lo = 0.0f;  // maps to t = 0
    float hi = 0.0f;  // maps to t = 1
    // One value everywhere (a ReLU channel that never fires is all zeros): nothing to spread over the colours.
    // The one test for it, so the maps, the grid's labels, the colour bar and Compare agree.
    bool constant() const { return !(hi > lo); }
};

ValueRange value_range(const Tensor3& t, int channel, Normalization n);  // t: (H, W, C)
ValueRange layer_range(const Tensor3& t);                                // t: (H, W, C)
float normalize_value(float v, ValueRange r);

struct ChannelStats {
    float min = 0.0f, max = 0.0f;
    double mean = 0.0, std = 0.0;            // population standard deviation, as numpy's x.std()
    std::int64_t count = 0;                  // finite values seen
    std::int64_t non_finite = 0;             // NaN and ±inf skipped
    std::vector<std::int64_t> histogram;     // `bins` counts over [min, max]; the last bin includes max
    std::vector<float> bin_edges;            // bins + 1 edges, bin_edges[0] = min, bin_edges[bins] = max
};

ChannelStats channel_stats(const Tensor3& t, int channel, int bins = 32);  // t: (H, W, C)

std::string format_value(float v);

void check_channel(const Tensor3& t, int channel);  // t: (H, W, C)

}  // namespace convscope
