// Help: the keyboard shortcuts and a short guide to each panel.
#include <algorithm>

#include <imgui.h>

#include "app/gui/commands.hpp"
#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

void draw_help(AppState& app) {
    if (!app.settings.show_help) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Sized to its text each time it opens (height 0: fitted to the contents), within the screen: at 300 %
    // on a projector the text is taller than the screen and scrolls.
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f),
                            ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(std::min(ImGui::GetFontSize() * 16, vp->WorkSize.x), 0),
                                        ImVec2(vp->WorkSize.x, vp->WorkSize.y));
    ImGui::SetNextWindowSize(ImVec2(std::min(ImGui::GetFontSize() * 36, vp->WorkSize.x * 0.95f), 0), ImGuiCond_Appearing);
    ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the panels' text behind would show through its own
    if (!ImGui::Begin("Help", &app.settings.show_help)) {
        ImGui::End();
        return;
    }
    ImGui::TextColored(accent_colour(), "Keyboard shortcuts");
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn("does", ImGuiTableColumnFlags_WidthStretch);
        for (const Command& c : commands()) {
            if (c.keys.empty()) continue;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const std::string keys = keys_text(c);
            ImGui::TextUnformatted(keys.c_str());
            layout_report::item("label", keys);
            ImGui::TableNextColumn();
            // Wrapped at the column's edge: at 100 % the Help window is about 36 characters wide and the longer
            // descriptions ("Pin as A (the playground's setting, ...)") were cut off.
            ImGui::TextWrapped("%s", c.label);
            layout_report::item("label", c.label);
        }
        ImGui::EndTable();
    }
    ImGui::Spacing();
    ImGui::TextColored(accent_colour(), "Conv2D playground");
    ImGui::TextWrapped("Change filters, kernel_size, strides, padding, dilation_rate, use_bias and activation as Keras "
                       "spells them. The output shape, each axis's formula with your numbers, the padding split and "
                       "the parameter and MAC counts update as you drag; the maps follow a moment later. An impossible "
                       "combination turns red and names the rule it breaks. Classic kernels (Sobel, Gaussian ...) make "
                       "the maps meaningful without training.");
    ImGui::TextColored(accent_colour(), "ResNet50 network");
    ImGui::TextWrapped("Step through the seed's backbone with the arrow keys. The diagram shows the current block "
                       "(main path 2a -> 2b -> 2c, the shortcut, Add, ReLU) with the tensor shape on every edge. "
                       "Select a Conv2D to edit it in place: shapes re-infer at once, an error is shown at the node "
                       "where it arises, weights that no longer fit are re-initialised (marked *), and only what "
                       "changed is recomputed.");
    ImGui::TextColored(accent_colour(), "Feature maps and inspector");
    ImGui::TextWrapped("Every channel of the selected output as a grid. Hover for the value and the input region it "
                       "comes from (outlined on the input image); click to enlarge. Per-channel normalisation shows "
                       "each map's pattern, per-layer lets you compare channels, symmetric (with the diverging map) "
                       "shows the sign.");
    wrapped_text("Settings are kept in " + app.config_dir, dim_colour());  // the path whole, never broken at a '.'
    ImGui::End();
}

}  // namespace convscope::gui
