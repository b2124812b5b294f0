#include "app/gui/ui_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <imgui_internal.h>  // GImGui->LastItemData: a field's note must not take its tooltip (see int_fields)

#include "app/gui/layout_report.hpp"
#include "app/gui/ui_rules.hpp"

namespace convscope::gui {

static int resize_callback(ImGuiInputTextCallbackData* data) {
    if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        auto* s = static_cast<std::string*>(data->UserData);
        s->resize(std::size_t(data->BufTextLen));
        data->Buf = s->data();
    }
    return 0;
}

bool input_text(const char* label, std::string& value, ImGuiInputTextFlags flags) {
    flags |= ImGuiInputTextFlags_CallbackResize;
    return ImGui::InputText(label, value.data(), value.capacity() + 1, flags, resize_callback, &value);
}

void tooltip(const char* fmt, ...) {
    if (layout_report::enabled()) {  // nearly every widget has a tooltip: the report learns where it is
        char tip[96];
        va_list args;
        va_start(args, fmt);
        std::vsnprintf(tip, sizeof tip, fmt, args);
        va_end(args);
        layout_report::item("widget", tip);
    }
    if (!ImGui::IsItemHovered()) return;
    if (layout_report::enabled()) {
        char tip[96];
        va_list args;
        va_start(args, fmt);
        std::vsnprintf(tip, sizeof tip, fmt, args);
        va_end(args);
        layout_report::item("tooltip", tip);  // which tooltips showed this frame (tests: one per hover)
    }
    ImGui::BeginTooltip();
    // 30 characters' width, but never wider than most of the window: at 250 % on 1280 x 720, 30 characters are
    // 1200 px and the tooltip ran off the right edge (ImGui keeps a tooltip inside only when it fits).
    ImGui::PushTextWrapPos(std::min(ImGui::GetFontSize() * 30.0f, ImGui::GetMainViewport()->WorkSize.x * 0.6f));
    va_list args;
    va_start(args, fmt);
    ImGui::TextV(fmt, args);
    va_end(args);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void text_tip(const std::string& text, const std::string& tip) {
    ImGui::TextUnformatted(text.c_str());
    layout_report::item("label", text);
    if (ImGui::IsItemHovered()) tooltip("%s", tip.c_str());
}

void error_text(const std::string& text) { wrapped_text(text, error_colour()); }

// The middle of `word` replaced by "..." so that it fits `width` (the start and the end of a path say most).
static std::string elide_middle(const std::string& word, float width) {
    if (ImGui::CalcTextSize(word.c_str()).x <= width) return word;
    std::size_t keep = word.size();
    std::string s;
    do {
        --keep;
        s = word.substr(0, keep / 2) + "..." + word.substr(word.size() - (keep - keep / 2));
    } while (keep > 2 && ImGui::CalcTextSize(s.c_str()).x > width);
    return s;
}

void wrapped_text(const std::string& text, const ImVec4& colour) {
    const float width = std::max(ImGui::GetFontSize() * 4, ImGui::GetContentRegionAvail().x);
    const float space = ImGui::CalcTextSize(" ").x;
    bool elided = false;
    ImGui::BeginGroup();
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    std::string line;
    float line_w = 0.0f;
    std::size_t i = 0;
    auto flush = [&] {
        ImGui::TextUnformatted(line.c_str());
        line.clear();
        line_w = 0.0f;
    };
    while (i <= text.size()) {
        std::size_t end = text.find_first_of(" \n", i);
        if (end == std::string::npos) end = text.size();
        std::string word = text.substr(i, end - i);
        float w = ImGui::CalcTextSize(word.c_str()).x;
        if (w > width) {
            word = elide_middle(word, width);
            w = ImGui::CalcTextSize(word.c_str()).x;
            elided = true;
        }
        if (!line.empty() && line_w + space + w > width) flush();
        if (!line.empty()) line += ' ', line_w += space;
        line += word;
        line_w += w;
        if (end < text.size() && text[end] == '\n') flush();
        i = end + 1;
    }
    if (!line.empty()) flush();
    ImGui::PopStyleColor();
    ImGui::EndGroup();
    if (elided && ImGui::IsItemHovered()) tooltip("%s", text.c_str());
}

bool int_fields(const char* label, int* values, int count, float speed, int min, int max) {
    // While the user types, the typed number lives in ImGui's per-widget storage, not in `values`: ImGui
    // writes every keystroke ("1" of "15") into the data it is given, and each would be a run.
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const ImGuiID key = ImGui::GetID(label);
    const bool was_typing = storage->GetBool(key, false);
    int shown[4];
    count = std::clamp(count, 1, 4);
    for (int i = 0; i < count; ++i) shown[i] = was_typing ? storage->GetInt(key + 1 + ImGuiID(i), values[i]) : values[i];
    // Dragging stays within [min, max]; typed text is not clamped by ImGui (AlwaysClamp would), so that a value
    // outside the range is seen below, applied as the nearest bound and the field says so.
    const bool edited = ImGui::DragScalarN(label, ImGuiDataType_S32, shown, count, speed, &min, &max, "%d");
    // Text entry (double-click or Ctrl+click) is an active field with the mouse released; a drag holds it down.
    const bool typing = ImGui::IsItemActive() && !ImGui::IsMouseDown(ImGuiMouseButton_Left);
    bool apply = false;
    if (typing) {
        storage->SetBool(key, true);
        for (int i = 0; i < count; ++i) storage->SetInt(key + 1 + ImGuiID(i), shown[i]);
    } else if (was_typing) {
        storage->SetBool(key, false);
        // Enter or leaving the field: the typed number counts now. A field that vanished while being typed
        // in (another node selected) keeps its old value.
        apply = ImGui::IsItemDeactivated();
    } else {
        apply = edited;  // dragging stays live
    }
    // The note about the last typed value that was out of range stays under the field until the field is next
    // applied. Drawn without becoming the last item: the caller's tooltip() belongs to the field.
    const ImGuiID limited_key = key + 5, typed_key = key + 6;
    if (apply) {
        storage->SetBool(limited_key, false);
        for (int i = 0; i < count; ++i)
            if (shown[i] < min || shown[i] > max) {
                storage->SetBool(limited_key, true);
                storage->SetInt(typed_key, shown[i]);
                break;
            }
    }
    if (storage->GetBool(limited_key, false)) {
        const ImGuiLastItemData field = GImGui->LastItemData;
        const char* end = std::strstr(label, "##");
        const std::string note = limited_note(std::string(label, end ? end : label + std::strlen(label)),
                                              storage->GetInt(typed_key, 0), min, max);
        wrapped_text(note, changed_colour());
        layout_report::item("label", note);
        GImGui->LastItemData = field;
    }
    if (!apply) return false;
    bool changed = false;
    for (int i = 0; i < count; ++i) {
        const int v = std::clamp(shown[i], min, max);
        changed |= v != values[i];
        values[i] = v;
    }
    return changed;
}

bool int_field(const char* label, int& value, float speed, int min, int max) {
    return int_fields(label, &value, 1, speed, min, max);
}

bool pair_input(const char* label, int& rows, int& cols, int min, int max, const char* tip) {
    int v[2] = {rows, cols};
    ImGui::PushID(label);
    const bool changed = int_fields(label, v, 2, 0.05f, min, max);
    tooltip("%s\nAllowed: %d to %d (a typed value outside is limited, and a note says so).\nDrag, or double-click to "
            "type (applied on Enter or when you leave the field). Left: rows (height), right: cols (width).", tip, min, max);
    ImGui::PopID();
    if (changed) {
        rows = v[0];
        cols = v[1];
    }
    return changed;
}

bool same_line_if_fits(float next_width, float spacing) {
    const float gap = spacing >= 0.0f ? spacing : ImGui::GetStyle().ItemSpacing.x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + gap + next_width > right) return false;
    ImGui::SameLine(0.0f, gap);
    return true;
}

