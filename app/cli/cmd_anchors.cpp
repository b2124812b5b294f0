// convscope-cli anchors: the 9 Faster R-CNN anchor boxes of one backbone feature cell, and its receptive field.

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/errors.hpp"
#include "core/model/receptive_field.hpp"
#include "core/teach/anchors.hpp"

namespace convscope::cli {

int cmd_anchors(Args& args) {
    ResNet50Options o = parse_model_options(args, 600);
    const IntPair cell = parse_pair(args.get("cell"), "cell");
    args.finish();
    if (o.last_stage != 4) throw UsageError("--stages " + std::to_string(o.last_stage) +
                                            ": the region proposal network reads stage 4 (stride 16); use --stages 4");
    const Graph g = build_resnet50(o, /*with_weights=*/false);  // shapes and fields need no weights
    const std::vector<Shape> shapes = g.shapes_or_throw();
    const int feature = g.find("res4f_relu");
    const Shape grid = shapes[std::size_t(feature)];
    if (cell.rows < 0 || cell.rows >= grid.h || cell.cols < 0 || cell.cols >= grid.w)
        throw UsageError("--cell " + std::to_string(cell.rows) + "," + std::to_string(cell.cols) + ": the feature grid is " +
                         std::to_string(grid.h) + " x " + std::to_string(grid.w) + ", so ROW must be 0.." +
                         std::to_string(grid.h - 1) + " and COL 0.." + std::to_string(grid.w - 1));
    const NodeField field = receptive_fields(g)[std::size_t(feature)];
    const AnchorSettings settings;  // stride 16, scales 128/256/512, ratios 0.5/1/2
    const std::vector<AnchorBox> boxes = cell_anchors(cell.rows, cell.cols, settings);

    std::printf("feature cell (row %d, col %d) of res4f_relu %s, input %d x %d (height x width)\n", cell.rows, cell.cols,
                plain_shape(grid).c_str(), o.height, o.width);
    std::printf("anchor centre (x, y) = ((%d + 0.5) * %d, (%d + 0.5) * %d) = (%g, %g)\n", cell.cols, settings.stride,
                cell.rows, settings.stride, (cell.cols + 0.5) * settings.stride, (cell.rows + 0.5) * settings.stride);
    // At a size that is not a multiple of the stride the grid's last cells reach past the image (227 rows make
    // 15 cells, the last from row 224): their anchors are centred outside it, which looks like a bug unless said.
    const double cx = (cell.cols + 0.5) * settings.stride, cy = (cell.rows + 0.5) * settings.stride;
    if (cx > o.width || cy > o.height)
        std::printf("this centre lies outside the %d x %d image: the grid has a cell for every started block of %d "
                    "pixels (%d rows, %d cols), so its last cells reach past the edge\n",
                    o.height, o.width, settings.stride, int(grid.h), int(grid.w));
    std::printf("width = scale / sqrt(ratio), height = scale * sqrt(ratio), ratio = height / width\n\n");
    std::printf("%6s %6s %9s %9s %9s %9s %9s %9s\n", "scale", "ratio", "width", "height", "x1", "y1", "x2", "y2");
    int crossing = 0;
    for (const AnchorBox& b : boxes) {
        const bool inside = b.x1 >= 0 && b.y1 >= 0 && b.x2 <= o.width && b.y2 <= o.height;
        crossing += !inside;
        std::printf("%6g %6g %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f%s\n", b.scale, b.ratio, b.width, b.height, b.x1, b.y1,
                    b.x2, b.y2, inside ? "" : "   crosses the image border");
    }
    if (crossing)
        std::printf("(%d of 9 cross the image border: Faster R-CNN leaves such anchors out of its training loss)\n",
                    crossing);
    const FieldRegion r = field.region(cell.rows, cell.cols);
    std::printf("\nreceptive field of this cell: rows %d..%d, cols %d..%d (%d x %d pixels, jump %d)\n", r.row0, r.row1,
                r.col0, r.col1, field.rows.size(), field.cols.size(), field.rows.jump);
    if (r.row0 < 0 || r.col0 < 0 || r.row1 >= o.height || r.col1 >= o.width)
        std::printf("inside the image: rows %d..%d, cols %d..%d; the rest is zero padding\n", std::max(r.row0, 0),
                    std::min(r.row1, o.height - 1), std::max(r.col0, 0), std::min(r.col1, o.width - 1));
    else
        std::printf("all of it inside the image\n");
    std::printf("field centre (x, y) = (%g, %g) in pixel centres, i.e. (%g, %g) in the anchors' continuous coordinates\n",
                0.5 * (r.col0 + r.col1), 0.5 * (r.row0 + r.row1), 0.5 * (r.col0 + r.col1) + 0.5,
                0.5 * (r.row0 + r.row1) + 0.5);
    return 0;
}

}  // namespace convscope::cli
