#pragma once
// Every command a user can give from the menus or the keyboard, in one table: its label, its keys, where it
// appears and what it does. The menu bar, the keyboard shortcuts and the Help window all read this table, so
// a shortcut cannot be listed in one place and missing in another.
//
//   Command            label, key chords, the menus it appears in, when its keys work, action, check mark
//   commands()         the table, in menu order
//   keys_text()        "Ctrl+O", "Page Down", ... as menus and help show them
//   run_shortcuts()    runs the commands whose keys were pressed this frame

#include <functional>
#include <string>
#include <vector>

#include "app/gui/app_state.hpp"

namespace convscope::gui {

struct KeyChord {
    int key = 0;  // GLFW_KEY_*
    bool ctrl = false;
    bool shift = false;
};

enum MenuFlags : unsigned { in_no_menu = 0, in_file = 1u << 0, in_view = 1u << 1, in_help = 1u << 2 };

struct Command {
    const char* label;                // menu item and help row
    std::vector<KeyChord> keys;       // any of them runs it; the first is the one menus show
    unsigned menus = in_no_menu;      // MenuFlags
    enum class When { always, not_typing, network } when = When::not_typing;  // network: only on that panel
    std::function<void(AppState&)> run;
    std::function<bool(const AppState&)> checked = nullptr;  // a check mark in menus, or none
    bool separator_before = false;    // in its menus
};

const std::vector<Command>& commands();
std::string keys_text(const Command& c);  // every chord, "Up / Page Up"; "" without keys
void run_shortcuts(AppState& app);

}  // namespace convscope::gui
