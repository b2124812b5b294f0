// "Step by step": a convolution computed one output value at a time, as a learner would by hand: the
// playground's, or in the network panel the selected Conv2D with the weights in use (its input is the previous
// node's output, with as many channels as that has). The padded input (zero bands drawn) with the kernel window at the current output position (dilation
// holes left open), the products of one input channel, every channel's partial sum, the bias, the activation,
// and the value written into the growing output map. Play, pause, single steps, a speed; clicking an output
// cell, or the whole channel's overview, jumps the window there.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"
#include "core/render/colormap.hpp"

namespace convscope::gui {

namespace {

ConvStepSource playground_source(const AppState& app) {
    return ConvStepSource{app.playground_input, app.playground_layer, app.playground_output, "playground Conv2D"};
}

// In the network panel with a Conv2D selected: that node, its input's output and its layer (the engine's
// weights, asked for by request_shown_nodes()). Incomplete until all three are here and up to date.
bool network_conv_selected(const AppState& app) {
    return app.panel == Panel::network && app.selected_node >= 0 && conv_config_of(app, app.selected_node).has_value();
}

ConvStepSource network_source(const AppState& app) {
    const int n = app.selected_node;
    const int in = app.ui_graph.node(n).inputs.at(0);
    auto ready = [&](int i) -> std::shared_ptr<const Tensor3> {
        return network_node_ready(app, i) ? app.network_outputs[std::size_t(i)] : nullptr;
    };
    ConvStepSource s{ready(in), app.steps.layer_node == n ? app.steps.layer : nullptr, ready(n),
                     app.ui_graph.node(n).name};
    return s;
}

ImU32 colour_of(float t) {
    const Rgb8 c = colormap_lookup(Colormap::viridis, t);
    return IM_COL32(c.r, c.g, c.b, 255);
}

// Black or white text, whichever reads on the cell.
ImU32 text_on(float t) { return t > 0.55f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255); }

std::string short_number(double v) {
    char b[32];
    std::snprintf(b, sizeof b, std::abs(v) >= 100 || (v != 0 && std::abs(v) < 0.01) ? "%.2g" : "%.2f", v);
    return b;
}

// A value inside its cell, when the cells are large enough and it fits.
void draw_cell_number(ImDrawList* dl, ImVec2 a, float cell, bool numbers, float v, ImU32 colour) {
    if (!numbers) return;
    const std::string text = short_number(v);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    if (size.x > cell - 3) return;
    dl->AddText(ImVec2(a.x + (cell - size.x) * 0.5f, a.y + (cell - size.y) * 0.5f), colour, text.c_str());
}

struct Range {
    float lo = 0, hi = 1;
    float t(float v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.5f; }
};

Range channel_range(const Tensor3& t, int c) {
    Range r{t.size() ? t(0, 0, std::size_t(c)) : 0.0f, t.size() ? t(0, 0, std::size_t(c)) : 1.0f};
    const std::size_t channels = t.shape()[2];
    for (std::size_t i = std::size_t(c); i < t.size(); i += channels) {
        r.lo = std::min(r.lo, t.data()[i]);
        r.hi = std::max(r.hi, t.data()[i]);
    }
    return r;
}

// The padded input region of one channel, with the window's taps outlined. Returns the cell size used.
void draw_padded_input(const ConvStepSource& src, const ConvGeometry& g, const StepPosition& p, const CellRect& view,
                       float cell, const Range& range) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const bool numbers = cell >= ImGui::GetFontSize() * 1.6f;
    for (int r = 0; r < view.rows; ++r)
        for (int c = 0; c < view.cols; ++c) {
            const int pr = view.row0 + r, pc = view.col0 + c;
            const ImVec2 a(o.x + float(c) * cell, o.y + float(r) * cell), b(a.x + cell - 1, a.y + cell - 1);
            if (in_padding(g, pr, pc)) {  // grey and hatched: no colour of the map means "padding"
                dl->AddRectFilled(a, b, IM_COL32(85, 85, 85, 255));
                dl->AddLine(ImVec2(a.x, b.y), ImVec2(b.x, a.y), IM_COL32(130, 130, 130, 255));
                draw_cell_number(dl, a, cell, numbers, 0.0f, IM_COL32(230, 230, 230, 255));
                continue;
            }
            const float v = padded_value(*src.input, g, pr, pc, p.channel);
            dl->AddRectFilled(a, b, colour_of(range.t(v)));
            draw_cell_number(dl, a, cell, numbers, v, text_on(range.t(v)));
        }
    // The taps: every dilation-th cell of the window's extent, starting at (row * stride, col * stride).
    const ImU32 tap = IM_COL32(255, 200, 40, 255);
    for (int ky = 0; ky < g.rows.kernel; ++ky)
        for (int kx = 0; kx < g.cols.kernel; ++kx) {
            const int pr = p.row * g.rows.stride + ky * g.rows.dilation, pc = p.col * g.cols.stride + kx * g.cols.dilation;
            if (!view.contains(pr, pc)) continue;
            const ImVec2 a(o.x + float(pc - view.col0) * cell, o.y + float(pr - view.row0) * cell);
            dl->AddRect(a, ImVec2(a.x + cell - 1, a.y + cell - 1), tap, 0, 0, std::max(2.0f, cell * 0.08f));
        }
    // The window's whole extent, thin: the holes between taps are what dilation skips.
    const ImVec2 e0(o.x + float(p.col * g.cols.stride - view.col0) * cell, o.y + float(p.row * g.rows.stride - view.row0) * cell);
    dl->AddRect(e0, ImVec2(e0.x + float(g.cols.effective_kernel) * cell, e0.y + float(g.rows.effective_kernel) * cell),
                IM_COL32(255, 200, 40, 120), 0, 0, 1.0f);
    ImGui::Dummy(ImVec2(float(view.cols) * cell, float(view.rows) * cell));
    layout_report::item("image", "padded input with the kernel window");
    if (ImGui::IsItemHovered()) {
        const ImVec2 m = ImGui::GetMousePos();
        const int pr = view.row0 + int((m.y - o.y) / cell), pc = view.col0 + int((m.x - o.x) / cell);
        if (in_padding(g, pr, pc))
            ImGui::SetTooltip("padding: a zero (padded row %d, col %d)", pr, pc);
        else
            ImGui::SetTooltip("input (%d, %d), channel %d: %.5g", pr - g.rows.pad_before, pc - g.cols.pad_before, p.channel,
                              double(padded_value(*src.input, g, pr, pc, p.channel)));
    }
}

