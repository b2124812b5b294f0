#include "core/render/feature_map.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/render/text.hpp"

namespace convscope {

namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Colour-bar geometry shared by grid_layout() and render_colorbar().
int colorbar_bar_height(const ColorbarOptions& o) { return o.bar_height > 0 ? o.bar_height : 10 * std::max(1, o.text_scale); }
int colorbar_tick(int ts) { return 3 * ts; }
int colorbar_height(const ColorbarOptions& o) {
    const int ts = std::max(1, o.text_scale);
    return colorbar_bar_height(o) + colorbar_tick(ts) + ts + text_height(ts);
}
int colorbar_label_gap(int ts) { return 8 * ts; }
// Wide enough for three labels of the longest form format_value() produces.
int colorbar_min_width(int ts) { return 3 * text_width("-8.88e+88", ts) + 2 * colorbar_label_gap(ts); }

// The i-th shown map's slot: its cell with the label under it, left to right then top to bottom.
Rect slot_of(const GridLayout& L, int i) {
    const int col = i % L.columns, row = i / L.columns;
    return Rect{L.gap + col * (L.slot_w + L.gap), L.gap + row * (L.slot_h + L.gap), L.slot_w, L.slot_h};
}

ColorbarOptions grid_colorbar_options(const GridOptions& o, int width) {
    ColorbarOptions c;
    c.width = width;
    c.text_scale = std::max(1, o.text_scale);
    c.value_labels = o.normalization != Normalization::per_channel;
    c.background = o.background;
    c.text = o.text;
    return c;
}

}  // namespace

RgbaImage render_channel(const Tensor3& t, int channel, ValueRange range, Colormap cmap, int scale) {
    check_channel(t, channel);
    scale = std::max(1, scale);
    return render_fitted(t, channel, range, cmap, int(t.shape()[1]) * scale, int(t.shape()[0]) * scale);
}

RgbaImage render_fitted(const Tensor3& t, int channel, ValueRange range, Colormap cmap, int width, int height) {
    check_channel(t, channel);
    RgbaImage img(std::max(1, width), std::max(1, height));
    // A grid of one cell that fills the image, painted like every grid (box average, NaN-aware).
    GridLayout one;
    one.width = one.cell_w = one.slot_w = img.width;
    one.height = one.cell_h = one.slot_h = img.height;
    one.first_channel = channel;
    one.count = one.columns = one.rows = 1;
    one.map_h = int(t.shape()[0]);
    one.map_w = int(t.shape()[1]);
    paint_grid_cells(t, one, {range}, cmap, img);
    return img;
}

Rect GridLayout::cell(int i) const {
    const Rect slot = slot_of(*this, i);
    return Rect{slot.x + (slot_w - cell_w) / 2, slot.y, cell_w, cell_h};
}

Rect GridLayout::label(int i) const {
    const Rect slot = slot_of(*this, i);
    return Rect{slot.x, slot.y + cell_h, slot_w, label_h};
}

int GridLayout::channel_at(int x, int y) const {
    int channel = -1, row = 0, col = 0;
    return activation_at(x, y, channel, row, col) ? channel : -1;
}

bool GridLayout::activation_at(int x, int y, int& channel, int& row, int& col) const {
    if (count <= 0 || x < gap || y < gap) return false;
    const int i_col = (x - gap) / (slot_w + gap), i_row = (y - gap) / (slot_h + gap);
    if (i_col >= columns || i_row >= rows) return false;
    const int i = i_row * columns + i_col;
    if (i >= count) return false;
    const Rect r = cell(i);
    if (!r.contains(x, y)) return false;
    channel = first_channel + i;
    row = int(std::int64_t(y - r.y) * map_h / cell_h);
    col = int(std::int64_t(x - r.x) * map_w / cell_w);
    return true;
}

