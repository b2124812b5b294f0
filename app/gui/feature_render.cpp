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

// The on-screen grid: nearest sampling into core's layout (the export uses core's box-averaged grid).
RgbaImage paint_grid(const Tensor3& t, const GridLayout& L, const std::vector<ValueRange>& ranges, Colormap cmap) {
    RgbaImage img(L.width, L.height, Rgba8{0, 0, 0, 0});
    const std::size_t C = t.shape()[2], W = t.shape()[1];
    const auto& table = colormap_table(cmap);
    std::vector<int> rows(std::size_t(L.cell_h)), cols(std::size_t(L.cell_w));
    for (int y = 0; y < L.cell_h; ++y) rows[std::size_t(y)] = int(std::int64_t(y) * L.map_h / L.cell_h);
    for (int x = 0; x < L.cell_w; ++x) cols[std::size_t(x)] = int(std::int64_t(x) * L.map_w / L.cell_w);
    std::vector<Rect> cells(std::size_t(L.count));
    for (int i = 0; i < L.count; ++i) cells[std::size_t(i)] = L.cell(i);
    // t = (v - lo) / (hi - lo) as normalize_value() computes it, folded into one multiply-add per value:
    // index = v * a + b. A constant channel (lo == hi) gets the middle colour, NaN the colour of 0.
    std::vector<float> a(std::size_t(L.count)), b(std::size_t(L.count));
    for (int i = 0; i < L.count; ++i) {
        const ValueRange r = ranges[std::size_t(i)];
        const float span = r.hi - r.lo;
        a[std::size_t(i)] = span > 0 ? 255.0f / span : 0.0f;
        b[std::size_t(i)] = span > 0 ? -r.lo * 255.0f / span + 0.5f : 128.0f;
    }
    for (int y = 0; y < L.cell_h; ++y)
        for (int x = 0; x < L.cell_w; ++x) {
            const float* px = t.data() + (std::size_t(rows[std::size_t(y)]) * W + std::size_t(cols[std::size_t(x)])) * C +
                              std::size_t(L.first_channel);
            for (int i = 0; i < L.count; ++i) {
                const float f = px[i] * a[std::size_t(i)] + b[std::size_t(i)];
                const int k = f >= 0.0f ? (f < 255.0f ? int(f) : 255) : 0;  // NaN compares false: 0
                const Rgb8 c = table[std::size_t(k)];
                std::uint8_t* o = img.at(cells[std::size_t(i)].x + x, cells[std::size_t(i)].y + y);
                o[0] = c.r;
                o[1] = c.g;
                o[2] = c.b;
                o[3] = 255;
            }
        }
    return img;
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
    const float m = std::max(std::abs(layer.lo), std::abs(layer.hi));
    r.shared = request.normalization == Normalization::symmetric ? ValueRange{-m, m} : layer;
    auto range_of = [&](int c) {
        if (request.normalization == Normalization::per_channel)
            return ValueRange{stats.min[std::size_t(c)], stats.max[std::size_t(c)]};
        return r.shared;
    };

    GridOptions g;
    g.first_channel = page * per_page;
    g.channel_count = std::min(per_page, r.channels - g.first_channel);
    g.min_cell = 48;
    g.max_cell = request.max_cell;
    g.columns = request.columns;
    g.gap = 3;
    g.labels = false;    // the panel writes the numbers with the UI font, crisp at any scale
    g.colorbar = false;  // the panel draws the bar with the UI font too
    r.layout = grid_layout(shape_of(t), g);
    std::vector<ValueRange> ranges;
    for (int i = 0; i < r.layout.count; ++i) ranges.push_back(range_of(r.layout.first_channel + i));
    r.grid = paint_grid(t, r.layout, ranges, request.colormap);

    r.selected_channel = std::clamp(request.selected_channel, 0, r.channels - 1);
    r.enlarged_range = range_of(r.selected_channel);
    r.enlarged = render_channel(t, r.selected_channel, r.enlarged_range, request.colormap, 1);
    r.selected_stats = channel_stats(t, r.selected_channel, 64);  // exact, one strided pass
    return r;
}

}  // namespace convscope::gui