// The output channel around the position: values written so far (raster order), the current one outlined,
// the rest still empty. Clicking a cell moves the window there.
void draw_output_region(AppState& app, const ConvStepSource& src, const ConvGeometry& g, const CellRect& view,
                        float cell, const Range& range) {
    StepPosition& p = app.steps.position;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const bool numbers = cell >= ImGui::GetFontSize() * 1.6f;
    const long current = long(p.row) * g.cols.out + p.col;
    for (int r = 0; r < view.rows; ++r)
        for (int c = 0; c < view.cols; ++c) {
            const int orow = view.row0 + r, ocol = view.col0 + c;
            const ImVec2 a(o.x + float(c) * cell, o.y + float(r) * cell), b(a.x + cell - 1, a.y + cell - 1);
            if (long(orow) * g.cols.out + ocol > current) {
                dl->AddRect(a, b, IM_COL32(110, 110, 110, 255));
                continue;
            }
            const float v = (*src.output)(std::size_t(orow), std::size_t(ocol), std::size_t(p.filter));
            dl->AddRectFilled(a, b, colour_of(range.t(v)));
            draw_cell_number(dl, a, cell, numbers, v, text_on(range.t(v)));
        }
    const ImVec2 a(o.x + float(p.col - view.col0) * cell, o.y + float(p.row - view.row0) * cell);
    dl->AddRect(a, ImVec2(a.x + cell - 1, a.y + cell - 1), IM_COL32(255, 200, 40, 255), 0, 0, std::max(2.0f, cell * 0.08f));
    ImGui::InvisibleButton("output_cells", ImVec2(float(view.cols) * cell, float(view.rows) * cell));
    layout_report::item("image", "output map being written");
    const ImVec2 m = ImGui::GetMousePos();
    const int hr = view.row0 + int((m.y - o.y) / cell), hc = view.col0 + int((m.x - o.x) / cell);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("output (%d, %d), filter %d: %.5g\nclick: explain this value", hr, hc, p.filter,
                          double((*src.output)(std::size_t(std::clamp(hr, 0, g.rows.out - 1)),
                                               std::size_t(std::clamp(hc, 0, g.cols.out - 1)), std::size_t(p.filter))));
    if (ImGui::IsItemClicked()) {
        p.row = std::clamp(hr, 0, g.rows.out - 1);
        p.col = std::clamp(hc, 0, g.cols.out - 1);
        app.steps.playing = false;
    }
}

