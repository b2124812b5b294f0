#pragma once
// Settings that persist between runs, in a small "key=value" file under the user's config directory.
//
//   config_directory()   $XDG_CONFIG_HOME/convscope, else ~/.config/convscope (created on save)
//   load_settings()      missing file or unknown keys: defaults, never an error
//   save_settings()      written atomically (creating the folder); returns false with `error` on failure

#include <string>

#include "app/gui/app_state.hpp"

namespace convscope::gui {

std::string config_directory();
Settings load_settings(const std::string& path);
bool save_settings(const Settings& s, const std::string& path, std::string& error);

}  // namespace convscope::gui
