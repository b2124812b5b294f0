// The menu bar, the actions it shares with shortcuts and drag and drop, and the keyboard shortcuts.
#include <algorithm>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/gui/panels.hpp"
#include "app/gui/session.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

void open_image(AppState& app, const std::string& path_or_sample) {
    if (path_or_sample.empty()) {
        show_error(app, "No image path given: type the path of a PNG, JPEG, BMP, GIF, TGA or PNM file, or pick a sample.");
        return;
    }
    app.image_source = path_or_sample;
    app.request_dirty = true;
}

void load_weights(AppState& app, const std::string& path) {
    app.network.weights_path = path;
    app.network_wanted = true;
    app.request_dirty = true;
}

void save_session_to(AppState& app, const std::string& path) {
    try {
        save_session(capture(app), path);
        set_notice(app, "Session saved to " + path);
    } catch (const std::exception& e) {
        show_error(app, e.what());
    }
}

void load_session_from(AppState& app, const std::string& path) {
    try {
        apply(app, load_session(path));
        app.session_path = path;
        set_notice(app, "Session loaded from " + path);
    } catch (const std::exception& e) {
        show_error(app, std::string(e.what()) + ". Nothing was changed.");
    }
}

void step_layer(AppState& app, int delta) {
    if (app.ui_graph.size() == 0) return;
    app.selected_node = std::clamp(app.selected_node + delta, 0, app.ui_graph.size() - 1);
    app.scroll_tree_to_selection = true;
}

void step_block(AppState& app, int delta) {
    if (app.ui_graph.size() == 0) return;
    app.selected_node = block_stop(app.ui_graph, app.selected_node, delta);
    app.scroll_tree_to_selection = true;
}

static void prompt(AppState& app, PathPrompt::Kind kind, const std::string& initial) {
    app.path_prompt.kind = kind;
    app.path_prompt.text = initial;
    app.path_prompt.open_requested = true;
}

static const char* prompt_title(PathPrompt::Kind k) {
    switch (k) {
    case PathPrompt::Kind::open_image: return "Open image";
    case PathPrompt::Kind::load_weights: return "Load Keras weights (.h5)";
    case PathPrompt::Kind::load_session: return "Load session (.json)";
    case PathPrompt::Kind::save_session: return "Save session (.json)";
    case PathPrompt::Kind::none: break;
    }
    return "Path";
}

