// Faster R-CNN anchors of a feature cell: hand-computed corners, and the defining properties of each box.

#include <cmath>

#include <catch2/catch.hpp>

#include "core/teach/anchors.hpp"

using namespace convscope;

TEST_CASE("anchors of cell (0, 0) and (18, 25), computed by hand", "[anchors]") {
    const std::vector<AnchorBox> a = cell_anchors(0, 0);
    REQUIRE(a.size() == 9);
    // Centre (8, 8); scale 128, ratio 1: a 128 x 128 square.
    CHECK(a[1].x1 == -56.0);
    CHECK(a[1].y1 == -56.0);
    CHECK(a[1].x2 == 72.0);
    CHECK(a[1].y2 == 72.0);
    // Scale 128, ratio 0.5 (wide): width 128 * sqrt(2) = 181.019336, height 128 / sqrt(2) = 90.509668.
    CHECK(a[0].width == Approx(181.01933598375618));
    CHECK(a[0].height == Approx(90.50966799187809));
    CHECK(a[0].x1 == Approx(8.0 - 90.50966799187809));
    CHECK(a[0].y2 == Approx(8.0 + 45.254833995939045));
    // Scale 512, ratio 2 (tall): width 362.038672, height 724.077344.
    CHECK(a[8].width == Approx(362.03867196751236));
    CHECK(a[8].height == Approx(724.0773439350247));

    const std::vector<AnchorBox> b = cell_anchors(18, 25);  // centre (25.5 * 16, 18.5 * 16) = (408, 296)
    CHECK(b[4].x1 == 408.0 - 128.0);
    CHECK(b[4].y1 == 296.0 - 128.0);
    CHECK(b[4].x2 == 408.0 + 128.0);
    CHECK(b[4].y2 == 296.0 + 128.0);
}

TEST_CASE("every anchor has area scale^2, height/width = ratio, and the cell's centre", "[anchors]") {
    const double scales[] = {128, 256, 512}, ratios[] = {0.5, 1, 2};
    for (int row : {0, 7, 37})
        for (int col : {0, 20, 37}) {
            const std::vector<AnchorBox> boxes = cell_anchors(row, col);
            REQUIRE(boxes.size() == 9);
            for (std::size_t i = 0; i < 9; ++i) {
                const AnchorBox& b = boxes[i];
                const double w = b.x2 - b.x1, h = b.y2 - b.y1;
                CHECK(b.scale == scales[i / 3]);
                CHECK(b.ratio == ratios[i % 3]);
                CHECK(w * h == Approx(b.scale * b.scale));
                CHECK(h / w == Approx(b.ratio));
                CHECK((b.x1 + b.x2) / 2 == Approx(16.0 * col + 8.0));
                CHECK((b.y1 + b.y2) / 2 == Approx(16.0 * row + 8.0));
            }
        }
}
