// Which input pixels an activation depends on: intervals traced back through the graph's layers.
#include <algorithm>

#include "app/gui/panels.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"

namespace convscope::gui {

namespace {

struct Span {
    int lo = 0, hi = -1;  // inclusive; empty when hi < lo
    bool empty() const { return hi < lo; }
    void merge(const Span& o) {
        if (o.empty()) return;
        if (empty()) *this = o;
        else {
            lo = std::min(lo, o.lo);
            hi = std::max(hi, o.hi);
        }
    }
};

// Output positions [lo, hi] of a sliding window read input positions [lo*s - pad, hi*s - pad + (k-1)*d].
Span window_back(Span out, const AxisGeometry& a) {
    return Span{out.lo * a.stride - a.pad_before, out.hi * a.stride - a.pad_before + (a.kernel - 1) * a.dilation};
}

}  // namespace

bool receptive_field(const AppState& app, int row, int col, InputRegion& out) {
    if (app.panel == Panel::playground) {
        if (!app.playground_geometry) return false;
        const ConvGeometry& g = *app.playground_geometry;
        const Span r = window_back(Span{row, row}, g.rows), c = window_back(Span{col, col}, g.cols);
        out = InputRegion{r.lo, r.hi, c.lo, c.hi, g.rows.in, g.cols.in};
        return true;
    }
    const Graph& g = app.ui_graph;
    const int start = app.selected_node;
    if (start < 0 || start >= g.size() || app.ui_shapes.size() != std::size_t(g.size())) return false;
    if (!app.ui_shapes[std::size_t(start)].ok() || app.ui_shapes[std::size_t(start)].shape->flat) return false;
    // Nodes are in topological order: walking indices downwards, every consumer is done before its inputs.
    std::vector<Span> rows(std::size_t(g.size())), cols(std::size_t(g.size()));
    rows[std::size_t(start)] = Span{row, row};
    cols[std::size_t(start)] = Span{col, col};
    for (int i = start; i >= 0; --i) {
        const Span r = rows[std::size_t(i)], c = cols[std::size_t(i)];
        if (r.empty()) continue;
        const Node& n = g.node(i);
        if (n.inputs.empty()) {
            out = InputRegion{r.lo, r.hi, c.lo, c.hi, app.network.options.height, app.network.options.width};
            return true;
        }
        for (int j : n.inputs) {
            if (!app.ui_shapes[std::size_t(j)].ok()) return false;
            const Shape in = *app.ui_shapes[std::size_t(j)].shape;
            Span rj = r, cj = c;
            if (const auto* conv = dynamic_cast<const Conv2D*>(n.layer.get())) {
                const Conv2DConfig& k = conv->config();
                rj = window_back(r, axis_geometry(in.h, k.kernel_size.rows, k.strides.rows, k.dilation_rate.rows, k.padding));
                cj = window_back(c, axis_geometry(in.w, k.kernel_size.cols, k.strides.cols, k.dilation_rate.cols, k.padding));
            } else if (const auto* pool = dynamic_cast<const MaxPooling2D*>(n.layer.get())) {
                const MaxPooling2DConfig& k = pool->config();
                const IntPair s = k.effective_strides();
                rj = window_back(r, axis_geometry(in.h, k.pool_size.rows, s.rows, 1, k.padding));
                cj = window_back(c, axis_geometry(in.w, k.pool_size.cols, s.cols, 1, k.padding));
            } else if (const auto* pad = dynamic_cast<const ZeroPadding2D*>(n.layer.get())) {
                rj = Span{r.lo - pad->config().top, r.hi - pad->config().top};
                cj = Span{c.lo - pad->config().left, c.hi - pad->config().left};
            } else if (in.flat) {
                return false;
            }
            rows[std::size_t(j)].merge(rj);
            cols[std::size_t(j)].merge(cj);
        }
    }
    return false;
}

void set_hover(AppState& app, int channel, int row, int col) {
    app.hover = {true, channel, row, col, std::nullopt};
    InputRegion region;
    if (receptive_field(app, row, col, region)) app.hover.region = region;
}

}  // namespace convscope::gui