// The whole output channel (the feature maps' enlarged texture, when it shows this channel), with the zoomed
// region outlined; a click jumps anywhere.
void draw_overview(AppState& app, const std::shared_ptr<const Tensor3>& output, const ConvGeometry& g,
                   const CellRect& view, float side) {
    if (!app.shown.enlarged.valid() || app.shown.render().tensor != output ||
        app.view.selected_channel != app.steps.position.filter)
        return;
    const float k = side / float(std::max(g.rows.out, g.cols.out));
    const ImVec2 size(float(g.cols.out) * k, float(g.rows.out) * k);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::Image(app.shown.enlarged.imgui_id(), size);
    layout_report::item("image", "the whole output channel");
    ImGui::GetWindowDrawList()->AddRect(ImVec2(o.x + float(view.col0) * k, o.y + float(view.row0) * k),
                                        ImVec2(o.x + float(view.col0 + view.cols) * k, o.y + float(view.row0 + view.rows) * k),
                                        IM_COL32(255, 200, 40, 255), 0, 0, 2.0f);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The whole output channel: click to jump there.");
    if (ImGui::IsItemClicked()) {
        const ImVec2 m = ImGui::GetMousePos();
        app.steps.position.row = std::clamp(int((m.y - o.y) / k), 0, g.rows.out - 1);
        app.steps.position.col = std::clamp(int((m.x - o.x) / k), 0, g.cols.out - 1);
        app.steps.playing = false;
    }
}

// One input channel's taps: input x weight = product.
void draw_taps(const StepExplanation& x, const StepPosition& p, float height) {
    const ConvExplanation& e = x.e;
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(accent_colour(), "channel %d of %d: input x weight = product", p.channel, e.in_c);
    ImGui::PopTextWrapPos();
    tooltip("The window's taps on the input channel drawn above (change it with 'input channel'). Padded taps read "
            "a zero.");
    if (!ImGui::BeginTable("taps", 4, ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV,
                           ImVec2(0, std::max(height, ImGui::GetTextLineHeightWithSpacing() * 3))))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("tap (ky, kx)");
    ImGui::TableSetupColumn("input");
    ImGui::TableSetupColumn("x weight");
    ImGui::TableSetupColumn("= product");
    ImGui::TableHeadersRow();
    for (const WindowTap& t : e.taps) {
        const std::size_t i = e.index(t.ky, t.kx, p.channel);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("(%d, %d)", t.ky, t.kx);
        ImGui::TableNextColumn();
        if (t.padding) ImGui::TextColored(dim_colour(), "pad 0");
        else ImGui::Text("%.5g", double(e.inputs[i]));
        ImGui::TableNextColumn();
        ImGui::Text("%.5g", double(e.weights[i]));
        ImGui::TableNextColumn();
        ImGui::Text("%.5g", e.products[i] == 0.0 ? 0.0 : e.products[i]);  // no "-0" from a zero times a negative
    }
    ImGui::EndTable();
}

