#pragma once
// --layout-report FILE: where every window and every reported widget ended up on screen, and whether any
// text was cut, written with the --screenshot. Tests read it to check the projector layouts without
// looking at pixels.
//
//   layout_report::enable()      turns recording on (off by default: the hooks then cost one test each)
//   layout_report::begin_frame() forgets the previous frame's widgets
//   layout_report::item()        the last ImGui item, with the text it shows; cut when that text does not
//                                fit in its widget, or the widget sticks out of what its window can show
//   layout_report::drawn_text()  text drawn without an item (a diagram's edge label), by where it was drawn
//   layout_report::write()       windows (rectangle, content size, scrollbars, cut) and this frame's items
//
// File format, one record per line, fields separated by tabs (coordinates in pixels, origin top left):
//   viewport  W  H  scale
//   window    NAME  x0 y0 x1 y1  content_w content_h  scroll_x scroll_y  cut
//   item      WINDOW  KIND  x0 y0 x1 y1  cut  visible  TEXT
// A window is cut when its content is wider or taller than its inside and it cannot scroll that way. An item
// is cut when its text is wider than its widget, or when it sticks out of its window along an axis the window
// cannot scroll; along an axis it can, the rectangle is the part on screen. An item scrolled entirely out of
// view has visible 0 and the rectangle it would have.

#include <string>

#include <imgui.h>  // ImVec2

namespace convscope::gui::layout_report {

void enable(bool on);
bool enabled();
void begin_frame();
// kind: "label", "button", "tab", "node", "cell", "tile" ... `needed_width`: the width the text needs inside
// the item (0: the item's own rectangle is the text).
void item(const char* kind, const std::string& text, float needed_width = 0.0f);
// Text drawn with a draw list at `at` (an edge label of a diagram: no ImGui item), recorded as an item of the
// current window, with the rectangle the text takes.
void drawn_text(const char* kind, const std::string& text, ImVec2 at);
bool write(const std::string& path, float ui_scale, std::string& error);

}  // namespace convscope::gui::layout_report
