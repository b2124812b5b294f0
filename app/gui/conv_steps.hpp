#pragma once
// The "step by step" view's model, without GL or ImGui (panel_conv_steps.cpp draws it): one Conv2D, the
// output position being explained, and the part of the padded input and of the output that is drawn.
//
// Each output value is  activation(bias[f] + sum over c of sum over ky, kx of
//     input[row*sh - pad_top + ky*dh, col*sw - pad_left + kx*dw, c] * kernel[ky, kx, c, f])
// (core/teach/conv_explain.hpp takes one apart). The view walks the outputs in raster order, as the
// animations of conv_arithmetic do, writing each value into the growing output map.
//
//   ConvStepSource    the layer (with its weights), its input (before padding) and the engine's output
//   StepPosition      the output row, col and filter explained, and the input channel shown
//   next_position() / previous_position()   raster order, wrapping at the ends
//   padded_view()     the window of the padded input that is drawn: all of it when small, else a zoomed region
//                     around the kernel window (it follows the window as it slides)
//   output_view()     the same for the output map, around the current position
//   explain()         the explanation of the position (ConvExplanation), and the engine's value there

#include <memory>
#include <string>

#include "core/layers/conv2d.hpp"
#include "core/teach/conv_explain.hpp"
#include "core/tensor.hpp"

namespace convscope::gui {

struct ConvStepSource {
    std::shared_ptr<const Tensor3> input;   // (H, W, Cin): what the layer reads (padding is its own)
    std::shared_ptr<const Layer> layer;     // a Conv2D built for `input`, with its weights
    std::shared_ptr<const Tensor3> output;  // (H', W', F): what the engine wrote
    std::string name;                       // "playground Conv2D" or the network node's name
    bool complete() const { return input && layer && output; }
    const Conv2D& conv() const;             // the layer as a Conv2D
    ConvGeometry geometry() const;
};

struct StepPosition {
    int row = 0, col = 0;  // output position
    int filter = 0;        // output channel
    int channel = 0;       // the input channel drawn (the sums use every one)
};

// Clamps a position into the source's output and input sizes.
StepPosition clamp_position(const ConvStepSource& s, StepPosition p);
StepPosition next_position(const ConvStepSource& s, StepPosition p);
StepPosition previous_position(const ConvStepSource& s, StepPosition p);

// A rectangle of cells: rows [row0, row0 + rows), cols [col0, col0 + cols).
struct CellRect {
    int row0 = 0, col0 = 0, rows = 0, cols = 0;
    bool contains(int r, int c) const { return r >= row0 && r < row0 + rows && c >= col0 && c < col0 + cols; }
};

// In padded coordinates (0 = the first padding row): the padded input is (pad_top + H + pad_bottom) rows.
// At most max_cells per side; the kernel window (its dilated extent) is always inside.
CellRect padded_view(const ConvGeometry& g, const StepPosition& p, int max_cells);
// In output coordinates, at most max_cells per side, containing the current position.
CellRect output_view(const ConvGeometry& g, const StepPosition& p, int max_cells);

// The padded input's value at (padded row, padded col) of channel c: 0 in the padding.
float padded_value(const Tensor3& input, const ConvGeometry& g, int prow, int pcol, int c);
bool in_padding(const ConvGeometry& g, int prow, int pcol);

struct StepExplanation {
    ConvExplanation e;
    float engine_value = 0.0f;  // the engine's output at the position
    bool agrees = false;        // |e.output - engine_value| <= 1e-5 * max(1, |engine_value|)
};
StepExplanation explain(const ConvStepSource& s, const StepPosition& p);

}  // namespace convscope::gui
