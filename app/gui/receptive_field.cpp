// Which input pixels an activation depends on: the graph arithmetic of core/model/receptive_field.hpp.
#include "app/gui/panels.hpp"
#include "core/model/receptive_field.hpp"

namespace convscope::gui {

bool receptive_field(const AppState& app, int row, int col, InputRegion& out) {
    if (app.panel == Panel::playground) {
        if (!app.playground_geometry) return false;
        const ConvGeometry& g = *app.playground_geometry;
        const FieldRegion r = window_field(g, row, col);
        out = InputRegion{r.row0, r.row1, r.col0, r.col1, g.rows.in, g.cols.in};
        return true;
    }
    const Graph& g = app.ui_graph;
    const int node = app.selected_node;
    if (node < 0 || node >= g.size() || app.ui_shapes.size() != std::size_t(g.size())) return false;
    const NodeField f = receptive_fields(g, app.ui_shapes)[std::size_t(node)];
    if (!f.ok || f.global) return false;
    const FieldRegion r = f.region(row, col);
    out = InputRegion{r.row0, r.row1, r.col0, r.col1, app.network.options.height, app.network.options.width};
    return true;
}

void set_hover(AppState& app, int channel, int row, int col) {
    app.hover = {true, channel, row, col, std::nullopt};
    InputRegion region;
    if (receptive_field(app, row, col, region)) app.hover.region = region;
}

}  // namespace convscope::gui