// Every channel's partial sum, the bias, the activation, and the value the engine wrote.
void draw_sums(const StepExplanation& x, const StepPosition& p, const Conv2D& conv) {
    const ConvExplanation& e = x.e;
    ImGui::PushTextWrapPos(0.0f);
    const int shown = std::min(e.in_c, 6);
    for (int c = 0; c < shown; ++c)
        ImGui::Text("%s channel %d: sum of %zu products = %.6g", c == p.channel ? ">" : " ", c, e.taps.size(),
                    e.channel_sums[std::size_t(c)]);
    if (e.in_c > shown) ImGui::TextColored(dim_colour(), "  ... and %d more channels", e.in_c - shown);
    ImGui::Text("total over %d channel%s = %.6g", e.in_c, e.in_c == 1 ? "" : "s", e.total);
    if (e.has_bias) ImGui::Text("+ bias[%d] %.6g = %.6g", e.filter, e.bias, e.pre_activation);
    else ImGui::TextColored(dim_colour(), "no bias (use_bias=False): %.6g", e.pre_activation);
    char line[160];
    if (e.activation == ActivationKind::softmax) {
        // Softmax reads every filter at this position: show them, their max and the sum, so it can be redone.
        std::string values;
        const std::size_t shown_filters = std::min<std::size_t>(e.softmax_inputs.size(), 12);
        for (std::size_t f = 0; f < shown_filters; ++f) {
            char v[40];
            std::snprintf(v, sizeof v, int(f) == e.filter ? "[%.6g]" : "%.6g", e.softmax_inputs[f]);
            values += (f ? ", " : "") + std::string(v);
        }
        if (e.softmax_inputs.size() > shown_filters)
            values += ", ... (" + std::to_string(e.softmax_inputs.size() - shown_filters) + " more)";
        // Wrapped at spaces only: ImGui's own wrap would break a value after its '.'.
        wrapped_text("softmax over the " + std::to_string(e.softmax_inputs.size()) + " filters here (sum + bias of each): " +
                         values, ImGui::GetStyleColorVec4(ImGuiCol_Text));
        ImGui::Text("max %.6g, sum of exp(value - max) %.6g", e.softmax_max, e.softmax_sum);
        std::snprintf(line, sizeof line, "exp(%.6g - %.6g) / %.6g = %.6g", e.pre_activation, e.softmax_max,
                      e.softmax_sum, e.output);
    } else {
        std::snprintf(line, sizeof line, "%s(%.6g) = %.6g", to_string(e.activation), e.pre_activation, e.output);
    }
    ImGui::TextColored(accent_colour(), "%s", line);
    layout_report::item("label", line);
    tooltip("The activation (%s) applied to the sum: the value Keras writes at output (%d, %d) of filter %d.",
            to_string(conv.config().activation), e.row, e.col, e.filter);
    char engine[120];
    std::snprintf(engine, sizeof engine, "the engine wrote %.6g at (%d, %d)%s", double(x.engine_value), e.row, e.col,
                  x.agrees ? ": the same" : "");
    ImGui::TextColored(x.agrees ? ok_colour() : error_colour(), "%s", engine);
    layout_report::item("label", engine);
    ImGui::PopTextWrapPos();
}

}  // namespace

bool conv_steps_animating(const AppState& app) { return app.settings.show_steps && app.steps.playing; }