GridLayout grid_layout(const Shape& shape, const GridOptions& o) {
    if (shape.h < 1 || shape.w < 1 || shape.c < 1)
        throw std::invalid_argument("cannot lay out a grid for the empty shape " + plain_shape(shape));
    if (o.first_channel < 0 || o.first_channel >= shape.c)
        throw std::out_of_range("first channel " + std::to_string(o.first_channel) + " does not exist: the tensor has " +
                                std::to_string(shape.c) + " channels");
    GridLayout L;
    L.first_channel = o.first_channel;
    L.count = shape.c - o.first_channel;
    if (o.channel_count > 0) L.count = std::min(L.count, o.channel_count);
    L.map_h = shape.h;
    L.map_w = shape.w;
    L.gap = std::max(0, o.gap);

    const int side = std::max(shape.h, shape.w);
    if (o.max_cell > 0 && side > o.max_cell) {
        const int shrink = ceil_div(side, o.max_cell);
        L.cell_h = ceil_div(shape.h, shrink);
        L.cell_w = ceil_div(shape.w, shrink);
    } else {
        const int scale = o.cell_scale > 0 ? o.cell_scale : std::max(1, ceil_div(std::max(1, o.min_cell), side));
        L.cell_h = shape.h * scale;
        L.cell_w = shape.w * scale;
    }

    const int ts = std::max(1, o.text_scale);
    L.label_h = o.labels ? text_height(ts) + 2 * ts : 0;
    const int label_w = o.labels ? text_width(std::to_string(L.first_channel + L.count - 1), ts) + 2 * ts : 0;
    L.slot_w = std::max(L.cell_w, label_w);
    L.slot_h = L.cell_h + L.label_h;

    if (o.columns > 0) {
        L.columns = std::min(o.columns, L.count);
    } else {
        // Near-square in pixels: columns * slot_w ~ rows * slot_h.
        const double ideal = std::sqrt(double(L.count) * (L.slot_h + L.gap) / double(L.slot_w + L.gap));
        L.columns = std::clamp(int(std::ceil(ideal - 1e-9)), 1, L.count);
    }
    L.rows = ceil_div(L.count, L.columns);

    const int grid_w = L.gap + L.columns * (L.slot_w + L.gap);
    const int grid_h = L.gap + L.rows * (L.slot_h + L.gap);
    L.width = grid_w;
    L.height = grid_h;
    if (o.colorbar) {
        const int cb_w = std::max(grid_w - 2 * L.gap, colorbar_min_width(ts));
        const int cb_h = colorbar_height(grid_colorbar_options(o, cb_w));
        L.colorbar = Rect{L.gap, grid_h, cb_w, cb_h};
        L.width = std::max(grid_w, cb_w + 2 * L.gap);
        L.height = grid_h + cb_h + L.gap;
    }
    return L;
}

void paint_grid_cells(const Tensor3& t, const GridLayout& L, const std::vector<ValueRange>& ranges, Colormap cmap,
                      RgbaImage& img) {
    const int H = int(t.shape()[0]), W = int(t.shape()[1]);
    const std::size_t C = t.shape()[2];
    const std::size_t n = std::size_t(L.count);
    std::vector<Rect> cells(n);
    for (std::size_t i = 0; i < n; ++i) cells[i] = L.cell(int(i));
    // Channels are the fastest axis: each cell pixel's box is read once for all shown channels, so the
    // tensor is read about once in all rather than once per channel.
    std::vector<double> sum(n);
    std::vector<int> count(n);
    for (int cy = 0; cy < L.cell_h; ++cy) {
        const int r0 = int(std::int64_t(cy) * H / L.cell_h);
        const int r1 = std::max(r0 + 1, int(std::int64_t(cy + 1) * H / L.cell_h));
        for (int cx = 0; cx < L.cell_w; ++cx) {
            const int c0 = int(std::int64_t(cx) * W / L.cell_w);
            const int c1 = std::max(c0 + 1, int(std::int64_t(cx + 1) * W / L.cell_w));
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(count.begin(), count.end(), 0);
            for (int r = r0; r < r1; ++r)
                for (int c = c0; c < c1; ++c) {
                    const float* px = t.data() + (std::size_t(r) * std::size_t(W) + std::size_t(c)) * C +
                                      std::size_t(L.first_channel);
                    for (std::size_t i = 0; i < n; ++i)
                        if (std::isfinite(px[i])) {
                            sum[i] += px[i];
                            ++count[i];
                        }
                }
            for (std::size_t i = 0; i < n; ++i) {
                const float value = count[i] > 0 ? float(sum[i] / count[i]) : NAN;
                const bool flat = ranges[i].constant();  // see flat_position()
                const Rgb8 rgb = colormap_lookup(cmap, flat ? flat_position(cmap) : normalize_value(value, ranges[i]));
                std::uint8_t* p = img.at(cells[i].x + cx, cells[i].y + cy);
                p[0] = rgb.r;
                p[1] = rgb.g;
                p[2] = rgb.b;
                p[3] = 255;
            }
        }
    }
}

