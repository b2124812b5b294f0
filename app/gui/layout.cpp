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
#include <cmath>

#include <imgui.h>
#include <imgui_internal.h>  // BringWindowToDisplayFront: the splitter above child windows

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

static const ImGuiWindowFlags kFixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                       ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                       ImGuiWindowFlags_NoBringToFrontOnFocus;

// A tab's label (before "###") and whether ImGui had to shorten it.
static void report_tab(const char* label) {
    if (!layout_report::enabled()) return;
    const std::string text = std::string(label).substr(0, std::string(label).find("###"));
    layout_report::item("tab", text, ImGui::CalcTextSize(text.c_str()).x + ImGui::GetStyle().FramePadding.x * 2);
}

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
        layout_report::item("error", app.error_bar.message);
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
    // The rest in order of importance, each only if it fits the line (the window cannot scroll, and the
    // image and weights are also in the panels).
    if (!app.status_message.empty() && notice_expired(app.status_time, now_seconds())) app.status_message.clear();
    auto field = [&](const std::string& text, const char* tip) {
        const float room = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - ImGui::GetItemRectMax().x - F;
        if (ImGui::CalcTextSize(text.c_str()).x > room) return;
        ImGui::SameLine(0, F);
        ImGui::TextColored(dim_colour(), "%s", text.c_str());
        layout_report::item("label", text);
        if (tip) tooltip("%s", tip);
    };
    if (!app.status_message.empty()) field(app.status_message, nullptr);
    field("weights: " + (app.network.weights_path.empty() ? "seeded, seed " + std::to_string(app.network.seed)
                                                          : app.weights_label),
          "The network's weights: seeded glorot_uniform, or the Keras .h5 file loaded (File > Load weights).");
    field("image: " + (app.image_label.empty() ? std::string("(loading)") : app.image_label), nullptr);
    if (app.network_ms > 0) {
        char run[64], tip[256];
        std::snprintf(run, sizeof run, "last network run %.0f ms", app.network_ms);
        std::snprintf(tip, sizeof tip,
                      "Wall time of the engine's last network run, as convscope-cli bench times it (only changed nodes "
                      "are recomputed); %.0f ms with building, weights and preprocessing.", app.network_total_ms);
        field(run, tip);
    }
}

