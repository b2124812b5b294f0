// Feature maps: every channel of the shown tensor as a grid, with paging, normalisation and colour maps.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

namespace {

const char* kNormTips[] = {
    "per-channel: each map is stretched over its own [min, max], so every map uses the whole colour range "
    "(good for seeing patterns; brightness cannot be compared between maps)",
    "per-layer: one [min, max] for the whole tensor, so maps can be compared (a weak channel looks dark)",
    "symmetric: [-m, m] with m = max |x| of the tensor, so zero is the middle colour (pair it with the "
    "diverging map: negatives blue, zero white, positives red)"};

void draw_view_controls(AppState& app, int channels) {
    ViewOptions& v = app.view;
    const auto norms = normalization_names();
    int n = int(v.normalization);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.5f);
    if (ImGui::BeginCombo("normalise", norms[std::size_t(n)].c_str())) {
        for (std::size_t i = 0; i < norms.size(); ++i) {
            if (ImGui::Selectable(norms[i].c_str(), int(i) == n)) v.normalization = Normalization(i);
            tooltip("%s", kNormTips[i]);
        }
        ImGui::EndCombo();
    }
    layout_report::item("combo", "normalise: " + norms[std::size_t(n)]);  // tests read which one is chosen
    tooltip("%s\n(N cycles)", kNormTips[n]);
    same_line_if_fits(labelled_width(ImGui::GetFontSize() * 6.5f, "colours"));
    const auto cmaps = colormap_names();
    int c = int(v.colormap);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
    if (ImGui::BeginCombo("colours", cmaps[std::size_t(c)].c_str())) {
        for (std::size_t i = 0; i < cmaps.size(); ++i)
            if (ImGui::Selectable(cmaps[i].c_str(), int(i) == c)) v.colormap = Colormap(i);
        ImGui::EndCombo();
    }
    tooltip("Colour map: gray, viridis and magma run dark (low) to bright (high); diverging runs blue - white - red "
            "for signed values. (C cycles)");
    if (channels > v.per_page) {
        const int pages = (channels + v.per_page - 1) / v.per_page;
        v.page = std::clamp(v.page, 0, pages - 1);
        char shown[64];
        const int first = v.page * v.per_page, last = std::min(channels, first + v.per_page) - 1;
        std::snprintf(shown, sizeof shown, "%d-%d of %d shown", first, last, channels);
        const float arrow = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemSpacing.x;
        same_line_if_fits(2 * arrow + text_width(shown));
        if (ImGui::ArrowButton("prev_page", ImGuiDir_Left)) v.page = std::max(0, v.page - 1);
        tooltip("Previous page of channels ([).");
        ImGui::SameLine();
        ImGui::TextUnformatted(shown);
        tooltip("The grid shows %d channels per page; this is page %d of %d.", v.per_page, v.page + 1, pages);
        ImGui::SameLine();
        if (ImGui::ArrowButton("next_page", ImGuiDir_Right)) v.page = std::min(pages - 1, v.page + 1);
        tooltip("Next page of channels (]).");
    }
}

}  // namespace

// A horizontal colour bar with values written under it in the UI font. `range` null: per-channel grid,
// whose cells each have their own range.
void draw_colorbar(const RenderResult& r, float width, const ValueRange* range) {
    const auto& table = colormap_table(r.colormap);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetFontSize() * 0.8f;
    const int steps = 64;
    for (int i = 0; i < steps; ++i) {
        const Rgb8 c = table[std::size_t(i * 255 / (steps - 1))];
        const float x0 = p.x + width * float(i) / steps, x1 = p.x + width * float(i + 1) / steps;
        dl->AddRectFilled(ImVec2(x0, p.y), ImVec2(x1 + 1, p.y + h), IM_COL32(c.r, c.g, c.b, 255));
    }
    ImGui::Dummy(ImVec2(width, h));
    tooltip("Colour bar: the colour each value gets under the current normalisation.");
    const bool per_channel = range == nullptr;
    if (!per_channel && range->constant()) {  // a constant channel: one value, not "0 0 0" along the bar
        const std::string one = "every value " + format_value(range->lo) + " (constant)";
        ImGui::TextUnformatted(one.c_str());
        layout_report::item("label", one);
        tooltip("This channel holds one value everywhere, so it has no range to spread over the colours: it is painted "
                "with the colour map's \"nothing\" colour (the dark end; white for diverging).");
        return;
    }
    const std::string lo = per_channel ? "each map's min" : format_value(range->lo);
    const std::string mid = per_channel ? "" : format_value(0.5f * (range->lo + range->hi));
    const std::string hi = per_channel ? "each map's max" : format_value(range->hi);
    // min at the left, max at the right, the middle value only where it fits between them.
    const float wl = ImGui::CalcTextSize(lo.c_str()).x, wm = ImGui::CalcTextSize(mid.c_str()).x,
                wh = ImGui::CalcTextSize(hi.c_str()).x, pad = ImGui::GetFontSize();
    const float x0 = ImGui::GetCursorPosX();
    ImGui::TextUnformatted(lo.c_str());
    tooltip("%s", per_channel ? "Per-channel: the left end is each map's own minimum (see the inspector for its value)."
                              : "The value shown with the left-end colour.");
    if (!mid.empty() && wl + wm + wh + 2 * pad < width) {
        ImGui::SameLine(x0 + width * 0.5f - wm * 0.5f);
        ImGui::TextUnformatted(mid.c_str());
        tooltip("The value shown with the middle colour.");
    }
    if (wl + wh + pad < width) ImGui::SameLine(x0 + width - wh);
    ImGui::TextUnformatted(hi.c_str());
    tooltip("%s", per_channel ? "Per-channel: the right end is each map's own maximum."
                              : "The value shown with the right-end colour.");
}

