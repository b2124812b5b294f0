#include "app/gui/settings.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/export/atomic_file.hpp"

namespace convscope::gui {

std::string config_directory() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/convscope";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/convscope";
    return ".convscope";
}

Settings load_settings(const std::string& path) {
    Settings s;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos || line[0] == '#') continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        try {
            if (key == "ui_scale") s.ui_scale = std::stof(value);
            else if (key == "theme") s.theme = value == "light" ? Theme::light : Theme::dark;
            else if (key == "window_width") s.window_width = std::stoi(value);
            else if (key == "window_height") s.window_height = std::stoi(value);
            else if (key == "left_fraction") s.left_fraction = std::stof(value);
            else if (key == "show_inspector") s.show_inspector = value == "1";
            else if (key == "show_export") s.show_export = value == "1";
            else if (key == "show_sees") s.show_sees = value == "1";
            else if (key == "show_steps") s.show_steps = value == "1";
            else if (key == "show_quiz") s.show_quiz = value == "1";
            else if (key == "show_help") s.show_help = value == "1";
        } catch (const std::exception&) {
            // A hand-edited value we cannot read keeps its default.
        }
    }
    // Keep what was read within what the program can draw.
    if (!(s.ui_scale >= 0.5f && s.ui_scale <= 4.0f)) s.ui_scale = 1.0f;
    if (s.window_width < 640 || s.window_width > 16384) s.window_width = 1600;
    if (s.window_height < 480 || s.window_height > 16384) s.window_height = 1000;
    if (!(s.left_fraction >= 0.2f && s.left_fraction <= 0.7f)) s.left_fraction = 0.40f;
    return s;
}

bool save_settings(const Settings& s, const std::string& path, std::string& error) {
    std::ostringstream out;
    out << "# convscope settings (written on exit)\n"
        << "ui_scale=" << s.ui_scale << "\n"
        << "theme=" << (s.theme == Theme::light ? "light" : "dark") << "\n"
        << "window_width=" << s.window_width << "\n"
        << "window_height=" << s.window_height << "\n"
        << "left_fraction=" << s.left_fraction << "\n"
        << "show_inspector=" << (s.show_inspector ? 1 : 0) << "\n"
        << "show_export=" << (s.show_export ? 1 : 0) << "\n"
        << "show_sees=" << (s.show_sees ? 1 : 0) << "\n"
        << "show_steps=" << (s.show_steps ? 1 : 0) << "\n"
        << "show_quiz=" << (s.show_quiz ? 1 : 0) << "\n"
        << "show_help=" << (s.show_help ? 1 : 0) << "\n";
    const std::string text = out.str();
    try {
        ensure_directory(std::filesystem::path(path).parent_path().string());
        write_file_atomic(path, text.data(), text.size());
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    return true;
}

}  // namespace convscope::gui