void draw_conv_steps(AppState& app) {
    if (!app.settings.show_steps) return;
    const float F = ImGui::GetFontSize();
    if (!begin_tool_window("Step by step: one output value", &app.settings.show_steps, 50, 38, 1.0f)) {
        ImGui::End();
        return;
    }
    const bool network = network_conv_selected(app);
    const ConvStepSource src = network ? network_source(app) : playground_source(app);
    if (!src.complete()) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(dim_colour(), "%s", network ? ("Waiting for " + src.name + "'s input, output and weights...").c_str()
                                                       : "The playground's convolution appears here once it is computed. "
                                                         "In the network panel, select a Conv2D to take it apart.");
        ImGui::PopTextWrapPos();
        ImGui::End();
        return;
    }
    ImGui::TextColored(accent_colour(), "%s", src.name.c_str());
    tooltip(network ? "The Conv2D selected in the network panel, with the weights in use. In the playground, this "
                      "window explains the playground's convolution."
                    : "The playground's convolution. In the network panel, select a Conv2D to take it apart.");
    ImGui::SameLine();
    ConvSteps& st = app.steps;
    st.position.filter = app.view.selected_channel;  // one channel for the maps, the inspector and this view
    st.position = clamp_position(src, st.position);
    app.view.selected_channel = st.position.filter;
    const ConvGeometry g = src.geometry();

    // Playback: one output position per 1/speed seconds.
    const double now = now_seconds();
    if (st.playing && now - st.last_step_time >= 1.0 / double(st.speed)) {
        st.position = next_position(src, st.position);
        st.last_step_time = now;
    }

    // Controls.
    if (ImGui::Button("|<")) st.position.row = st.position.col = 0, st.playing = false;
    tooltip("Back to output (0, 0).");
    ImGui::SameLine();
    if (ImGui::Button("<")) st.position = previous_position(src, st.position), st.playing = false;
    tooltip("The previous output position.");
    ImGui::SameLine();
    if (ImGui::Button(st.playing ? "Pause" : "Play")) {
        st.playing = !st.playing;
        st.last_step_time = now;
    }
    layout_report::item("button", st.playing ? "Pause" : "Play");
    tooltip("Slide the window over every output position in turn, writing each value into the output map.");
    ImGui::SameLine();
    if (ImGui::Button(">")) st.position = next_position(src, st.position), st.playing = false;
    tooltip("The next output position (rows first, then columns, as the window slides).");
    same_line_if_fits(labelled_width(F * 6, "per second"));
    ImGui::SetNextItemWidth(F * 6);
    // A drag field like the row and col fields below, not a slider: a slider's grab sits on its number and, in a
    // window that just opened, read as a text cursor in a focused field.
    ImGui::DragFloat("per second", &st.speed, 0.05f, 0.5f, 50.0f, "%.1f",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    tooltip("Output positions per second while playing (0.5 to 50). Drag, or double-click to type.");
    ImGui::SetNextItemWidth(F * 3);
    int_field("row", st.position.row, 0.2f, 0, g.rows.out - 1);
    tooltip("The output row explained (0 to %d).", g.rows.out - 1);
    same_line_if_fits(labelled_width(F * 3, "col"));
    ImGui::SetNextItemWidth(F * 3);
    int_field("col", st.position.col, 0.2f, 0, g.cols.out - 1);
    tooltip("The output column explained (0 to %d).", g.cols.out - 1);
    same_line_if_fits(labelled_width(F * 3, "filter"));
    ImGui::SetNextItemWidth(F * 3);
    if (int_field("filter", st.position.filter, 0.1f, 0, int(src.output->shape()[2]) - 1))
        app.view.selected_channel = st.position.filter;
    tooltip("The output channel (filter) explained; the feature maps' selected channel follows.");
    same_line_if_fits(labelled_width(F * 3, "input channel"));
    ImGui::SetNextItemWidth(F * 3);
    int_field("input channel", st.position.channel, 0.1f, 0, int(src.input->shape()[2]) - 1);
    tooltip("The input channel drawn on the left and in the table (the sum uses all %d).", int(src.input->shape()[2]));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(dim_colour(), "%s: input %d x %d, kernel %d x %d, strides %d x %d, dilation %d x %d, padding %s "
                       "(top %d, bottom %d, left %d, right %d) -> output %d x %d",
                       src.conv().keras_line().c_str(), g.rows.in, g.cols.in, g.rows.kernel, g.cols.kernel,
                       g.rows.stride, g.cols.stride, g.rows.dilation, g.cols.dilation, to_string(g.rows.padding),
                       g.rows.pad_before, g.rows.pad_after, g.cols.pad_before, g.cols.pad_after, g.rows.out, g.cols.out);
    ImGui::PopTextWrapPos();

    StepExplanation x;
    try {
        x = explain(src, st.position);
    } catch (const std::exception& e) {
        error_text(e.what());
        ImGui::End();
        return;
    }

    // Row 1: padded input | output being written | the whole output channel. Row 2: the taps | the sums.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float third = (avail.x - 2 * F) / 3.0f;
    const int want = std::max(st.max_cells, std::max(g.rows.effective_kernel, g.cols.effective_kernel) + 2);
    const CellRect in_view = padded_view(g, st.position, want);
    const CellRect out_view = output_view(g, st.position, std::max(5, want / std::max(1, g.rows.stride)));
    const float row2_h = ImGui::GetTextLineHeightWithSpacing() * 9;
    // As large as fits above row 2; in a window too short for both (a large UI scale) the pictures take their
    // column's width and the window scrolls to row 2.
    const float fits = avail.y - row2_h - ImGui::GetTextLineHeightWithSpacing() * 2;
    const float pic = fits < F * 8 ? third : std::min(third, fits);
    const float in_cell = std::floor(pic / float(std::max(in_view.cols, in_view.rows)));
    const float out_cell = std::floor(pic / float(std::max(out_view.cols, out_view.rows)));
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + third);  // a heading never widens its column
    ImGui::TextColored(accent_colour(), "padded input, channel %d", st.position.channel);
    ImGui::PopTextWrapPos();
    tooltip("Grey, hatched: the zero padding. Yellow squares: the taps the kernel reads; the thin outline is the window's "
            "whole extent (with dilation > 1, the cells between taps are skipped). Rows %d..%d, cols %d..%d of the "
            "padded input.", in_view.row0, in_view.row0 + in_view.rows - 1, in_view.col0, in_view.col0 + in_view.cols - 1);
    draw_padded_input(src, g, st.position, in_view, in_cell, channel_range(*src.input, st.position.channel));
    ImGui::EndGroup();
    ImGui::SameLine(0, F);
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + third);  // a heading never widens its column
    ImGui::TextColored(accent_colour(), "output, filter %d", st.position.filter);
    ImGui::PopTextWrapPos();
    tooltip("Values written so far, in the order the window slides; the yellow square is the one being computed. "
            "Click any cell to explain it.");
    draw_output_region(app, src, g, out_view, out_cell, channel_range(*src.output, st.position.filter));
    ImGui::EndGroup();
    ImGui::SameLine(0, F);
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + third);  // a heading never widens its column
    ImGui::TextColored(accent_colour(), "whole output %d x %d", g.rows.out, g.cols.out);
    ImGui::PopTextWrapPos();
    tooltip("The output channel as the feature maps show it; the yellow outline is the part drawn on the left.");
    draw_overview(app, src.output, g, out_view, pic);
    ImGui::EndGroup();

    // Row 2 takes what is left of the window, but never less than it needs to be read: then the window scrolls
    // (a projector at a large UI scale). A table, not child windows, so the window scrolls all of it.
    const float row2 = std::max(ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y, row2_h);
    if (ImGui::BeginTable("row2", 2, ImGuiTableFlags_SizingStretchSame)) {
        ImGui::TableNextColumn();
        draw_taps(x, st.position, row2 - ImGui::GetTextLineHeightWithSpacing() * 2);
        ImGui::TableNextColumn();
        draw_sums(x, st.position, src.conv());
        ImGui::EndTable();
    }
    ImGui::End();
}

}  // namespace convscope::gui
