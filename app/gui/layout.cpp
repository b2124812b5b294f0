// Where the panels go: a fixed, projector-friendly layout recomputed from the viewport every frame.
//
//   +---------------------------------------------------------------+
//   | menu bar                                                      |
//   +------------------+--------------------------------------------+
//   | [Playground|Net] | Feature maps (grid, paging, colour bar)    |
//   |  controls        +--------------------------------------------+
//   |                  | Inspector (enlarged channel, stats, input) |
//   +------------------+--------------------------------------------+
//   | status: progress, image, weights / red error bar              |
//   +---------------------------------------------------------------+
#include <algorithm>

#include <imgui.h>

#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

static const ImGuiWindowFlags kFixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                       ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                       ImGuiWindowFlags_NoBringToFrontOnFocus;

void draw_status_bar(AppState& app) {
    const float F = ImGui::GetFontSize();
    if (!app.error_bar.message.empty()) {
        ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.55f, 0.06f, 0.06f, 1));
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
        ImGui::BeginChild("error_bar", ImVec2(0, ImGui::GetFrameHeightWithSpacing() * 2.2f), false);
        ImGui::SetCursorPos(ImVec2(F * 0.4f, F * 0.2f));
        if (ImGui::Button("Dismiss")) app.error_bar.message.clear();
        ImGui::SameLine();
        ImGui::TextWrapped("%s", app.error_bar.message.c_str());
        ImGui::EndChild();
        ImGui::PopStyleColor(2);
    }
    const Progress& p = app.progress;
    if (p.busy) {
        const float frac = p.total > 0 ? float(p.done) / float(p.total) : 0.0f;
        char overlay[160];
        std::snprintf(overlay, sizeof overlay, "%s  %d/%d", p.what.c_str(), p.done, p.total);
        ImGui::ProgressBar(frac, ImVec2(F * 22, 0), overlay);
        tooltip("The worker thread's current job and how many nodes of it are done. The maps on screen are the "
                "last complete result; a new edit cancels the job and starts again from what is cached.");
    } else {
        ImGui::TextColored(ok_colour(), "ready");
        tooltip("No job is running: everything on screen is up to date.");
    }
    ImGui::SameLine(0, F);
    ImGui::TextColored(dim_colour(), "image: %s", app.image_label.empty() ? "(loading)" : app.image_label.c_str());
    ImGui::SameLine(0, F);
    ImGui::TextColored(dim_colour(), "weights: %s",
                       app.network.weights_path.empty() ? ("seeded, seed " + std::to_string(app.network.seed)).c_str()
                                                        : app.weights_label.c_str());
    tooltip("The network's weights: seeded glorot_uniform, or the Keras .h5 file loaded (File > Load weights).");
    if (app.network_ms > 0) {
        ImGui::SameLine(0, F);
        ImGui::TextColored(dim_colour(), "last network run %.0f ms", app.network_ms);
        tooltip("Wall time of the engine's last network run, as convscope-cli bench times it (only changed nodes are "
                "recomputed); %.0f ms with building, weights and preprocessing.", app.network_total_ms);
    }
    if (!app.status_message.empty()) {
        ImGui::SameLine(0, F);
        ImGui::TextColored(dim_colour(), "%s", app.status_message.c_str());
    }
}

void layout_windows(AppState& app) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ImVec2 pos = vp->WorkPos, size = vp->WorkSize;  // below the main menu bar
    const float F = ImGui::GetFontSize();
    const float status_h = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y * 2 +
                           (app.error_bar.message.empty() ? 0.0f : ImGui::GetFrameHeightWithSpacing() * 2.2f +
                                                                       ImGui::GetStyle().ItemSpacing.y);
    const float body_h = size.y - status_h;
    const float left_w = std::clamp(size.x * app.settings.left_fraction, std::min(F * 16, size.x * 0.5f), size.x * 0.75f);

    // Left: the two teaching panels as tabs.
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(ImVec2(left_w, body_h));
    if (ImGui::Begin("Controls", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
        if (ImGui::BeginTabBar("panels")) {
            const bool sync = app.tab_shown != app.panel;
            const ImGuiTabItemFlags pf = sync && app.panel == Panel::playground ? ImGuiTabItemFlags_SetSelected : 0;
            const ImGuiTabItemFlags nf = sync && app.panel == Panel::network ? ImGuiTabItemFlags_SetSelected : 0;
            if (ImGui::BeginTabItem("Conv2D playground", nullptr, pf)) {
                if (!sync) app.panel = Panel::playground;
                ImGui::BeginChild("playground_scroll");
                draw_playground(app);
                ImGui::EndChild();
                ImGui::EndTabItem();
            }
            tooltip("One Keras Conv2D on an image: change its arguments and watch the shape arithmetic and the maps (F2).");
            if (ImGui::BeginTabItem("ResNet50 network", nullptr, nf)) {
                if (!sync) app.panel = Panel::network;
                draw_network(app);
                ImGui::EndTabItem();
            }
            tooltip("Step block by block through the seed's ResNet50 backbone on your image (F3).");
            app.tab_shown = app.panel;
            ImGui::EndTabBar();
        }
    }
    ImGui::End();

    // Right: feature maps over the inspector.
    const float right_x = pos.x + left_w, right_w = size.x - left_w;
    const float maps_h = app.settings.show_inspector ? body_h * 0.60f : body_h;
    ImGui::SetNextWindowPos(ImVec2(right_x, pos.y));
    ImGui::SetNextWindowSize(ImVec2(right_w, maps_h));
    if (ImGui::Begin("Feature maps", nullptr, kFixed)) draw_feature_maps(app);
    ImGui::End();
    if (app.settings.show_inspector) {
        ImGui::SetNextWindowPos(ImVec2(right_x, pos.y + maps_h));
        ImGui::SetNextWindowSize(ImVec2(right_w, body_h - maps_h));
        if (ImGui::Begin("Inspector", &app.settings.show_inspector, kFixed)) draw_inspector(app);
        ImGui::End();
    }

    // Bottom: status.
    ImGui::SetNextWindowPos(ImVec2(pos.x, pos.y + body_h));
    ImGui::SetNextWindowSize(ImVec2(size.x, status_h));
    if (ImGui::Begin("Status", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar))
        draw_status_bar(app);
    ImGui::End();

    // A splitter between the columns: drag it to give the maps or the controls more room (remembered).
    const float grip = std::max(6.0f, F * 0.4f);
    ImGui::SetNextWindowPos(ImVec2(pos.x + left_w - grip * 0.5f, pos.y));
    ImGui::SetNextWindowSize(ImVec2(grip, body_h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    ImGui::SetNextWindowBgAlpha(0.0f);
    if (ImGui::Begin("##splitter", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
        ImGui::InvisibleButton("##split", ImVec2(grip, body_h));
        if (ImGui::IsItemHovered() || ImGui::IsItemActive()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
        if (ImGui::IsItemActive() && size.x > 0)
            app.settings.left_fraction = std::clamp(app.settings.left_fraction + ImGui::GetIO().MouseDelta.x / size.x, 0.2f, 0.7f);
        tooltip("Drag to share the width between the controls and the maps.");
    }
    ImGui::End();
    ImGui::PopStyleVar(2);

    draw_export(app);
    draw_help(app);
}

}  // namespace convscope::gui
