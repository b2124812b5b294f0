#include "core/model/receptive_field.hpp"

#include <algorithm>

#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"

namespace convscope {

namespace {

FieldAxis through_window(const FieldAxis& in, const AxisGeometry& a) {
    FieldAxis out;
    out.jump = in.jump * a.stride;
    out.first = in.first - a.pad_before * in.jump;
    out.last = in.last + ((a.kernel - 1) * a.dilation - a.pad_before) * in.jump;
    return out;
}

FieldAxis hull(const FieldAxis& a, const FieldAxis& b) {
    FieldAxis out = a;
    out.first = std::min(a.first, b.first);
    out.last = std::max(a.last, b.last);
    return out;
}

}  // namespace

std::vector<NodeField> receptive_fields(const Graph& g, const std::vector<NodeShape>& shapes) {
    std::vector<NodeField> fields(std::size_t(g.size()));
    for (int i = 0; i < g.size(); ++i) {
        const Node& n = g.node(i);
        NodeField& f = fields[std::size_t(i)];
        if (std::size_t(i) >= shapes.size() || !shapes[std::size_t(i)].ok()) continue;
        if (n.inputs.empty()) {  // the input image: each position is itself
            f.ok = true;
            continue;
        }
        bool inputs_ok = true;
        for (int j : n.inputs) inputs_ok = inputs_ok && fields[std::size_t(j)].ok;
        if (!inputs_ok) continue;
        const NodeField& in = fields[std::size_t(n.inputs[0])];
        const Shape in_shape = *shapes[std::size_t(n.inputs[0])].shape;
        f.ok = true;
        if (shapes[std::size_t(i)].shape->flat || in.global) {
            // A vector reads every position of its input: report the whole image's field.
            f.global = true;
            f.rows = in.rows;
            f.cols = in.cols;
            if (!in.global && !in_shape.flat) {
                f.rows.last = in.rows.last + (in_shape.h - 1) * in.rows.jump;
                f.cols.last = in.cols.last + (in_shape.w - 1) * in.cols.jump;
            }
            continue;
        }
        if (const auto* conv = dynamic_cast<const Conv2D*>(n.layer.get())) {
            const ConvGeometry geo = conv->geometry(in_shape);
            f.rows = through_window(in.rows, geo.rows);
            f.cols = through_window(in.cols, geo.cols);
        } else if (const auto* pool = dynamic_cast<const MaxPooling2D*>(n.layer.get())) {
            const MaxPooling2DConfig& k = pool->config();
            const IntPair s = k.effective_strides();
            f.rows = through_window(in.rows, axis_geometry(in_shape.h, k.pool_size.rows, s.rows, 1, k.padding));
            f.cols = through_window(in.cols, axis_geometry(in_shape.w, k.pool_size.cols, s.cols, 1, k.padding));
        } else if (const auto* pad = dynamic_cast<const ZeroPadding2D*>(n.layer.get())) {
            f.rows = in.rows;
            f.cols = in.cols;
            f.rows.first -= pad->config().top * in.rows.jump;
            f.rows.last -= pad->config().top * in.rows.jump;
            f.cols.first -= pad->config().left * in.cols.jump;
            f.cols.last -= pad->config().left * in.cols.jump;
        } else {  // elementwise (BatchNormalization, Activation) or Add: the hull of the inputs' fields
            f.rows = in.rows;
            f.cols = in.cols;
            for (std::size_t k = 1; k < n.inputs.size(); ++k) {
                f.rows = hull(f.rows, fields[std::size_t(n.inputs[k])].rows);
                f.cols = hull(f.cols, fields[std::size_t(n.inputs[k])].cols);
            }
        }
    }
    return fields;
}

std::vector<NodeField> receptive_fields(const Graph& g) { return receptive_fields(g, g.infer_shapes()); }

FieldRegion window_field(const ConvGeometry& g, int row, int col) {
    const FieldAxis r = through_window(FieldAxis{}, g.rows), c = through_window(FieldAxis{}, g.cols);
    return FieldRegion{row * r.jump + r.first, row * r.jump + r.last, col * c.jump + c.first, col * c.jump + c.last};
}

}  // namespace convscope
