#pragma once
// Feature maps as pictures: one channel, a grid of channels with numbers and a colour bar, the bar alone.
//
//   render_channel()    one channel of an (H, W, C) tensor, each value scale x scale pixels
//   render_fitted()     one channel drawn into any width x height (box average when shrinking)
//   GridOptions         which channels, how many columns, cell size, normalisation, colours, labels, bar
//   grid_layout()       where everything goes, without rendering: image size, cell and label rectangles,
//                       and the reverse map from an image pixel to (channel, row, col) for mouse hover
//   render_grid()       the grid itself (optionally returning its layout)
//   paint_grid_cells()  only the maps of a grid layout, each cell pixel the mean of the finite values it covers
//                       (one value when enlarging, a box average when shrinking): what render_grid() paints,
//                       and what the GUI paints on screen, so an exported grid shows exactly the screen's cells
//   ColorbarOptions     size, text scale, captions of a colour bar
//   render_colorbar()   a horizontal colour ramp with its min, middle and max value written under it
//
// Cells hold one channel each, left to right then top to bottom, starting at `first_channel`. The channel
// number is written under its cell. With per-layer or symmetric normalisation all cells share one range,
// which the colour bar prints; with per-channel normalisation each cell has its own range and the bar
// says so ("min", "mid", "max"; see channel_stats() for the numbers). A flat (C,) tensor stored as
// (1, 1, C) renders as a grid of single-value cells.

#include <vector>

#include "core/render/colormap.hpp"
#include "core/render/image_rgba.hpp"
#include "core/render/normalize.hpp"
#include "core/tensor.hpp"

namespace convscope {

// One channel; `scale` >= 1 repeats each value as a scale x scale block. t: (H, W, C).
RgbaImage render_channel(const Tensor3& t, int channel, ValueRange range, Colormap cmap, int scale = 1);
// One channel drawn into width x height pixels: each pixel the mean of the values it covers when shrinking, a
// value repeated when enlarging (maps of different sizes drawn over the same area). t: (H, W, C).
RgbaImage render_fitted(const Tensor3& t, int channel, ValueRange range, Colormap cmap, int width, int height);

struct GridOptions {
    int first_channel = 0;
    int channel_count = 0;      // 0: every channel from first_channel on
    int columns = 0;            // 0: near-square (ceil(sqrt(count)))
    int cell_scale = 0;         // image pixels per value; 0: smallest scale making cells >= min_cell pixels
    int min_cell = 32;          // for cell_scale = 0
    int max_cell = 0;           // > 0: maps larger than this are shrunk (box average) to fit; 0: never
    int gap = 4;                // pixels between cells and around the grid
    Normalization normalization = Normalization::per_channel;
    Colormap colormap = Colormap::viridis;
    bool labels = true;         // channel numbers under the cells
    bool colorbar = true;       // colour bar with value labels under the grid
    int text_scale = 1;         // 2 or 3 for a projector
    Rgba8 background{255, 255, 255, 255};
    Rgba8 text{0, 0, 0, 255};
};

struct Rect {
    int x = 0, y = 0, w = 0, h = 0;
    bool contains(int px, int py) const { return px >= x && py >= y && px < x + w && py < y + h; }
};

struct GridLayout {
    int width = 0, height = 0;          // the whole image
    int first_channel = 0, count = 0;   // channels shown: first_channel .. first_channel + count - 1
    int columns = 0, rows = 0;
    int map_h = 0, map_w = 0;           // H, W of the tensor
    int cell_w = 0, cell_h = 0;         // pixels of one map in the image
    int slot_w = 0, slot_h = 0;         // pitch between cells, label included (gap excluded)
    int label_h = 0;                    // 0 without labels
    int gap = 0;
    Rect colorbar;                      // the whole colour bar image inside the grid image; empty without

    Rect cell(int i) const;             // the i-th shown map (channel first_channel + i)
    Rect label(int i) const;            // where its number is written
    int channel_at(int x, int y) const; // the channel whose map covers image pixel (x, y), or -1
    // The activation under image pixel (x, y): false when (x, y) is not on a map.
    bool activation_at(int x, int y, int& channel, int& row, int& col) const;
};

GridLayout grid_layout(const Shape& shape, const GridOptions& options);
RgbaImage render_grid(const Tensor3& t, const GridOptions& options, GridLayout* layout = nullptr);  // t: (H, W, C)
// ranges: one per shown channel (layout.count), in order. t: (H, W, C).
void paint_grid_cells(const Tensor3& t, const GridLayout& layout, const std::vector<ValueRange>& ranges, Colormap cmap,
                      RgbaImage& img);

struct ColorbarOptions {
    int width = 256;            // pixels, labels included; grows if the labels need more
    int bar_height = 0;         // 0: 10 * text_scale
    int text_scale = 1;
    bool value_labels = true;   // false: write "min", "mid", "max" instead of numbers (per-channel grids)
    Rgba8 background{255, 255, 255, 255};
    Rgba8 text{0, 0, 0, 255};
};

RgbaImage render_colorbar(ValueRange range, Colormap cmap, const ColorbarOptions& options = {});

}  // namespace convscope
