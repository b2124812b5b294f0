#pragma once
// Small ImGui helpers shared by the panels.
//
//   input_text()      InputText on a std::string (grows the buffer through the resize callback)
//   tooltip()         a tooltip on the last item, when hovered: every number says what it is
//   text_tip()        a line of text with its tooltip
//   error_text()      red wrapped text for a broken rule
//   pair_input()      a Keras "(rows, cols)" argument as two linked integer fields
//   error_colour()/ok_colour()/dim_colour()   theme-aware colours

#include <string>

#include <imgui.h>

namespace convscope::gui {

bool input_text(const char* label, std::string& value, ImGuiInputTextFlags flags = 0);
void tooltip(const char* fmt, ...) IM_FMTARGS(1);
void text_tip(const std::string& text, const std::string& tip);
void error_text(const std::string& text);
// Two ints side by side; `min` bounds both. Returns true when either changed.
bool pair_input(const char* label, int& rows, int& cols, int min, int max, const char* tip);

ImVec4 error_colour();
ImVec4 ok_colour();
ImVec4 dim_colour();
ImVec4 accent_colour();

}  // namespace convscope::gui
