// "Predict the shape": the quiz of core/teach/quiz.hpp in a window. The seed's seven Conv2D examples, then
// random ones of rising difficulty, then nodes of the network; the learner types the output shape and the
// parameter count and is told right or wrong with the worked formula. A score, and the mistakes to revisit.
// Keyboard alone: Enter in the shape field goes to the parameters, Enter there checks, Enter again (or N) goes
// on; Tab works as everywhere.
#include <algorithm>
#include <cstdio>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

namespace {

void start_quiz(QuizState& q, std::uint64_t seed) {
    q.seed = seed;
    q.questions = make_quiz(seed);
    q.answered.assign(q.questions.size(), -1);
    q.index = 0;
    q.shape_answer.clear();
    q.params_answer.clear();
    q.verdict.reset();
    q.focus = 1;
}

void go_to(QuizState& q, int index) {
    q.index = std::clamp(index, 0, int(q.questions.size()) - 1);
    q.shape_answer.clear();
    q.params_answer.clear();
    q.verdict.reset();
    q.focus = 1;
}

void check(QuizState& q) {
    const QuizQuestion& question = q.questions[std::size_t(q.index)];
    q.verdict = check_answer(question, parse_shape_answer(q.shape_answer), parse_count_answer(q.params_answer));
    int& first = q.answered[std::size_t(q.index)];
    if (first < 0) first = q.verdict->right() ? 1 : 0;  // the first answer is the one that counts
    q.focus = 3;
}

void take_focus(QuizState& q, int field) {
    if (q.focus != field) return;
    ImGui::SetKeyboardFocusHere();
    q.focus = 0;
}

}  // namespace

void draw_quiz(AppState& app) {
    QuizState& q = app.quiz;
    q.has_focus = false;
    if (!app.settings.show_quiz) return;
    if (q.questions.empty()) start_quiz(q, q.seed);
    const float F = ImGui::GetFontSize();
    if (!begin_tool_window("Predict the shape", &app.settings.show_quiz, 40, 30, 0.5f)) {
        ImGui::End();
        return;
    }
    q.has_focus = ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows);
    const QuizQuestion& question = q.questions[std::size_t(q.index)];
    const int right = int(std::count(q.answered.begin(), q.answered.end(), 1));
    const int done = int(q.answered.size()) - int(std::count(q.answered.begin(), q.answered.end(), -1));
    char score[96];
    std::snprintf(score, sizeof score, "question %d of %zu   score %d / %d", q.index + 1, q.questions.size(), right, done);
    ImGui::TextColored(accent_colour(), "%s", score);
    layout_report::item("label", score);
    tooltip("The first answer to each question counts. The seed's 7 examples first, then random Conv2Ds (odd sizes, "
            "non-square, 'same' with strides, dilation), then nodes of the network.");
    same_line_if_fits(button_width("New quiz"));
    if (ImGui::Button("New quiz")) start_quiz(q, q.seed + 1);
    tooltip("Other random questions (the seed's examples stay first).");

    ImGui::Separator();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(question.prompt().c_str());
    layout_report::item("label", "prompt: " + question.prompt());
    ImGui::PopTextWrapPos();

    const float field_w = std::min(ImGui::GetContentRegionAvail().x * 0.5f, F * 14);
    const bool checked = q.verdict.has_value();
    bool checked_now = false;  // the Enter that checks must not also go on to the next question
    if (checked) ImGui::BeginDisabled();
    take_focus(q, 1);
    ImGui::SetNextItemWidth(field_w);
    if (input_text("output shape", q.shape_answer, ImGuiInputTextFlags_EnterReturnsTrue)) q.focus = 2;
    layout_report::item("widget", "output shape field");
    tooltip("As Keras prints it, (None, rows, cols, channels), or just rows, cols, channels. Enter: the parameters.");
    take_focus(q, 2);
    ImGui::SetNextItemWidth(field_w);
    if (input_text("parameters", q.params_answer, ImGuiInputTextFlags_EnterReturnsTrue)) check(q), checked_now = true;
    layout_report::item("widget", "parameters field");
    tooltip("The layer's parameter count: kernel values plus biases. Enter: check.");
    if (ImGui::Button("Check")) check(q), checked_now = true;
    if (checked) ImGui::EndDisabled();

    if (q.verdict) {
        ImGui::SameLine();
        if (q.focus == 3) q.focus = 0;
        const bool last = q.index + 1 >= int(q.questions.size());
        const bool key_next = !checked_now && ImGui::IsWindowFocused(ImGuiFocusedFlags_ChildWindows) &&
                              !ImGui::GetIO().WantTextInput &&
                              (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
                               ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false) ||
                               ImGui::IsKeyPressed(GLFW_KEY_N, false));
        if (ImGui::Button(last ? "Finish" : "Next") || key_next) {
            if (!last) go_to(q, q.index + 1);
            else q.index = int(q.questions.size()) - 1, q.focus = 0;
        }
        tooltip("The next question (Enter or N).");
    }
    if (q.verdict) {
        const std::string first_line = q.verdict->right() ? "Right." : "Not quite:";
        ImGui::TextColored(q.verdict->right() ? ok_colour() : error_colour(), "%s", first_line.c_str());
        layout_report::item("label", "verdict: " + first_line);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(q.verdict->feedback.c_str());
        ImGui::PopTextWrapPos();
    }

    // The mistakes to revisit: a click (or its number) asks the question again.
    std::vector<int> mistakes;
    for (std::size_t i = 0; i < q.answered.size(); ++i)
        if (q.answered[i] == 0) mistakes.push_back(int(i));
    if (!mistakes.empty()) {
        ImGui::Separator();
        ImGui::TextColored(dim_colour(), "to revisit:");
        for (int i : mistakes) {
            ImGui::SameLine();
            char label[16];
            std::snprintf(label, sizeof label, "%d", i + 1);
            if (ImGui::SmallButton(label)) go_to(q, i);
            tooltip("%s", q.questions[std::size_t(i)].prompt().c_str());
        }
    }
    if (done == int(q.questions.size())) {
        ImGui::TextColored(accent_colour(), "Done: %d of %d right the first time.", right, done);
    }
    ImGui::End();
}

}  // namespace convscope::gui
