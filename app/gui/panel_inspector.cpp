// The inspector: the enlarged channel, its statistics and histogram, and the input region under the mouse.
#include <algorithm>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

void draw_colorbar(const RenderResult& r, float width, const ValueRange* range);  // panel_feature_maps.cpp

static void draw_input_thumbnail(AppState& app, ImVec2 max_size) {
    if (!app.image_texture.valid()) return;
    const float iw = float(app.image_texture.width()), ih = float(app.image_texture.height());
    const float scale = std::min(max_size.x / iw, max_size.y / ih);
    const ImVec2 size(iw * scale, ih * scale);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Image(app.image_texture.imgui_id(), size);
    tooltip("The input image, stretched to the model input size before preprocessing. While you hover a map, the "
            "outline shows the input pixels that activation depends on (its receptive field).");
    if (app.hover.valid && app.hover.region && app.hover.region->input_h > 0) {
        const InputRegion& reg = *app.hover.region;
        // Input coordinates are in the model input's pixels; the thumbnail shows the original image.
        const float sy = size.y / float(reg.input_h), sx = size.x / float(reg.input_w);
        ImVec2 a(origin.x + float(reg.col0) * sx, origin.y + float(reg.row0) * sy);
        ImVec2 b(origin.x + float(reg.col1 + 1) * sx, origin.y + float(reg.row1 + 1) * sy);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
        dl->AddRectFilled(a, b, IM_COL32(255, 60, 40, 60));
        dl->AddRect(a, b, IM_COL32(255, 60, 40, 255), 0, 0, 2.0f);
        dl->PopClipRect();
    }
}

