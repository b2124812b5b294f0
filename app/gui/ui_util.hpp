#pragma once
// Small ImGui helpers shared by the panels.
//
//   input_text()      InputText on a std::string (grows the buffer through the resize callback)
//   tooltip()         a tooltip on the last item, when hovered: every number says what it is
//   text_tip()        a line of text with its tooltip
//   error_text()      red wrapped text for a broken rule
//   wrapped_text()    text wrapped at spaces only: a path ("/root/.cache/convscope") or a number ("1,073,741,824")
//                     stays whole (ImGui's own wrap breaks after '.' and ','); a word longer than the line is cut
//                     in the middle with "..." and the whole text is in a tooltip
//   same_line_if_fits()  SameLine() when the next item (of this width) still fits the line, else a new line:
//                     rows of controls wrap on a narrow column or at a large UI scale instead of being cut
//   text_width() / button_width() / frame_width()   what a label, a button or a framed widget needs
//   int_field()       every integer field: drag to change it live; double-click (or Ctrl+click) to type a
//                     number, applied on Enter or when leaving the field (Escape keeps the old one)
//   pair_input()      a Keras "(rows, cols)" argument as two such fields
//   begin_tool_window()  a floating teaching window (step by step, quiz, what the network sees): opaque, at most
//                     the viewport above the status line, placed at the top (right-aligned or centred) when it
//                     first appears
//   status_line_height()  the status line's height (layout.cpp draws it; tool windows stop above it)
//   error_colour()/ok_colour()/dim_colour()/changed_colour()   theme-aware colours

#include <string>

#include <imgui.h>

namespace convscope::gui {

bool input_text(const char* label, std::string& value, ImGuiInputTextFlags flags = 0);
void tooltip(const char* fmt, ...) IM_FMTARGS(1);
void text_tip(const std::string& text, const std::string& tip);
void error_text(const std::string& text);
void wrapped_text(const std::string& text, const ImVec4& colour);
bool int_field(const char* label, int& value, float speed, int min, int max);
bool int_fields(const char* label, int* values, int count, float speed, int min, int max);  // count <= 4
// Two ints side by side; `min` bounds both. Returns true when either changed.
bool pair_input(const char* label, int& rows, int& cols, int min, int max, const char* tip);

bool same_line_if_fits(float next_width, float spacing = -1.0f);
// width_fonts x height_fonts font heights, clamped to the viewport; x_align 1: at the right edge, 0.5: centred.
// Returns what ImGui::Begin returns; End() is always the caller's.
bool begin_tool_window(const char* title, bool* open, float width_fonts, float height_fonts, float x_align);
// The status line at the bottom of the window: one framed row and a thin padding above and below it.
float status_line_padding();
float status_line_height();
float text_width(const char* text);
float button_width(const char* label);
float labelled_width(float frame_w, const char* label);  // a framed widget plus its label on the right
// A framed widget's width that leaves its label on the right room in the line: `wanted`, or less in a narrow column
// (at least 4 font heights). At 250 % in one column "activity_regularizer" beside an 11-font field overran it.
float frame_width_beside(float wanted, const char* label);

ImVec4 error_colour();
ImVec4 ok_colour();
ImVec4 dim_colour();
ImVec4 accent_colour();
ImVec4 changed_colour();  // what differs between two things compared (Compare A / B)

}  // namespace convscope::gui
