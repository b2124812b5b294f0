#pragma once
// The anchor boxes a Faster R-CNN region proposal network places on a backbone feature cell.
//
// The seed's backbone (stride 16) gives a 38 x 38 grid for a 600 x 600 input. Each cell (row, col) gets one
// box per scale and height/width ratio, centred at ((col + 0.5) * stride, (row + 0.5) * stride) in input
// pixels:  width = scale / sqrt(ratio),  height = scale * sqrt(ratio)  (so width * height = scale^2).
//
//   cell_anchors(row, col)   the 9 boxes for scales 128, 256, 512 x ratios 0.5, 1, 2 (scale-major order)

#include <vector>

namespace convscope {

struct AnchorBox {
    double scale = 0.0, ratio = 1.0;   // ratio = height / width
    double width = 0.0, height = 0.0;
    double x1 = 0.0, y1 = 0.0, x2 = 0.0, y2 = 0.0;  // corners in input pixels (continuous coordinates)
};

struct AnchorSettings {
    int stride = 16;
    std::vector<double> scales{128.0, 256.0, 512.0};
    std::vector<double> ratios{0.5, 1.0, 2.0};
};

std::vector<AnchorBox> cell_anchors(int row, int col, const AnchorSettings& settings = {});

}  // namespace convscope
