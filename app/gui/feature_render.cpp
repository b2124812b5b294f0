#include "app/gui/feature_render.hpp"

#include <algorithm>
#include <chrono>

namespace convscope::gui {

RenderResult render_view(const RenderRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    RenderResult r;
    r.key = request.key;
    r.tensor = request.tensor;
    r.normalization = request.normalization;
    r.colormap = request.colormap;
    const Tensor3& t = *request.tensor;  // (H, W, C)
    r.channels = int(t.shape()[2]);
    const int per_page = std::max(1, request.per_page);
    r.pages = std::max(1, (r.channels + per_page - 1) / per_page);
    r.page = std::clamp(request.page, 0, r.pages - 1);

    GridOptions g;
    g.first_channel = r.page * per_page;
    g.channel_count = std::min(per_page, r.channels - g.first_channel);
    g.min_cell = 48;
    g.max_cell = request.max_cell;
    g.gap = 3;
    g.normalization = request.normalization;
    g.colormap = request.colormap;
    g.labels = false;    // the panel writes the numbers with the UI font, crisp at any scale
    g.colorbar = false;  // the panel draws the bar with the UI font too
    g.background = Rgba8{0, 0, 0, 0};
    r.grid = render_grid(t, g, &r.layout);

    r.layer = layer_range(t);
    r.shared = value_range(t, 0, request.normalization == Normalization::per_channel ? Normalization::per_layer
                                                                                      : request.normalization);
    for (int i = 0; i < g.channel_count; ++i) r.page_stats.push_back(channel_stats(t, g.first_channel + i, 32));

    r.selected_channel = std::clamp(request.selected_channel, 0, r.channels - 1);
    r.enlarged_range = value_range(t, r.selected_channel, request.normalization);
    r.enlarged = render_channel(t, r.selected_channel, r.enlarged_range, request.colormap, 1);
    r.selected_stats = channel_stats(t, r.selected_channel, 64);
    r.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace convscope::gui