void draw_feature_maps(AppState& app) {
    // Tiles never shrink below a readable size (a projector at 300 % included): fewer channels per page
    // instead, and the page arrows appear. The page follows the selected channel when the count changes.
    const float min_tile = std::max(48.0f, ImGui::GetFontSize() * 2.5f);
    const int fit = std::max(1, int(app.grid_area_w / min_tile)) * std::max(1, int(app.grid_area_h / min_tile));
    const int per_page = std::clamp(fit, 1, 64);
    if (per_page != app.view.per_page) {
        app.view.page = app.view.selected_channel / per_page;
        app.view.per_page = per_page;
    }
    std::string title;
    std::shared_ptr<const Tensor3> t = current_tensor(app, &title);
    const RenderResult& r = app.shown.render();
    const bool have = r.tensor != nullptr;
    const Tensor3* shown_tensor = have ? r.tensor.get() : nullptr;
    ImGui::TextColored(accent_colour(), "%s", title.c_str());
    layout_report::item("label", title);
    if (t) {
        // The playground's layer may be channels_first: its output shape is written as Keras writes it (the
        // arithmetic above the maps does the same); the maps themselves are the same either way.
        const bool first = app.panel == Panel::playground && app.playground.conv.data_format == DataFormat::channels_first;
        const std::string shape = keras_shape(shape_of(*t), first ? DataFormat::channels_first : DataFormat::channels_last);
        same_line_if_fits(text_width(shape.c_str()));
        text_tip(shape, first ? "Shape of the maps below as the channels_first layer writes it: (batch, channels, rows, "
                                "cols)."
                              : "Shape of the maps below: (batch, rows, cols, channels).");
    }
    bool stale = false;
    if (app.panel == Panel::network && app.selected_node >= 0 &&
        std::size_t(app.selected_node) < app.network_stale.size())
        stale = app.network_stale[std::size_t(app.selected_node)] != 0;
    std::string broken;  // the first node whose shape fails: nothing new can be computed until it is fixed
    if (app.panel == Panel::network)
        for (std::size_t i = 0; i < app.ui_shapes.size() && broken.empty(); ++i)
            if (!app.ui_shapes[i].ok() && !app.ui_shapes[i].upstream_error) broken = app.ui_graph.node(int(i)).name;
    if (!broken.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(error_colour(), "(shape error at %s: nothing is recomputed until it is fixed%s)",
                           broken.c_str(), t ? "; showing the last valid result" : "");
    } else if (app.panel == Panel::playground && !app.playground_error.empty()) {
        // "the last valid result" only when there is one on screen.
        const char* what = app.playground_over_limit ? "too large for the playground" : "impossible parameters";
        const std::string note = std::string("(") + what + (have ? ": showing the last valid result)" : ": nothing to show)");
        ImGui::SameLine();
        ImGui::TextColored(error_colour(), "%s", note.c_str());
        layout_report::item("label", note);
    } else if (!t || stale || (have && shown_tensor != t.get())) {
        ImGui::SameLine();
        ImGui::TextColored(dim_colour(), t ? "(updating; showing the last result)" : "(computing...)");
    }
    draw_view_controls(app, t ? int(t->shape()[2]) : (have ? r.channels : 0));

    // The grid, fitted into what is left above the colour bar.
    const float bar_h = ImGui::GetFontSize() * 0.8f + ImGui::GetTextLineHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 2;
    // At least one row of readable tiles: on a short window the grid scrolls rather than vanishing.
    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.y = std::max(avail.y - bar_h, min_tile);
    avail.x = std::max(avail.x, min_tile);
    // Measured before anything is rendered too: else the first render is sized for a guess, and made again
    // for the real area a frame later (at 600 x 600, during the network run it slows).
    app.grid_area_w = avail.x;  // the next render sizes its cells for this
    app.grid_area_h = avail.y;
    if (!have || r.grid.width <= 0) return;
    const float scale = std::min(avail.x / float(r.grid.width), avail.y / float(r.grid.height));
    const ImVec2 size(float(r.grid.width) * scale, float(r.grid.height) * scale);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Image(app.shown.grid.imgui_id(), size);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const GridLayout& L = r.layout;
    if (layout_report::enabled()) {
        char tiles[64];
        std::snprintf(tiles, sizeof tiles, "tiles %.0f x %.0f px", double(float(L.cell_w) * scale), double(float(L.cell_h) * scale));
        layout_report::item("grid", tiles);
    }

    // Channel numbers in the UI font (crisp on a projector), on a dark chip so they read on any colour.
    const float label_scale = std::min(1.0f, (float(L.cell_w) * scale) / (ImGui::GetFontSize() * 2.2f));
    for (int i = 0; i < L.count; ++i) {
        const Rect c = L.cell(i);
        const ImVec2 p(origin.x + float(c.x) * scale, origin.y + float(c.y) * scale);
        const std::string num = std::to_string(L.first_channel + i);
        if (label_scale > 0.45f) {
            const float fs = ImGui::GetFontSize() * label_scale;
            const ImVec2 ts = ImGui::CalcTextSize(num.c_str());
            dl->AddRectFilled(p, ImVec2(p.x + ts.x * label_scale + 4, p.y + fs + 2), IM_COL32(0, 0, 0, 150));
            dl->AddText(ImGui::GetFont(), fs, ImVec2(p.x + 2, p.y + 1), IM_COL32(255, 255, 255, 255), num.c_str());
        }
        // A constant channel (a dead ReLU) is painted in the map's "nothing" colour; the chip says why.
        const std::size_t ch = std::size_t(L.first_channel + i);
        if (ch < r.channel_ranges.size() && r.channel_ranges[ch].constant() && label_scale > 0.45f) {
            // "constant 0" where it fits, else "= 0" (the hover tooltip and the inspector say the rest).
            std::string text = constant_label(r.channel_ranges[ch].lo);
            const float fs = ImGui::GetFontSize() * label_scale;
            if ((ImGui::CalcTextSize(text.c_str()).x) * label_scale + 4 > float(c.w) * scale)
                text = "= " + format_value(r.channel_ranges[ch].lo);
            const float tw = ImGui::CalcTextSize(text.c_str()).x * label_scale;
            const ImVec2 q(p.x, p.y + float(c.h) * scale - fs - 2);
            if (tw + 4 <= float(c.w) * scale) {
                dl->AddRectFilled(q, ImVec2(q.x + tw + 4, q.y + fs + 2), IM_COL32(0, 0, 0, 170));
                dl->AddText(ImGui::GetFont(), fs, ImVec2(q.x + 2, q.y + 1), IM_COL32(255, 255, 255, 255), text.c_str());
            }
            if (layout_report::enabled()) layout_report::item("tile", std::to_string(ch) + ": " + text);
        }
        if (L.first_channel + i == r.selected_channel)
            dl->AddRect(ImVec2(p.x - 2, p.y - 2),
                        ImVec2(p.x + float(c.w) * scale + 2, p.y + float(c.h) * scale + 2),
                        ImGui::GetColorU32(accent_colour()), 0, 0, 3.0f);
    }

    // Hover: the value under the mouse and where in the input it comes from; click enlarges the channel.
    if (ImGui::IsItemHovered()) {
        const ImVec2 m = ImGui::GetMousePos();
        const int x = int((m.x - origin.x) / scale), y = int((m.y - origin.y) / scale);
        int ch = 0, row = 0, col = 0;
        if (L.activation_at(x, y, ch, row, col)) {
            const float v = (*r.tensor)(std::size_t(row), std::size_t(col), std::size_t(ch));
            set_hover(app, ch, row, col);
            std::string where;
            if (app.hover.region) {
                const InputRegion& reg = *app.hover.region;
                where = "\ncomes from input rows " + std::to_string(reg.row0) + "-" + std::to_string(reg.row1) +
                        ", cols " + std::to_string(reg.col0) + "-" + std::to_string(reg.col1) + " (of " +
                        std::to_string(reg.input_h) + "x" + std::to_string(reg.input_w) +
                        "; outside that range is padding) - outlined in the inspector";
            }
            ImGui::BeginTooltip();
            ImGui::Text("value %s at (row %d, col %d, channel %d)", format_value(v).c_str(), row, col, ch);
            const ValueRange own = std::size_t(ch) < r.channel_ranges.size() ? r.channel_ranges[std::size_t(ch)] : ValueRange{0, 1};
            if (own.constant()) ImGui::TextColored(changed_colour(), "channel %d: %s", ch, constant_description(own.lo).c_str());
            if (!where.empty()) ImGui::TextUnformatted(where.c_str() + 1);
            ImGui::TextColored(dim_colour(), "click to enlarge channel %d", ch);
            ImGui::EndTooltip();
            if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) app.view.selected_channel = ch;
        }
    }
    draw_colorbar(r, std::min(size.x, ImGui::GetFontSize() * 30),
                  r.normalization == Normalization::per_channel ? nullptr : &r.shared);
}

}  // namespace convscope::gui
