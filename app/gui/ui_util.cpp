#include "app/gui/ui_util.hpp"

#include <algorithm>
#include <cstdarg>

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
    if (!ImGui::IsItemHovered()) return;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
    va_list args;
    va_start(args, fmt);
    ImGui::TextV(fmt, args);
    va_end(args);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void text_tip(const std::string& text, const std::string& tip) {
    ImGui::TextUnformatted(text.c_str());
    tooltip("%s", tip.c_str());
}

void error_text(const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, error_colour());
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

bool pair_input(const char* label, int& rows, int& cols, int min, int max, const char* tip) {
    int v[2] = {rows, cols};
    ImGui::PushID(label);
    const bool changed = ImGui::DragInt2(label, v, 0.05f, min, max, "%d", ImGuiSliderFlags_AlwaysClamp);
    tooltip("%s\nDrag or double-click to type. Left: rows (height), right: cols (width).", tip);
    ImGui::PopID();
    if (changed) {
        rows = std::clamp(v[0], min, max);
        cols = std::clamp(v[1], min, max);
    }
    return changed;
}

static bool light_theme() { return ImGui::GetStyle().Colors[ImGuiCol_WindowBg].x > 0.5f; }

ImVec4 error_colour() { return light_theme() ? ImVec4(0.75f, 0.05f, 0.05f, 1) : ImVec4(1.0f, 0.38f, 0.35f, 1); }
ImVec4 ok_colour() { return light_theme() ? ImVec4(0.05f, 0.5f, 0.1f, 1) : ImVec4(0.45f, 0.85f, 0.45f, 1); }
ImVec4 dim_colour() { return ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]; }
ImVec4 accent_colour() { return light_theme() ? ImVec4(0.1f, 0.35f, 0.8f, 1) : ImVec4(0.45f, 0.7f, 1.0f, 1); }

}  // namespace convscope::gui
