#include "app/gui/commands.hpp"

#include <algorithm>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"

namespace convscope::gui {

namespace {

using W = Command::When;

KeyChord key(int k) { return KeyChord{k, false, false}; }
KeyChord ctrl(int k) { return KeyChord{k, true, false}; }
KeyChord ctrl_shift(int k) { return KeyChord{k, true, true}; }

void toggle_theme(AppState& app) { app.settings.theme = app.settings.theme == Theme::dark ? Theme::light : Theme::dark; }

std::vector<Command> make_commands() {
    std::vector<Command> c;
    // File
    c.push_back({"Open image...", {ctrl(GLFW_KEY_O)}, in_file, W::always,
                 [](AppState& a) { open_path_prompt(a, PathPrompt::Kind::open_image, a.image_path_field); }});
    c.push_back({"Load weights (.h5)...", {ctrl(GLFW_KEY_W)}, in_file, W::always,
                 [](AppState& a) { open_path_prompt(a, PathPrompt::Kind::load_weights, a.weights_path_field); }});
    c.push_back({"Use seeded weights", {}, in_file, W::always, [](AppState& a) { load_weights(a, ""); }});
    c.push_back({"Get ImageNet weights...", {ctrl(GLFW_KEY_G)}, in_file, W::always, open_download_dialog});
    c.push_back({"Load session...", {ctrl(GLFW_KEY_L)}, in_file, W::always,
                 [](AppState& a) { open_path_prompt(a, PathPrompt::Kind::load_session, a.session_path); }, nullptr, true});
    c.push_back({"Save session", {ctrl(GLFW_KEY_S)}, in_file, W::always,
                 [](AppState& a) { save_session_to(a, a.session_path); }});
    c.push_back({"Save session as...", {}, in_file, W::always,
                 [](AppState& a) { open_path_prompt(a, PathPrompt::Kind::save_session, a.session_path); }});
    c.push_back({"Save a screenshot", {key(GLFW_KEY_F12)}, in_file, W::always,
                 [](AppState& a) { a.screenshot_requested = true; }, nullptr, true});
    c.push_back({"Quit", {ctrl(GLFW_KEY_Q)}, in_file, W::always, [](AppState& a) { a.quit_requested = true; }, nullptr,
                 true});
    // View
    c.push_back({"Conv2D playground", {key(GLFW_KEY_F2)}, in_view, W::always,
                 [](AppState& a) { a.panel = Panel::playground; },
                 [](const AppState& a) { return a.panel == Panel::playground; }});
    c.push_back({"ResNet50 network", {key(GLFW_KEY_F3)}, in_view, W::always, [](AppState& a) { a.panel = Panel::network; },
                 [](const AppState& a) { return a.panel == Panel::network; }});
    c.push_back({"Inspector", {key(GLFW_KEY_I)}, in_view, W::not_typing,
                 [](AppState& a) { a.settings.show_inspector = !a.settings.show_inspector; },
                 [](const AppState& a) { return a.settings.show_inspector; }, true});
    c.push_back({"Export", {key(GLFW_KEY_E)}, in_file | in_view, W::not_typing,
                 [](AppState& a) { a.settings.show_export = !a.settings.show_export; },
                 [](const AppState& a) { return a.settings.show_export; }});
    c.push_back({"Step by step: one output value", {key(GLFW_KEY_S)}, in_view, W::not_typing,
                 [](AppState& a) { a.settings.show_steps = !a.settings.show_steps; },
                 [](const AppState& a) { return a.settings.show_steps; }});
    c.push_back({"Compare A / B", {key(GLFW_KEY_A)}, in_view, W::not_typing,
                 [](AppState& a) { a.settings.show_compare = !a.settings.show_compare; },
                 [](const AppState& a) { return a.settings.show_compare; }});
    c.push_back({"Pin as A (the playground's setting, or the selected Conv2D)", {key(GLFW_KEY_P)}, in_view, W::not_typing,
                 pin_current});
    c.push_back({"Predict the shape (quiz)", {key(GLFW_KEY_F5)}, in_view, W::always,
                 [](AppState& a) { a.settings.show_quiz = !a.settings.show_quiz; },
                 [](const AppState& a) { return a.settings.show_quiz; }});
    c.push_back({"What the network sees (class map, top patches)", {key(GLFW_KEY_V)}, in_view, W::not_typing,
                 [](AppState& a) { a.settings.show_sees = !a.settings.show_sees; },
                 [](const AppState& a) { return a.settings.show_sees; }});
    c.push_back({"Help: shortcuts and guide", {key(GLFW_KEY_F1)}, in_view | in_help, W::always,
                 [](AppState& a) { a.settings.show_help = !a.settings.show_help; },
                 [](const AppState& a) { return a.settings.show_help; }});
    c.push_back({"Light theme", {key(GLFW_KEY_T)}, in_view, W::not_typing, toggle_theme,
                 [](const AppState& a) { return a.settings.theme == Theme::light; }, true});
    c.push_back({"Bigger UI (projector)", {ctrl(GLFW_KEY_EQUAL), ctrl(GLFW_KEY_KP_ADD)}, in_view, W::always,
                 [](AppState& a) { a.settings.ui_scale = step_ui_scale(a.settings.ui_scale, +1); }});
    c.push_back({"Smaller UI", {ctrl(GLFW_KEY_MINUS), ctrl(GLFW_KEY_KP_SUBTRACT)}, in_view, W::always,
                 [](AppState& a) { a.settings.ui_scale = step_ui_scale(a.settings.ui_scale, -1); }});
    c.push_back({"Normal UI size", {ctrl(GLFW_KEY_0)}, in_view, W::always, [](AppState& a) { a.settings.ui_scale = 1.0f; }});
    // Keyboard only
    c.push_back({"next column: controls, maps, inspector (one-column layout at a large UI scale)", {key(GLFW_KEY_F6)},
                 in_no_menu, W::always, [](AppState& a) { a.column = Column((int(a.column) + 1) % 3); }});
    c.push_back({"next layer (network)", {key(GLFW_KEY_RIGHT)}, in_no_menu, W::network, [](AppState& a) { step_layer(a, +1); }});
    c.push_back({"previous layer (network)", {key(GLFW_KEY_LEFT)}, in_no_menu, W::network,
                 [](AppState& a) { step_layer(a, -1); }});
    c.push_back({"next block (network)", {key(GLFW_KEY_DOWN), key(GLFW_KEY_PAGE_DOWN)}, in_no_menu, W::network,
                 [](AppState& a) { step_block(a, +1); }});
    c.push_back({"previous block (network)", {key(GLFW_KEY_UP), key(GLFW_KEY_PAGE_UP)}, in_no_menu, W::network,
                 [](AppState& a) { step_block(a, -1); }});
    c.push_back({"next channel (enlarged view)", {key(GLFW_KEY_PERIOD)}, in_no_menu, W::not_typing,
                 [](AppState& a) { a.view.selected_channel += 1; }});
    c.push_back({"previous channel (enlarged view)", {key(GLFW_KEY_COMMA)}, in_no_menu, W::not_typing,
                 [](AppState& a) { a.view.selected_channel = std::max(0, a.view.selected_channel - 1); }});
    c.push_back({"next page of channels", {key(GLFW_KEY_RIGHT_BRACKET)}, in_no_menu, W::not_typing,
                 [](AppState& a) { a.view.page += 1; }});
    c.push_back({"previous page of channels", {key(GLFW_KEY_LEFT_BRACKET)}, in_no_menu, W::not_typing,
                 [](AppState& a) { a.view.page = std::max(0, a.view.page - 1); }});
    c.push_back({"cycle normalisation (per-channel, per-layer, symmetric)", {key(GLFW_KEY_N)}, in_no_menu, W::not_typing,
                 [](AppState& a) { a.view.normalization = Normalization((int(a.view.normalization) + 1) % 3); }});
    c.push_back({"cycle colour map (gray, viridis, magma, diverging)", {key(GLFW_KEY_C)}, in_no_menu, W::not_typing,
                 [](AppState& a) { a.view.colormap = Colormap((int(a.view.colormap) + 1) % 4); }});
    c.push_back({"copy the playground's Keras line", {ctrl_shift(GLFW_KEY_C)}, in_no_menu, W::always, [](AppState& a) {
                     if (a.panel == Panel::playground) ImGui::SetClipboardText(a.playground_keras_line.c_str());
                 }});
    return c;
}

std::string chord_text(const KeyChord& k) {
    std::string s = k.ctrl ? "Ctrl+" : "";
    if (k.shift) s += "Shift+";
    switch (k.key) {
    case GLFW_KEY_RIGHT: return s + "Right";
    case GLFW_KEY_LEFT: return s + "Left";
    case GLFW_KEY_UP: return s + "Up";
    case GLFW_KEY_DOWN: return s + "Down";
    case GLFW_KEY_PAGE_UP: return s + "Page Up";
    case GLFW_KEY_PAGE_DOWN: return s + "Page Down";
    case GLFW_KEY_KP_ADD: return s + "keypad +";
    case GLFW_KEY_KP_SUBTRACT: return s + "keypad -";
    default: break;
    }
    if (k.key >= GLFW_KEY_F1 && k.key <= GLFW_KEY_F12) return s + "F" + std::to_string(k.key - GLFW_KEY_F1 + 1);
    // Printable keys: GLFW codes are their US-layout characters.
    if (k.key >= 32 && k.key < 127) return s + char(k.key);
    return s + "?";
}

bool pressed(const KeyChord& k, const ImGuiIO& io) {
    return io.KeyCtrl == k.ctrl && (!k.ctrl || io.KeyShift == k.shift) && ImGui::IsKeyPressed(k.key);
}

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> table = make_commands();  // immutable: not state
    return table;
}

std::string keys_text(const Command& c) {
    std::string s;
    for (const KeyChord& k : c.keys) s += (s.empty() ? "" : " / ") + chord_text(k);
    return s;
}

void run_shortcuts(AppState& app) {
    const ImGuiIO& io = ImGui::GetIO();
    const bool typing = io.WantTextInput || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId);
    // The quiz answers with the keyboard (Enter or N: next question); while it has the focus the single-key
    // shortcuts are its own, or a class going through it by keyboard would change the maps behind it.
    const bool quiz_keys = app.settings.show_quiz && app.quiz.has_focus;
    for (const Command& c : commands()) {
        if (c.when != W::always && (typing || quiz_keys)) continue;
        if (c.when == W::network && app.panel != Panel::network) continue;
        if (std::any_of(c.keys.begin(), c.keys.end(), [&](const KeyChord& k) { return pressed(k, io); })) c.run(app);
    }
}

}  // namespace convscope::gui