float text_width(const char* text) {
    const char* end = std::strstr(text, "##");
    return ImGui::CalcTextSize(text, end).x;
}

float button_width(const char* label) { return text_width(label) + ImGui::GetStyle().FramePadding.x * 2; }

float frame_width_beside(float wanted, const char* label) {
    const float room = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemInnerSpacing.x - text_width(label);
    return std::max(ImGui::GetFontSize() * 4, std::min(wanted, room));
}

float labelled_width(float frame_w, const char* label) {
    const float t = text_width(label);
    return frame_w + (t > 0 ? ImGui::GetStyle().ItemInnerSpacing.x + t : 0.0f);
}

static bool light_theme() { return ImGui::GetStyle().Colors[ImGuiCol_WindowBg].x > 0.5f; }

ImVec4 error_colour() { return light_theme() ? ImVec4(0.75f, 0.05f, 0.05f, 1) : ImVec4(1.0f, 0.38f, 0.35f, 1); }
ImVec4 ok_colour() { return light_theme() ? ImVec4(0.05f, 0.5f, 0.1f, 1) : ImVec4(0.45f, 0.85f, 0.45f, 1); }
ImVec4 dim_colour() { return ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]; }
ImVec4 changed_colour() { return light_theme() ? ImVec4(0.7f, 0.25f, 0.0f, 1) : ImVec4(1.0f, 0.55f, 0.1f, 1); }
ImVec4 accent_colour() { return light_theme() ? ImVec4(0.1f, 0.35f, 0.8f, 1) : ImVec4(0.45f, 0.7f, 1.0f, 1); }

float status_line_padding() { return std::round(ImGui::GetFontSize() * 0.2f); }

float status_line_height() { return ImGui::GetFrameHeight() + status_line_padding() * 2; }

bool begin_tool_window(const char* title, bool* open, float width_fonts, float height_fonts, float x_align) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float F = ImGui::GetFontSize();
    // Above the status line, so that the window's last rows (and its resize grip) are not drawn under it.
    const ImVec2 size(std::min(F * width_fonts, vp->WorkSize.x),
                      std::min(F * height_fonts, vp->WorkSize.y - status_line_height()));
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + (vp->WorkSize.x - size.x) * x_align, vp->WorkPos.y), ImGuiCond_Appearing);
    ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
    ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the feature maps behind would show through the pictures' edges
    return ImGui::Begin(title, open);
}

}  // namespace convscope::gui
