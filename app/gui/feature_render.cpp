#include "app/gui/feature_render.hpp"

#include <algorithm>
#include <cmath>

namespace convscope::gui {

namespace {

// Per-channel [min, max] from one pass over an (H, W, C) tensor. Channels are the fastest axis, so reading
// the tensor once for all channels is far cheaper than once per channel (64 channels of 600 x 600 would be
// 64 passes over 92 MB). NaN never wins a comparison, so it is skipped without a branch.
struct ChannelRanges {
    std::vector<float> min, max;
};

ChannelRanges channel_ranges(const Tensor3& t) {  // t: (H, W, C)
    const std::size_t C = t.shape()[2], pixels = t.shape()[0] * t.shape()[1];
    ChannelRanges s;
    s.min.assign(C, INFINITY);
    s.max.assign(C, -INFINITY);
    float* lo = s.min.data();
    float* hi = s.max.data();
    const float* p = t.data();
    for (std::size_t i = 0; i < pixels; ++i, p += C)
        for (std::size_t c = 0; c < C; ++c) {
            lo[c] = p[c] < lo[c] ? p[c] : lo[c];
            hi[c] = p[c] > hi[c] ? p[c] : hi[c];
        }
    for (std::size_t c = 0; c < C; ++c)
        if (!std::isfinite(s.min[c]) || !std::isfinite(s.max[c])) {
            // Infinite values (or none finite): fall back to core's exact, finite-only range.
            const ValueRange r = value_range(t, int(c), Normalization::per_channel);
            s.min[c] = r.lo;
            s.max[c] = r.hi;
        }
    return s;
}

}  // namespace

RenderResult render_view(const RenderRequest& request) {
    RenderResult r;
    r.key = request.key;
    r.signature = request.signature;
    r.tensor = request.tensor;
    r.normalization = request.normalization;
    r.colormap = request.colormap;
    const Tensor3& t = *request.tensor;  // (H, W, C)
    r.channels = int(t.shape()[2]);
    const int per_page = std::max(1, request.per_page);
    const int pages = std::max(1, (r.channels + per_page - 1) / per_page);
    const int page = std::clamp(request.page, 0, pages - 1);

    const ChannelRanges stats = channel_ranges(t);
    ValueRange layer{stats.min[0], stats.max[0]};  // whole tensor [min, max]
    for (int c = 1; c < r.channels; ++c) {
        layer.lo = std::min(layer.lo, stats.min[std::size_t(c)]);
        layer.hi = std::max(layer.hi, stats.max[std::size_t(c)]);
    }
    for (int c = 0; c < r.channels; ++c) r.channel_ranges.push_back({stats.min[std::size_t(c)], stats.max[std::size_t(c)]});
    const float m = std::max(std::abs(layer.lo), std::abs(layer.hi));
    r.shared = request.normalization == Normalization::symmetric ? ValueRange{-m, m} : layer;
    auto range_of = [&](int c) {
        if (request.normalization == Normalization::per_channel)
            return ValueRange{stats.min[std::size_t(c)], stats.max[std::size_t(c)]};
        return r.shared;
    };

    GridOptions& g = r.grid_options;
    g.first_channel = page * per_page;
    g.channel_count = std::min(per_page, r.channels - g.first_channel);
    g.min_cell = 48;
    g.max_cell = request.max_cell;
    g.columns = request.columns;
    g.gap = 3;
    g.normalization = request.normalization;
    g.colormap = request.colormap;
    g.labels = false;    // the panel writes the numbers with the UI font, crisp at any scale
    g.colorbar = false;  // the panel draws the bar with the UI font too
    r.layout = grid_layout(shape_of(t), g);
    std::vector<ValueRange> ranges;
    for (int i = 0; i < r.layout.count; ++i) ranges.push_back(range_of(r.layout.first_channel + i));
    r.grid = RgbaImage(r.layout.width, r.layout.height, Rgba8{0, 0, 0, 0});
    paint_grid_cells(t, r.layout, ranges, request.colormap, r.grid);  // core's painter: what an export paints

    r.selected_channel = std::clamp(request.selected_channel, 0, r.channels - 1);
    r.enlarged_range = range_of(r.selected_channel);
    r.enlarged = render_channel(t, r.selected_channel, r.enlarged_range, request.colormap, 1);
    r.selected_stats = channel_stats(t, r.selected_channel, 64);  // exact, one strided pass
    return r;
}

GridOptions export_grid_options(const GridOptions& on_screen) {
    GridOptions g = on_screen;
    g.first_channel = 0;
    g.channel_count = 0;  // every channel, not only the page on screen
    g.columns = 0;        // near-square for all of them
    g.labels = true;
    g.colorbar = true;
    g.text_scale = 2;
    return g;
}

}  // namespace convscope::gui