void draw_inspector(AppState& app) {
    const RenderResult& r = app.shown.render();
    if (!r.tensor) {
        ImGui::TextColored(dim_colour(), "The enlarged channel appears here once maps are computed.");
        draw_input_thumbnail(app, ImVec2(ImGui::GetContentRegionAvail().x * 0.5f, ImGui::GetContentRegionAvail().y));
        return;
    }
    const int ch = r.selected_channel;
    ImGui::TextColored(accent_colour(), "channel %d of %d", ch, r.channels);
    tooltip("Click a map in the grid to enlarge it; , and . step through channels.");
    ImGui::SameLine();
    if (ImGui::ArrowButton("prev_ch", ImGuiDir_Left)) app.view.selected_channel = std::max(0, ch - 1);
    tooltip("Previous channel (,).");
    ImGui::SameLine();
    if (ImGui::ArrowButton("next_ch", ImGuiDir_Right)) app.view.selected_channel = std::min(r.channels - 1, ch + 1);
    tooltip("Next channel (.).");

    // Three columns: the enlarged channel (the largest), its numbers, the input image.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    // The statistics never wrap ("min -8." over "236" reads as two numbers): their column is at least as wide
    // as the longest line. The pictures keep a visible minimum, the enlarged channel that of its colour bar.
    const ChannelStats& s = r.selected_stats;
    const std::string lines[4] = {"min " + format_value(s.min), "max " + format_value(s.max),
                                  "mean " + format_value(float(s.mean)), "std " + format_value(float(s.std))};
    float widest = 0.0f;
    for (const std::string& l : lines) widest = std::max(widest, ImGui::CalcTextSize(l.c_str()).x);
    const float F = ImGui::GetFontSize();
    const float bar_min = F * 8;  // draw_colorbar()'s narrowest, its three numbers side by side
    // When the three minimums do not fit side by side (the inspector at 250 % on 1600 x 1000 scrolled sideways),
    // the input image goes under the other two, and on a narrower window everything is stacked: the inspector
    // then scrolls up and down only.
    const int columns = bar_min + widest + F * 4 + 2 * spacing <= avail.x ? 3 : bar_min + widest + spacing <= avail.x ? 2 : 1;
    float enlarged_w = avail.x, stats_w = std::max(widest, avail.x), input_w = avail.x;
    if (columns == 3) {
        stats_w = std::max(avail.x * 0.26f - spacing, widest);
        input_w = std::max(F * 4, avail.x * 0.32f - spacing);
        enlarged_w = std::max(bar_min, std::min(avail.x * 0.42f - spacing, avail.x - stats_w - input_w - 2 * spacing));
    } else if (columns == 2) {
        stats_w = std::max(widest, (avail.x - spacing) * 0.4f);
        enlarged_w = std::max(bar_min, avail.x - spacing - stats_w);
    }
    const float img_h = std::max(F * 4, avail.y - ImGui::GetTextLineHeightWithSpacing() - F * 1.2f);
    ImGui::BeginGroup();
    if (app.shown.enlarged.valid()) {
        const float w = float(app.shown.enlarged.width()), h = float(app.shown.enlarged.height());
        const float scale = std::min(enlarged_w / w, img_h / h);
        const ImVec2 size(w * scale, h * scale);
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        ImGui::Image(app.shown.enlarged.imgui_id(), size);
        if (ImGui::IsItemHovered()) {
            const ImVec2 m = ImGui::GetMousePos();
            const int col = std::clamp(int((m.x - origin.x) / scale), 0, int(w) - 1);
            const int row = std::clamp(int((m.y - origin.y) / scale), 0, int(h) - 1);
            const float v = (*r.tensor)(std::size_t(row), std::size_t(col), std::size_t(ch));
            set_hover(app, ch, row, col);
            ImGui::SetTooltip("value %s at (row %d, col %d, channel %d)\nits input region is outlined on the input image",
                              format_value(v).c_str(), row, col, ch);
        }
        draw_colorbar(r, std::max(size.x, bar_min), &r.enlarged_range);
    }
    ImGui::EndGroup();
    if (columns > 1) ImGui::SameLine();

    ImGui::BeginGroup();
    text_tip(lines[0], "Smallest value of this channel over all " + std::to_string(s.count) + " positions.");
    text_tip(lines[1], "Largest value of this channel.");
    text_tip(lines[2], "Mean of this channel's values.");
    text_tip(lines[3], "Population standard deviation (numpy's x.std()) of this channel.");
    if (s.non_finite > 0) ImGui::TextColored(error_colour(), "%lld values are NaN or infinite", (long long)s.non_finite);
    if (s.count > 0 && s.min == s.max) {  // a dead ReLU channel: say so rather than leave a flat picture to puzzle over
        const std::string text = constant_description(s.min);
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + stats_w);
        ImGui::TextColored(changed_colour(), "%s", text.c_str());
        ImGui::PopTextWrapPos();
        layout_report::item("label", text);
    }
    std::vector<float> hist(s.histogram.begin(), s.histogram.end());
    const float hist_h = std::max(ImGui::GetFontSize() * 3, ImGui::GetContentRegionAvail().y - ImGui::GetFontSize() * 0.5f);
    if (!hist.empty()) {
        ImGui::PlotHistogram("##hist", hist.data(), int(hist.size()), 0, nullptr, 0.0f, FLT_MAX, ImVec2(stats_w, hist_h));
        if (ImGui::IsItemHovered() && s.bin_edges.size() == hist.size() + 1) {
            const float fx = (ImGui::GetMousePos().x - ImGui::GetItemRectMin().x) / ImGui::GetItemRectSize().x;
            const std::size_t b = std::min(hist.size() - 1, std::size_t(std::max(0.0f, fx) * float(hist.size())));
            ImGui::SetTooltip("Histogram of channel %d: %lld values in [%s, %s)", ch, (long long)s.histogram[b],
                              format_value(s.bin_edges[b]).c_str(), format_value(s.bin_edges[b + 1]).c_str());
        }
    }
    ImGui::EndGroup();
    if (columns > 2) ImGui::SameLine();

    ImGui::BeginGroup();
    draw_input_thumbnail(app, ImVec2(input_w, std::max(32.0f, avail.y)));
    ImGui::EndGroup();
}

}  // namespace convscope::gui