static void draw_path_prompt(AppState& app) {
    PathPrompt& p = app.path_prompt;
    if (p.open_requested) {
        ImGui::OpenPopup("##path_prompt");
        p.open_requested = false;
        p.focus = true;
    }
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 32, 0));
    if (!ImGui::BeginPopupModal("##path_prompt", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize))
        return;
    ImGui::TextColored(accent_colour(), "%s", prompt_title(p.kind));
    ImGui::TextColored(dim_colour(), "Type or paste a path (a file can also be dropped on the window).");
    if (p.focus) {
        ImGui::SetKeyboardFocusHere();
        p.focus = false;
    }
    ImGui::SetNextItemWidth(-1);
    bool ok = input_text("##prompt_path", p.text, ImGuiInputTextFlags_EnterReturnsTrue);
    ok |= ImGui::Button("OK");
    ImGui::SameLine();
    const bool cancel = ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
    if (ok) {
        switch (p.kind) {
        case PathPrompt::Kind::open_image: app.image_path_field = p.text; open_image(app, p.text); break;
        case PathPrompt::Kind::load_weights: app.weights_path_field = p.text; load_weights(app, p.text); break;
        case PathPrompt::Kind::load_session: load_session_from(app, p.text); break;
        case PathPrompt::Kind::save_session: app.session_path = p.text; save_session_to(app, p.text); break;
        case PathPrompt::Kind::none: break;
        }
    }
    if (ok || cancel) {
        p.kind = PathPrompt::Kind::none;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void draw_menu_bar(AppState& app) {
    if (ImGui::BeginMainMenuBar()) {
        if (ImGui::BeginMenu("File")) {
            if (ImGui::MenuItem("Open image...", "Ctrl+O")) prompt(app, PathPrompt::Kind::open_image, app.image_path_field);
            if (ImGui::MenuItem("Load weights (.h5)...", "Ctrl+W"))
                prompt(app, PathPrompt::Kind::load_weights, app.weights_path_field);
            if (ImGui::MenuItem("Use seeded weights")) load_weights(app, "");
            ImGui::Separator();
            if (ImGui::MenuItem("Load session...", "Ctrl+L")) prompt(app, PathPrompt::Kind::load_session, app.session_path);
            if (ImGui::MenuItem("Save session", "Ctrl+S")) save_session_to(app, app.session_path);
            if (ImGui::MenuItem("Save session as...")) prompt(app, PathPrompt::Kind::save_session, app.session_path);
            ImGui::Separator();
            if (ImGui::MenuItem("Export...", "E")) app.settings.show_export = true;
            ImGui::Separator();
            if (ImGui::MenuItem("Quit", "Ctrl+Q")) app.quit_requested = true;
            ImGui::EndMenu();
        }
        if (ImGui::BeginMenu("View")) {
            if (ImGui::MenuItem("Conv2D playground", "F2", app.panel == Panel::playground)) app.panel = Panel::playground;
            if (ImGui::MenuItem("ResNet50 network", "F3", app.panel == Panel::network)) app.panel = Panel::network;
            ImGui::Separator();
            ImGui::MenuItem("Inspector", "I", &app.settings.show_inspector);
            ImGui::MenuItem("Export", "E", &app.settings.show_export);
            ImGui::MenuItem("Help", "F1", &app.settings.show_help);
            ImGui::Separator();
            if (ImGui::MenuItem("Dark theme", nullptr, app.settings.theme == Theme::dark)) app.settings.theme = Theme::dark;
            if (ImGui::MenuItem("Light theme", "T", app.settings.theme == Theme::light)) app.settings.theme = Theme::light;
            ImGui::Separator();
            ImGui::TextUnformatted("UI scale (Ctrl+= / Ctrl+-)");
            for (float s : ui_scales()) {
                char label[16];
                std::snprintf(label, sizeof label, "%.0f%%", double(s * 100));
                if (ImGui::MenuItem(label, nullptr, std::abs(app.settings.ui_scale - s) < 0.01f)) app.settings.ui_scale = s;
            }
            ImGui::EndMenu();
        }
        if (ImGui::BeginMenu("Help")) {
            if (ImGui::MenuItem("Shortcuts and guide", "F1")) app.settings.show_help = true;
            ImGui::EndMenu();
        }
        ImGui::EndMainMenuBar();
    }
    draw_path_prompt(app);
}

void handle_shortcuts(AppState& app) {
    ImGuiIO& io = ImGui::GetIO();
    auto pressed = [](int key) { return ImGui::IsKeyPressed(key); };
    const bool ctrl = io.KeyCtrl;
    if (ctrl) {
        if (pressed(GLFW_KEY_O)) prompt(app, PathPrompt::Kind::open_image, app.image_path_field);
        if (pressed(GLFW_KEY_W)) prompt(app, PathPrompt::Kind::load_weights, app.weights_path_field);
        if (pressed(GLFW_KEY_L)) prompt(app, PathPrompt::Kind::load_session, app.session_path);
        if (pressed(GLFW_KEY_S)) save_session_to(app, app.session_path);
        if (pressed(GLFW_KEY_Q)) app.quit_requested = true;
        if (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD)) app.settings.ui_scale = step_ui_scale(app.settings.ui_scale, +1);
        if (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT)) app.settings.ui_scale = step_ui_scale(app.settings.ui_scale, -1);
        if (pressed(GLFW_KEY_0)) app.settings.ui_scale = 1.0f;
        if (io.KeyShift && pressed(GLFW_KEY_C) && app.panel == Panel::playground)
            ImGui::SetClipboardText(app.playground_keras_line.c_str());
        return;
    }
    if (pressed(GLFW_KEY_F1)) app.settings.show_help = !app.settings.show_help;
    if (pressed(GLFW_KEY_F2)) app.panel = Panel::playground;
    if (pressed(GLFW_KEY_F3)) app.panel = Panel::network;
    if (io.WantTextInput || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId)) return;  // typing in a field
    if (app.panel == Panel::network) {
        if (pressed(GLFW_KEY_RIGHT)) step_layer(app, +1);
        if (pressed(GLFW_KEY_LEFT)) step_layer(app, -1);
        if (pressed(GLFW_KEY_DOWN) || pressed(GLFW_KEY_PAGE_DOWN)) step_block(app, +1);
        if (pressed(GLFW_KEY_UP) || pressed(GLFW_KEY_PAGE_UP)) step_block(app, -1);
    }
    if (pressed(GLFW_KEY_PERIOD)) app.view.selected_channel += 1;
    if (pressed(GLFW_KEY_COMMA)) app.view.selected_channel = std::max(0, app.view.selected_channel - 1);
    if (pressed(GLFW_KEY_RIGHT_BRACKET)) app.view.page += 1;
    if (pressed(GLFW_KEY_LEFT_BRACKET)) app.view.page = std::max(0, app.view.page - 1);
    if (pressed(GLFW_KEY_N)) app.view.normalization = Normalization((int(app.view.normalization) + 1) % 3);
    if (pressed(GLFW_KEY_C)) app.view.colormap = Colormap((int(app.view.colormap) + 1) % 4);
    if (pressed(GLFW_KEY_E)) app.settings.show_export = !app.settings.show_export;
    if (pressed(GLFW_KEY_I)) app.settings.show_inspector = !app.settings.show_inspector;
    if (pressed(GLFW_KEY_T)) app.settings.theme = app.settings.theme == Theme::dark ? Theme::light : Theme::dark;
}

}  // namespace convscope::gui
