#include "app/gui/layout_report.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "core/export/atomic_file.hpp"

namespace convscope::gui::layout_report {

namespace {

struct Item {
    std::string window, kind, text;
    ImVec2 min, max;
    bool cut = false;
    bool visible = true;  // false: scrolled out of its window's view (its rectangle is where it would be)
};

// Recording is a debugging and testing aid switched on once by a command-line flag; the records of one
// frame are not application state.
bool g_enabled = false;
std::vector<Item> g_items;

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return s;
}

}  // namespace

void enable(bool on) { g_enabled = on; }
bool enabled() { return g_enabled; }
void begin_frame() { g_items.clear(); }

namespace {

// One record of the current window's: a widget or drawn text at [a, b].
void record(const char* kind, const std::string& text, ImVec2 a, ImVec2 b, float needed_width) {
    const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
    const ImVec2 clip_min = ImGui::GetWindowDrawList()->GetClipRectMin();
    const ImVec2 clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
    // An item scrolled out of view is reachable by scrolling: only whether its text fits its widget counts.
    const bool visible = !(b.y <= clip_min.y || a.y >= clip_max.y || b.x <= clip_min.x || a.x >= clip_max.x);
    const bool scrolls_x = w && w->ScrollbarX;
    const bool scrolls_y = w && (w->ScrollbarY || w->ScrollMax.y > 0.0f);
    // Inside a child window that an outer window scrolls, the child's own edges are what cut; the outer
    // window's edges only hide what scrolling shows.
    ImVec2 edge_min = clip_min, edge_max = clip_max;
    for (const ImGuiWindow* p = w ? w->ParentWindow : nullptr; p; p = p->ParentWindow) {
        if (p->ScrollbarX) edge_min.x = std::min(edge_min.x, w->InnerRect.Min.x), edge_max.x = std::max(edge_max.x, w->InnerRect.Max.x);
        if (p->ScrollbarY) edge_min.y = std::min(edge_min.y, w->InnerRect.Min.y), edge_max.y = std::max(edge_max.y, w->InnerRect.Max.y);
    }
    bool cut = needed_width > 0.0f && needed_width > b.x - a.x + 0.5f;
    if (visible && !scrolls_x && (b.x > edge_max.x + 0.5f || a.x < edge_min.x - 0.5f)) cut = true;
    if (visible && !scrolls_y && (b.y > edge_max.y + 0.5f || a.y < edge_min.y - 0.5f)) cut = true;
    // Along an axis its window scrolls, the rest of the item is reachable: the report gives the part on screen.
    const ImVec2 shown_min(scrolls_x ? std::max(a.x, clip_min.x) : a.x, scrolls_y ? std::max(a.y, clip_min.y) : a.y);
    const ImVec2 shown_max(scrolls_x ? std::min(b.x, clip_max.x) : b.x, scrolls_y ? std::min(b.y, clip_max.y) : b.y);
    g_items.push_back({w ? w->Name : "", kind, one_line(text), visible ? shown_min : a, visible ? shown_max : b, cut, visible});
}

}  // namespace

void item(const char* kind, const std::string& text, float needed_width) {
    if (g_enabled) record(kind, text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), needed_width);
}

void drawn_text(const char* kind, const std::string& text, ImVec2 at) {
    if (!g_enabled) return;
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    record(kind, text, at, ImVec2(at.x + size.x, at.y + size.y), 0.0f);
}

bool write(const std::string& path, float ui_scale, std::string& error) {
    const ImGuiContext& g = *GImGui;
    std::string out;
    char line[512];
    const ImVec2 vs = ImGui::GetMainViewport()->Size;
    std::snprintf(line, sizeof line, "viewport\t%.0f\t%.0f\t%.2f\n", double(vs.x), double(vs.y), double(ui_scale));
    out += line;
    for (const ImGuiWindow* w : g.Windows) {
        // The main menu bar's content region is empty by construction; its items are checked as items.
        if (!w->WasActive || w->Hidden || (w->Flags & ImGuiWindowFlags_MenuBar)) continue;
        const ImRect r = w->OuterRectClipped;  // a child scrolled partly out of its parent: the part on screen
        const ImRect inner = w->ContentRegionRect;
        const bool cut_x = w->ContentSize.x > inner.GetWidth() + 1.0f && !w->ScrollbarX;
        const bool cut_y = w->ContentSize.y > inner.GetHeight() + 1.0f && !w->ScrollbarY;
        std::snprintf(line, sizeof line, "window\t%s\t%.0f %.0f %.0f %.0f\t%.0f %.0f\t%d %d\t%d\n",
                      one_line(w->Name).c_str(), double(r.Min.x), double(r.Min.y), double(r.Max.x), double(r.Max.y),
                      double(w->ContentSize.x), double(w->ContentSize.y), int(w->ScrollbarX), int(w->ScrollbarY),
                      int(cut_x || cut_y));
        out += line;
    }
    for (const Item& it : g_items) {
        std::snprintf(line, sizeof line, "item\t%s\t%s\t%.0f %.0f %.0f %.0f\t%d\t%d\t", one_line(it.window).c_str(),
                      it.kind.c_str(), double(it.min.x), double(it.min.y), double(it.max.x), double(it.max.y),
                      int(it.cut), int(it.visible));
        out += line + it.text + "\n";
    }
    try {
        write_file_atomic(path, out.data(), out.size());
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    return true;
}

}  // namespace convscope::gui::layout_report
