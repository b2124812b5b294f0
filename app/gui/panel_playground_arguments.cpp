// The playground's "every Conv2D argument" section: the seed's signature lists fifteen, and the six that shape
// the output are above it. Here: data_format, the two initializers (formula with your numbers, histogram of the
// drawn kernel), the three regularizers and two constraints (what they would do during training, for the
// current kernel and output: they never change the forward pass), and the activation's curve.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"
#include "core/errors.hpp"
#include "core/layers/activation.hpp"
#include "core/weights/constraints.hpp"
#include "core/weights/initializer_spec.hpp"
#include "core/weights/regularizers.hpp"

namespace convscope::gui {

namespace {

// The kernel's Keras shape (kh, kw, in, out) for the playground's 3-channel input.
std::vector<std::size_t> kernel_shape(const Conv2DConfig& c) {
    return {std::size_t(c.kernel_size.rows), std::size_t(c.kernel_size.cols), 3, std::size_t(c.filters)};
}

// The weights of the result on screen: kernel (index 0) or bias (1); nullptr before the first result or
// without a bias.
const WeightArray* drawn(const AppState& app, std::size_t index) {
    if (!app.playground_layer || app.playground_layer->weights().size() <= index) return nullptr;
    return &app.playground_layer->weights()[index].values;
}

// Text wraps at the panel's visible width: the panel scrolls sideways, and wrapping at its content width would
// keep it wide.
void push_visible_wrap() { ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x); }

bool initializer_choice(const char* label, Initializer& init, float width) {
    bool changed = false;
    ImGui::SetNextItemWidth(frame_width_beside(width, label));
    if (ImGui::BeginCombo(label, to_string(init.kind))) {
        for (InitializerKind k : all_initializers())
            if (ImGui::Selectable(to_string(k), k == init.kind) && k != init.kind) {
                init = Initializer::of(k);  // with Keras' default arguments
                changed = true;
            }
        ImGui::EndCombo();
    }
    // The arguments of those that take some.
    const char* names[2] = {nullptr, nullptr};
    switch (init.kind) {
    case InitializerKind::random_uniform: names[0] = "minval", names[1] = "maxval"; break;
    case InitializerKind::random_normal:
    case InitializerKind::truncated_normal: names[0] = "mean", names[1] = "stddev"; break;
    case InitializerKind::constant: names[0] = "value"; break;
    default: break;
    }
    for (int i = 0; i < 2; ++i) {
        if (!names[i]) continue;
        // Beside the combo while the row has room, else on the next line: minval and maxval after a long
        // initializer name overran the column at 1280 x 720.
        const float field_w = ImGui::GetFontSize() * 4.5f;
        same_line_if_fits(field_w + ImGui::GetStyle().ItemInnerSpacing.x + text_width(names[i]));
        ImGui::SetNextItemWidth(field_w);
        double& v = i == 0 ? init.a : init.b;
        ImGui::PushID(i);
        changed |= ImGui::InputDouble(names[i], &v, 0.0, 0.0, "%.4g", ImGuiInputTextFlags_EnterReturnsTrue);
        layout_report::item("field", std::string(label) + " " + names[i]);
        ImGui::PopID();
    }
    return changed;
}

// The drawn values' histogram, 40 bins over their range.
void histogram(const char* id, const WeightArray& w) {
    if (w.size() == 0) return;
    const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
    std::vector<float> bins(40, 0.0f);
    const float range = *hi - *lo;
    for (float v : w) bins[std::min<std::size_t>(39, range > 0 ? std::size_t((v - *lo) / range * 40.0f) : 0)] += 1.0f;
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%zu values in [%.4g, %.4g]", std::size_t(w.size()), double(*lo), double(*hi));
    ImGui::PlotHistogram(id, bins.data(), int(bins.size()), 0, overlay, 0.0f, FLT_MAX,
                         ImVec2(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 22), ImGui::GetFontSize() * 3));
    layout_report::item("plot", overlay);
}