RgbaImage render_grid(const Tensor3& t, const GridOptions& o, GridLayout* layout_out) {
    const GridLayout L = grid_layout(shape_of(t), o);
    RgbaImage img(L.width, L.height, o.background);
    const int ts = std::max(1, o.text_scale);

    // One range for the whole layer unless each channel is scaled on its own; computed over every
    // channel, not just the shown ones, so paging through channels keeps the colours comparable.
    const bool shared = o.normalization != Normalization::per_channel;
    const ValueRange layer = shared ? value_range(t, 0, o.normalization) : ValueRange{};

    std::vector<ValueRange> ranges;
    for (int i = 0; i < L.count; ++i)
        ranges.push_back(shared ? layer : value_range(t, L.first_channel + i, o.normalization));
    paint_grid_cells(t, L, ranges, o.colormap, img);
    for (int i = 0; i < L.count; ++i) {
        const int channel = L.first_channel + i;
        if (o.labels) {
            const std::string s = std::to_string(channel);
            const Rect lr = L.label(i);
            draw_text(img, lr.x + (lr.w - text_width(s, ts)) / 2, lr.y + ts, s, o.text, ts);
        }
    }
    if (o.colorbar) {
        const ValueRange range = shared ? layer : ValueRange{0.0f, 1.0f};
        img.blit(render_colorbar(range, o.colormap, grid_colorbar_options(o, L.colorbar.w)), L.colorbar.x, L.colorbar.y);
    }
    if (layout_out) *layout_out = L;
    return img;
}

RgbaImage render_colorbar(ValueRange range, Colormap cmap, const ColorbarOptions& o) {
    const int ts = std::max(1, o.text_scale);
    std::string labels[3] = {"min", "mid", "max"};
    if (o.value_labels) {
        labels[0] = format_value(range.lo);
        labels[1] = format_value(range.lo + (range.hi - range.lo) / 2);
        labels[2] = format_value(range.hi);
    }
    const int needed = text_width(labels[0], ts) + text_width(labels[1], ts) + text_width(labels[2], ts) +
                       2 * colorbar_label_gap(ts);
    const int width = std::max({o.width, needed, 2});
    const int bar_h = colorbar_bar_height(o);
    RgbaImage img(width, colorbar_height(o), o.background);

    const auto& table = colormap_table(cmap);
    for (int x = 0; x < width; ++x) {
        const Rgb8 c = table[std::size_t(std::lround(double(x) * 255.0 / (width - 1)))];
        img.fill(x, 0, 1, bar_h, Rgba8{c.r, c.g, c.b, 255});
    }
    // Ticks under the ends and the middle, then the labels: left-aligned, centred, right-aligned.
    const int tick = colorbar_tick(ts);
    const int mid = (width - 1) / 2;
    img.fill(0, bar_h, ts, tick, o.text);
    img.fill(mid - ts / 2, bar_h, ts, tick, o.text);
    img.fill(width - ts, bar_h, ts, tick, o.text);
    const int ty = bar_h + tick + ts;
    draw_text(img, 0, ty, labels[0], o.text, ts);
    draw_text(img, mid - text_width(labels[1], ts) / 2, ty, labels[1], o.text, ts);
    draw_text(img, width - text_width(labels[2], ts), ty, labels[2], o.text, ts);
    return img;
}

}  // namespace convscope
