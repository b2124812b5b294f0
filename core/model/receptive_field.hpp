#pragma once
// Receptive field arithmetic: which input pixels each activation of each node depends on.
//
// Along one axis, output position o of any node reads the input positions [o * jump + first, o * jump + last]
// (inclusive; outside [0, in) is padding). A sliding window (Conv2D, MaxPooling2D) with kernel k, stride s,
// dilation d and padding before p, on an input with (jump j, first f, last l), gives
//     jump' = j * s,   first' = f - p * j,   last' = l + ((k - 1) * d - p) * j
// ZeroPadding2D moves first and last by -top * j; elementwise layers (BN, Activation) keep them; Add takes
// the hull of its inputs (their jumps are equal). size = last - first + 1.
//
//   receptive_fields(graph[, shapes])   one NodeField per node (uses the graph's shapes for 'same' padding)
//   NodeField::region(row, col)         the input region of one activation
//   window_field(geometry, row, col)    the same for a single Conv2D on its own input (the playground)

#include <vector>

#include "core/layers/conv2d.hpp"
#include "core/model/graph.hpp"

namespace convscope {

struct FieldAxis {
    int jump = 1;   // input pixels between neighbouring outputs (the product of strides so far)
    int first = 0;  // first input position read by output 0 (negative: it reaches into padding)
    int last = 0;   // last input position read by output 0
    int size() const { return last - first + 1; }
    double centre() const { return 0.5 * (first + last); }  // in pixel indices
};

// An input region, inclusive, in input pixel indices (may extend beyond the image into padding).
struct FieldRegion {
    int row0 = 0, row1 = 0, col0 = 0, col1 = 0;
};

struct NodeField {
    bool ok = false;      // false: the node's shape (or an input's) could not be inferred
    bool global = false;  // a flat vector (GlobalAveragePooling2D, Dense): every input pixel
    FieldAxis rows, cols;
    FieldRegion region(int row, int col) const {
        return FieldRegion{row * rows.jump + rows.first, row * rows.jump + rows.last, col * cols.jump + cols.first,
                           col * cols.jump + cols.last};
    }
};

std::vector<NodeField> receptive_fields(const Graph& graph, const std::vector<NodeShape>& shapes);
std::vector<NodeField> receptive_fields(const Graph& graph);

// One Conv2D applied directly to its input (jump 1 there).
FieldRegion window_field(const ConvGeometry& g, int row, int col);

}  // namespace convscope