// A regularizer or constraint typed as Keras writes it ("l2(0.01)", "max_norm(2)", "None"), applied on Enter.
// While the field is not being edited it shows the value in use (a session may have changed it).
template <class T, class Parse>
bool text_argument(const char* label, T& value, TypedArgument& field, std::string& error, Parse parse, float width) {
    if (!field.editing) field.text = to_string(value);
    ImGui::SetNextItemWidth(frame_width_beside(width, label));
    const bool entered = input_text(label, field.text, ImGuiInputTextFlags_EnterReturnsTrue);
    field.editing = ImGui::IsItemActive();
    if (!entered) return false;
    try {
        const T parsed = parse(field.text);
        error.clear();
        if (parsed == value) return false;
        value = parsed;
        return true;
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
}

void activation_curve(ActivationKind a) {
    push_visible_wrap();
    ImGui::TextColored(dim_colour(), "%s: %s", to_string(a), activation_definition(a).c_str());
    ImGui::PopTextWrapPos();
    if (a == ActivationKind::softmax) return;  // over the channels at one position: no curve of one variable
    std::vector<float> ys(81);
    for (int i = 0; i < 81; ++i) ys[std::size_t(i)] = float(activate(a, -4.0 + 0.1 * i));
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%s(x), x from -4 to 4", to_string(a));
    ImGui::PlotLines("##activation", ys.data(), int(ys.size()), 0, overlay, FLT_MAX, FLT_MAX,
                     ImVec2(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 22), ImGui::GetFontSize() * 3));
    layout_report::item("plot", overlay);
}

// The regularizers' penalties and the constraints' effects for the result on screen, again only when the
// result or the arguments changed (not every frame).
void refresh_effects(AppState& app) {
    PlaygroundArgumentFields::Effects& e = app.playground_fields.effects;
    const Conv2DConfig& c = app.playground.conv;
    if (e.layer == app.playground_layer.get() && e.output == app.playground_output.get() && e.config == c) return;
    e.layer = app.playground_layer.get();
    e.output = app.playground_output.get();
    e.config = c;
    const WeightArray* kernel = drawn(app, 0);
    const WeightArray* bias = c.use_bias ? drawn(app, 1) : nullptr;
    const Tensor3* output = app.playground_output.get();
    auto penalty = [](const Regularizer& r, const float* values, std::size_t n, const char* symbol) {
        if (!r.active() || !values) return std::string();
        return regularizer_penalty(r, values, n, symbol).formula;
    };
    e.text[0] = penalty(c.kernel_regularizer, kernel ? kernel->data() : nullptr, kernel ? kernel->size() : 0, "w");
    e.text[1] = penalty(c.bias_regularizer, bias ? bias->data() : nullptr, bias ? bias->size() : 0, "b");
    e.text[2] = penalty(c.activity_regularizer, output ? output->data() : nullptr, output ? output->size() : 0, "y");
    auto effect = [](const Constraint& k, const WeightArray* w, const char* name) {
        return k.active() && w ? constraint_effect(k, *w, name).text : std::string();
    };
    e.text[3] = effect(c.kernel_constraint, kernel, "kernel");
    e.text[4] = effect(c.bias_constraint, bias, "bias");
}

}  // namespace

