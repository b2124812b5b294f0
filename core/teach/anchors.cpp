#include "core/teach/anchors.hpp"

#include <cmath>

namespace convscope {

std::vector<AnchorBox> cell_anchors(int row, int col, const AnchorSettings& s) {
    const double cx = (col + 0.5) * s.stride, cy = (row + 0.5) * s.stride;
    std::vector<AnchorBox> boxes;
    for (double scale : s.scales)
        for (double ratio : s.ratios) {
            AnchorBox b;
            b.scale = scale;
            b.ratio = ratio;
            b.width = scale / std::sqrt(ratio);
            b.height = scale * std::sqrt(ratio);
            b.x1 = cx - b.width / 2;
            b.x2 = cx + b.width / 2;
            b.y1 = cy - b.height / 2;
            b.y2 = cy + b.height / 2;
            boxes.push_back(b);
        }
    return boxes;
}

}  // namespace convscope
