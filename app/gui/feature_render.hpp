#pragma once
// What the render thread makes from a tensor for the feature-map panel, with core/render doing the pixels.
//
//   RenderRequest   a tensor (H, W, C) and how to show it: normalisation, colour map, page, enlarged channel
//   RenderResult    the grid page as RGBA (no baked labels: the panel writes crisp numbers over it), its
//                   layout for hover, the enlarged channel with its statistics and histogram, the
//                   shared value range (per-layer and symmetric)
//   render_view()   does all of that; runs on the render thread (milliseconds, not a frame's worth of UI)
//   export_grid_options()  the grid a PNG export writes for a view: the screen's cells (same size, same
//                   painter, so the same pixels) for every channel, with channel numbers and a colour bar

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/render/colormap.hpp"
#include "core/render/feature_map.hpp"
#include "core/render/normalize.hpp"
#include "core/tensor.hpp"

namespace convscope::gui {

struct RenderRequest {
    std::uint64_t key = 0;
    std::uint64_t signature = 0;  // the view it draws (tensor and options), handed back in the result
    std::shared_ptr<const Tensor3> tensor;  // (H, W, C)
    Normalization normalization = Normalization::per_channel;
    Colormap colormap = Colormap::viridis;
    int page = 0;
    int per_page = 64;
    int selected_channel = 0;
    int columns = 0;     // 0: near-square
    int max_cell = 160;  // grid cells larger than this are shrunk (box average); the enlarged view is not
};

struct RenderResult {
    std::uint64_t key = 0;
    std::uint64_t signature = 0;            // of the request
    std::shared_ptr<const Tensor3> tensor;  // what was rendered, for hover read-out
    RgbaImage grid;
    GridOptions grid_options;               // what the grid was laid out and painted with
    GridLayout layout;
    int channels = 0;                       // C of the tensor
    ValueRange shared;                      // the range all cells share (per-layer / symmetric)
    std::vector<ValueRange> channel_ranges; // every channel's own [min, max] (constant() marks a dead one)
    int selected_channel = 0;
    RgbaImage enlarged;                     // the selected channel, one pixel per value
    ValueRange enlarged_range;
    ChannelStats selected_stats;            // 64-bin histogram
    Normalization normalization = Normalization::per_channel;
    Colormap colormap = Colormap::viridis;
    std::string error;                      // rendering failed (shown instead of the maps)
};

RenderResult render_view(const RenderRequest& request);
GridOptions export_grid_options(const GridOptions& on_screen);

}  // namespace convscope::gui