namespace {

// The left column: the two teaching panels as tabs.
void controls_window(AppState& app, ImVec2 pos, ImVec2 size) {
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(size);
    if (ImGui::Begin("Controls", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar)) {
        // The tabs' full names when both fit, short ones on a narrow column (a cut "Conv2D playg..." teaches nothing).
        const ImGuiStyle& st = ImGui::GetStyle();
        const float tabs_w = ImGui::CalcTextSize("Conv2D playground").x + ImGui::CalcTextSize("ResNet50 network").x +
                             st.FramePadding.x * 4 + st.ItemInnerSpacing.x * 2;
        const bool short_tabs = tabs_w > ImGui::GetContentRegionAvail().x;
        const char* playground_tab = short_tabs ? "Conv2D###playground" : "Conv2D playground###playground";
        const char* network_tab = short_tabs ? "ResNet50###network" : "ResNet50 network###network";
        if (ImGui::BeginTabBar("panels")) {
            const bool sync = app.tab_shown != app.panel;
            const ImGuiTabItemFlags pf = sync && app.panel == Panel::playground ? ImGuiTabItemFlags_SetSelected : 0;
            const ImGuiTabItemFlags nf = sync && app.panel == Panel::network ? ImGuiTabItemFlags_SetSelected : 0;
            // The tab's tooltip right after the tab (the last item then), not after its contents.
            const bool playground_open = ImGui::BeginTabItem(playground_tab, nullptr, pf);
            report_tab(playground_tab);
            tooltip("One Keras Conv2D on an image: change its arguments and watch the shape arithmetic and the maps (F2).");
            if (playground_open) {
                if (!sync) app.panel = Panel::playground;
                ImGui::BeginChild("playground_scroll", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
                draw_playground(app);
                ImGui::EndChild();
                ImGui::EndTabItem();
            }
            const bool network_open = ImGui::BeginTabItem(network_tab, nullptr, nf);
            report_tab(network_tab);
            tooltip("Step block by block through the seed's ResNet50 backbone on your image (F3).");
            if (network_open) {
                if (!sync) app.panel = Panel::network;
                ImGui::BeginChild("network_scroll", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
                draw_network(app);
                ImGui::EndChild();
                ImGui::EndTabItem();
            }
            app.tab_shown = app.panel;
            ImGui::EndTabBar();
        }
    }
    ImGui::End();
}

void maps_window(AppState& app, ImVec2 pos, ImVec2 size) {
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(size);
    if (ImGui::Begin("Feature maps", nullptr, kFixed | ImGuiWindowFlags_HorizontalScrollbar)) draw_feature_maps(app);
    ImGui::End();
}

void inspector_window(AppState& app, ImVec2 pos, ImVec2 size, bool closable) {
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(size);
    if (ImGui::Begin("Inspector", closable ? &app.settings.show_inspector : nullptr,
                     kFixed | ImGuiWindowFlags_HorizontalScrollbar))
        draw_inspector(app);
    ImGui::End();
}

// Controls | maps over the inspector, with a splitter between the columns.
void two_columns(AppState& app, ImVec2 pos, float width, float body_h) {
    const float F = ImGui::GetFontSize();
    // The user's share of the width (the splitter), kept inside what each side needs at this font size: the
    // controls want about 20 characters' room, the maps 12 (one_column_layout() decides when that is no longer
    // possible).
    const float left_min = std::min(F * 20, width * 0.6f), right_min = std::min(F * 12, width * 0.35f);
    const float left_w = std::clamp(width * app.settings.left_fraction, left_min, std::max(left_min, width - right_min));
    controls_window(app, pos, ImVec2(left_w, body_h));

    const float right_x = pos.x + left_w, right_w = width - left_w;
    const bool inspector = app.settings.show_inspector;
    const float maps_h = inspector ? body_h * 0.60f : body_h;
    maps_window(app, ImVec2(right_x, pos.y), ImVec2(right_w, maps_h));
    if (inspector) inspector_window(app, ImVec2(right_x, pos.y + maps_h), ImVec2(right_w, body_h - maps_h), true);

    // A splitter between the columns: drag it to give the maps or the controls more room (remembered).
    const float grip = std::max(6.0f, F * 0.4f);
    ImGui::SetNextWindowPos(ImVec2(pos.x + left_w - grip * 0.5f, pos.y));
    ImGui::SetNextWindowSize(ImVec2(grip, body_h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    ImGui::SetNextWindowBgAlpha(0.0f);
    if (ImGui::Begin("##splitter", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
        // Child windows made later (the network tab's diagram and table) would otherwise lie above the grip
        // and take the mouse: the splitter goes in front of the fixed panels, never of a popup.
        if (!ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
        ImGui::InvisibleButton("##split", ImVec2(grip, body_h));
        if (ImGui::IsItemHovered() || ImGui::IsItemActive()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
        if (ImGui::IsItemActive() && width > 0)
            app.settings.left_fraction = std::clamp(app.settings.left_fraction + ImGui::GetIO().MouseDelta.x / width, 0.2f, 0.7f);
        tooltip("Drag to share the width between the controls and the maps.");
    }
    ImGui::End();
    ImGui::PopStyleVar(2);
}

// Too small for two columns at this scale (a 1280 x 720 projector at 300 %): one of controls, maps and inspector
// fills the body, each at full size, instead of three slivers that all need scrolling. The menu bar chooses
// which (draw_column_choice()), as F6 does.
void one_column(AppState& app, ImVec2 pos, float width, float body_h) {
    const ImVec2 size(width, body_h);
    switch (app.column) {
        case Column::controls: controls_window(app, pos, size); break;
        case Column::maps: maps_window(app, pos, size); break;
        case Column::inspector: inspector_window(app, pos, size, false); break;
    }
}

}  // namespace

void layout_windows(AppState& app) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ImVec2 pos = vp->WorkPos, size = vp->WorkSize;  // below the main menu bar
    // The status line is one framed row (the progress bar): its height and a thin padding, not the window's
    // padding and item spacing, which at 250 % left it about 100 px tall and half empty.
    const ImVec2 status_pad(ImGui::GetStyle().WindowPadding.x, status_line_padding());
    const float status_h = status_line_height() +
                           (app.error_bar.message.empty() ? 0.0f : ImGui::GetFrameHeightWithSpacing() * 2.2f +
                                                                       ImGui::GetStyle().ItemSpacing.y);
    const float body_h = size.y - status_h;
    app.one_column = one_column_layout(size.x, body_h, ImGui::GetFontSize());
    if (app.one_column) one_column(app, pos, size.x, body_h);
    else two_columns(app, pos, size.x, body_h);

    // Bottom: status.
    ImGui::SetNextWindowPos(ImVec2(pos.x, pos.y + body_h));
    ImGui::SetNextWindowSize(ImVec2(size.x, status_h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, status_pad);
    if (ImGui::Begin("Status", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar))
        draw_status_bar(app);
    ImGui::End();
    ImGui::PopStyleVar();

    draw_conv_steps(app);
    draw_quiz(app);
    draw_compare(app);
    draw_network_sees(app);
    draw_export(app);
    draw_help(app);
}

}  // namespace convscope::gui
