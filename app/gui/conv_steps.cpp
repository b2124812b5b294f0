#include "app/gui/conv_steps.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"

namespace convscope::gui {

const Conv2D& ConvStepSource::conv() const {
    const auto* c = dynamic_cast<const Conv2D*>(layer.get());
    if (!c) throw ConfigError(name + " is not a Conv2D");
    return *c;
}

ConvGeometry ConvStepSource::geometry() const { return conv().geometry(shape_of(*input)); }

StepPosition clamp_position(const ConvStepSource& s, StepPosition p) {
    const ConvGeometry g = s.geometry();
    p.row = std::clamp(p.row, 0, std::max(0, g.rows.out - 1));
    p.col = std::clamp(p.col, 0, std::max(0, g.cols.out - 1));
    p.filter = std::clamp(p.filter, 0, int(s.output->shape()[2]) - 1);
    p.channel = std::clamp(p.channel, 0, int(s.input->shape()[2]) - 1);
    return p;
}

StepPosition next_position(const ConvStepSource& s, StepPosition p) {
    const ConvGeometry g = s.geometry();
    if (++p.col >= g.cols.out) {
        p.col = 0;
        if (++p.row >= g.rows.out) p.row = 0;
    }
    return p;
}

StepPosition previous_position(const ConvStepSource& s, StepPosition p) {
    const ConvGeometry g = s.geometry();
    if (--p.col < 0) {
        p.col = g.cols.out - 1;
        if (--p.row < 0) p.row = g.rows.out - 1;
    }
    return p;
}

namespace {

// [start, start + size) of length min(total, max(size_wanted, must_len)) containing [must0, must0 + must_len),
// centred on it where the bounds allow.
void fit_axis(int total, int wanted, int must0, int must_len, int& start, int& size) {
    size = std::min(total, std::max(wanted, must_len));
    start = must0 + must_len / 2 - size / 2;
    start = std::clamp(start, 0, std::max(0, total - size));
}

}  // namespace

CellRect padded_view(const ConvGeometry& g, const StepPosition& p, int max_cells) {
    const int total_rows = g.rows.pad_before + g.rows.in + g.rows.pad_after;
    const int total_cols = g.cols.pad_before + g.cols.in + g.cols.pad_after;
    CellRect r;
    // The window's first tap in padded coordinates is (row * stride, col * stride).
    fit_axis(total_rows, max_cells, p.row * g.rows.stride, g.rows.effective_kernel, r.row0, r.rows);
    fit_axis(total_cols, max_cells, p.col * g.cols.stride, g.cols.effective_kernel, r.col0, r.cols);
    return r;
}

CellRect output_view(const ConvGeometry& g, const StepPosition& p, int max_cells) {
    CellRect r;
    fit_axis(g.rows.out, max_cells, p.row, 1, r.row0, r.rows);
    fit_axis(g.cols.out, max_cells, p.col, 1, r.col0, r.cols);
    return r;
}

bool in_padding(const ConvGeometry& g, int prow, int pcol) {
    const int r = prow - g.rows.pad_before, c = pcol - g.cols.pad_before;
    return r < 0 || r >= g.rows.in || c < 0 || c >= g.cols.in;
}

float padded_value(const Tensor3& input, const ConvGeometry& g, int prow, int pcol, int c) {
    if (in_padding(g, prow, pcol)) return 0.0f;
    return input(std::size_t(prow - g.rows.pad_before), std::size_t(pcol - g.cols.pad_before), std::size_t(c));
}

StepExplanation explain(const ConvStepSource& s, const StepPosition& p) {
    StepExplanation x;
    x.e = explain_conv(s.conv(), *s.input, p.row, p.col, p.filter);
    x.engine_value = (*s.output)(std::size_t(p.row), std::size_t(p.col), std::size_t(p.filter));
    x.agrees = std::abs(x.e.output - double(x.engine_value)) <= 1e-5 * std::max(1.0, std::abs(double(x.engine_value)));
    return x;
}

}  // namespace convscope::gui
