// The menu bar (from the command table, commands.cpp), the actions it shares with shortcuts and drag and drop.
#include <algorithm>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/gui/commands.hpp"
#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/session.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

void open_image(AppState& app, const std::string& path_or_sample) {
    if (path_or_sample.empty()) {
        show_error(app, "No image path given: type the path of a PNG, JPEG, BMP or GIF file, or pick a sample.");
        return;
    }
    app.image_source = path_or_sample;
    app.request_dirty = true;
}

void load_weights(AppState& app, const std::string& path) {
    app.imagenet.use_found = false;  // the user chose: the cache scan no longer picks
    app.imagenet.using_found = false;
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
        app.imagenet.use_found = false;  // the session names its weights (or seeded ones)
        app.imagenet.using_found = false;
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

void open_path_prompt(AppState& app, PathPrompt::Kind kind, const std::string& initial) {
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

// The table's commands that belong in one menu, with their keys and check marks.
static void command_items(AppState& app, unsigned menu) {
    bool first = true;
    for (const Command& c : commands()) {
        if (!(c.menus & menu)) continue;
        if (c.separator_before && !first) ImGui::Separator();
        first = false;
        const std::string keys = keys_text(c);
        const char* shortcut = c.keys.empty() ? nullptr : keys.c_str();
        if (ImGui::MenuItem(c.label, shortcut, c.checked ? c.checked(app) : false)) c.run(app);
    }
}

// In the one-column layout, which column fills the window: beside the menus, where it costs no height.
static void draw_column_choice(AppState& app) {
    ImGui::TextDisabled("|");
    struct Choice {
        Column column;
        const char* label;
    };
    for (const Choice& c : {Choice{Column::controls, "Controls"}, Choice{Column::maps, "Feature maps"},
                            Choice{Column::inspector, "Inspector"}}) {
        if (ImGui::MenuItem(c.label, nullptr, app.column == c.column)) app.column = c.column;
        layout_report::item("menu", c.label);
        tooltip("At this UI scale the window shows one column at a time: the controls, the feature maps or the "
                "enlarged channel (F6 goes to the next).");
    }
}

void draw_menu_bar(AppState& app) {
    if (ImGui::BeginMainMenuBar()) {
        if (ImGui::BeginMenu("File")) {
            command_items(app, in_file);
            ImGui::EndMenu();
        }
        if (ImGui::BeginMenu("View")) {
            command_items(app, in_view);
            ImGui::Separator();
            ImGui::TextUnformatted("UI scale");
            for (float s : ui_scales()) {
                char label[16];
                std::snprintf(label, sizeof label, "%.0f%%", double(s * 100));
                if (ImGui::MenuItem(label, nullptr, std::abs(app.settings.ui_scale - s) < 0.01f)) app.settings.ui_scale = s;
            }
            ImGui::EndMenu();
        }
        if (ImGui::BeginMenu("Help")) {
            command_items(app, in_help);
            ImGui::EndMenu();
        }
        if (app.one_column) draw_column_choice(app);  // the layout of the last frame: the same but for a resize
        ImGui::EndMainMenuBar();
    }
    draw_path_prompt(app);
    draw_download_dialog(app);
}

void handle_shortcuts(AppState& app) { run_shortcuts(app); }

}  // namespace convscope::gui