bool draw_all_arguments(AppState& app) {
    PlaygroundParams& p = app.playground;
    Conv2DConfig& c = p.conv;
    PlaygroundArgumentFields& f = app.playground_fields;
    const float w = ImGui::GetFontSize() * 11;
    bool changed = false;
    // Open from the start when a session set any of them.
    const Conv2DConfig d;
    if (c.data_format != d.data_format || c.kernel_initializer != d.kernel_initializer ||
        c.bias_initializer != d.bias_initializer || c.kernel_regularizer.active() || c.bias_regularizer.active() ||
        c.activity_regularizer.active() || c.kernel_constraint.active() || c.bias_constraint.active())
        ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    if (!ImGui::CollapsingHeader("All 15 Conv2D arguments")) return false;
    layout_report::item("header", "All 15 Conv2D arguments");
    tooltip("The seed's Conv2D signature: filters, kernel_size, strides, padding, dilation_rate, activation and use_bias "
            "are above; here data_format, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, "
            "activity_regularizer, kernel_constraint and bias_constraint.");

    // data_format
    int format = c.data_format == DataFormat::channels_first ? 1 : 0;
    ImGui::TextUnformatted("data_format");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("channels_last", &format, 0);
    tooltip("(batch, rows, cols, channels): TensorFlow's and Keras' default.");
    same_line_if_fits(labelled_width(ImGui::GetFrameHeight(), "channels_first"));
    changed |= ImGui::RadioButton("channels_first", &format, 1);
    tooltip("(batch, channels, rows, cols): every shape and the Keras line are written in that order. The arithmetic "
            "and the maps are the same; only the axes' order in memory differs.");
    c.data_format = format ? DataFormat::channels_first : DataFormat::channels_last;

    // Initializers: the definition with these numbers, and what was drawn.
    ImGui::Separator();
    const bool drawn_by_keras = p.kernel_source == KernelSource::glorot_uniform;
    changed |= initializer_choice("kernel_initializer", c.kernel_initializer, w);
    tooltip("How Keras fills the kernel before training. The seed (beside 'kernel source') makes the draw repeatable.");
    try {
        const InitializerFormula kf = initializer_formula(c.kernel_initializer, kernel_shape(c));
        wrapped_text(kf.text, dim_colour());  // at spaces only: ImGui's wrap split "0.07407407" after its '.'
        layout_report::item("label", kf.text.substr(0, 60));
    } catch (const std::exception& e) {
        error_text(e.what());
    }
    if (!drawn_by_keras) {
        push_visible_wrap();
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1), "The kernel source is a classic filter: it replaces the drawn kernel.");
        ImGui::PopTextWrapPos();
    }
    else if (const WeightArray* k = drawn(app, 0))
        histogram("##kernel_histogram", *k);
    changed |= initializer_choice("bias_initializer", c.bias_initializer, w);
    tooltip("How Keras fills the biases (one per filter). Keras' default: zeros.");
    try {
        const InitializerFormula bf = initializer_formula(c.bias_initializer, {std::size_t(c.filters)});
        wrapped_text(bf.text, dim_colour());
    } catch (const std::exception& e) {
        error_text(e.what());
    }
    if (!drawn_by_keras && c.use_bias) {  // the step-by-step sum shows "+ bias 0": say why
        push_visible_wrap();
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1), "With a classic filter the biases are 0, whatever bias_initializer "
                                                         "says (as the Keras code below sets them).");
        ImGui::PopTextWrapPos();
    }

    // Regularizers and constraints: training-time only.
    ImGui::Separator();
    push_visible_wrap();
    ImGui::TextColored(accent_colour(), "During training only: these do not change the forward pass or the maps.");
    ImGui::PopTextWrapPos();
    tooltip("A regularizer adds a penalty to the training loss; a constraint rescales or clips the weights after each "
            "training step. Here: what they would add or change for the kernel, bias and output on screen.");
    refresh_effects(app);
    struct Typed {
        const char* label;
        TypedArgument* field;
        bool regularizer;  // else a constraint
    };
    const Typed typed[5] = {{"kernel_regularizer", &f.kernel_regularizer, true},
                            {"bias_regularizer", &f.bias_regularizer, true},
                            {"activity_regularizer", &f.activity_regularizer, true},
                            {"kernel_constraint", &f.kernel_constraint, false},
                            {"bias_constraint", &f.bias_constraint, false}};
    Regularizer* regs[3] = {&c.kernel_regularizer, &c.bias_regularizer, &c.activity_regularizer};
    Constraint* cons[2] = {&c.kernel_constraint, &c.bias_constraint};
    for (int i = 0; i < 5; ++i) {
        const Typed& t = typed[i];
        if (t.regularizer) {
            changed |= text_argument(t.label, *regs[i], *t.field, f.error, parse_regularizer, w);
            tooltip("l1(f), l2(f), l1_l2(l1=f, l2=g) or None, then Enter. l1: f * sum|x|, l2: f * sum x^2.");
        } else {
            changed |= text_argument(t.label, *cons[i - 3], *t.field, f.error, parse_constraint, w);
            tooltip("max_norm(m), min_max_norm(min, max), unit_norm, non_neg or None, then Enter.");
        }
        const std::string& effect = f.effects.text[i];
        if (effect.empty()) continue;
        wrapped_text(t.regularizer ? "adds " + effect + " to the loss" : effect, dim_colour());  // numbers stay whole
        layout_report::item("label", t.regularizer ? "penalty: " + effect : "constraint: " + effect.substr(0, 60));
    }
    if (!f.error.empty()) error_text(f.error);

    // The activation chosen above, as a curve.
    ImGui::Separator();
    activation_curve(c.activation);
    return changed;
}

}  // namespace convscope::gui
