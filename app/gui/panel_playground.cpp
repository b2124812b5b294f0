// The Conv2D playground: one Keras Conv2D on an image, its shape arithmetic live as the user drags.
#include <algorithm>
#include <cinttypes>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

static void draw_image_source(AppState& app) {
    ImGui::TextColored(accent_colour(), "Input image");
    const std::vector<std::string> samples = sample_names();
    const std::string current = sample_name(app.image_source).value_or("(your file)");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    if (ImGui::BeginCombo("sample", current.c_str())) {
        for (const std::string& s : samples)
            if (ImGui::Selectable(s.c_str(), current == s)) open_image(app, sample_source(s));
        ImGui::EndCombo();
    }
    tooltip("The bundled sample images (see assets/LICENSES.md). Or type a path below, or drop a file on the window.");
    const float open_w = ImGui::CalcTextSize("Open").x + ImGui::GetStyle().FramePadding.x * 2 + ImGui::GetStyle().ItemSpacing.x;
    ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 6, ImGui::GetContentRegionAvail().x - open_w));
    if (input_text("##path", app.image_path_field, ImGuiInputTextFlags_EnterReturnsTrue))
        open_image(app, app.image_path_field);
    tooltip("Path of your own image (PNG, JPEG, BMP or GIF). Press Enter to open it, or drag a file onto the window.");
    ImGui::SameLine();
    if (ImGui::Button("Open")) open_image(app, app.image_path_field);
    tooltip("Open the image at the path on the left (Ctrl+O focuses the path field).");
    if (!app.image_label.empty()) {
        wrapped_text("in use: " + app.image_label, dim_colour());  // a path stays whole and the panel narrow
        tooltip("The decoded image. It is resized (stretched) to the input size below, then scaled to [0, 1].");
    }
}

static void draw_parameters(AppState& app) {
    PlaygroundParams& p = app.playground;
    Conv2DConfig& c = p.conv;
    bool changed = false;
    // The fields are 11 characters wide, narrower where their label would not fit beside them (a projector at
    // 250 %): the column never needs a horizontal scrollbar.
    const float w = std::max(ImGui::GetFontSize() * 5,
                             std::min(ImGui::GetFontSize() * 11, ImGui::GetContentRegionAvail().x -
                                                                      labelled_width(0.0f, "input size (H, W)")));

    ImGui::TextColored(accent_colour(), "Input size and Conv2D arguments");
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("input size (H, W)", p.input_height, p.input_width, 1, 2048,
                          "The image is resized to this height and width (3 channels, RGB) before the convolution.");
    ImGui::SetNextItemWidth(w);
    changed |= int_field("filters", c.filters, 0.25f, 1, 256);
    tooltip("filters: how many output channels (feature maps) the layer makes; each has its own kernel.\nAllowed: 1 to "
            "256 (a typed value outside is limited, and a note says so).\nDrag, or double-click to type (applied on "
            "Enter or when you leave the field).");
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("kernel_size", c.kernel_size.rows, c.kernel_size.cols, 1, 15,
                          "kernel_size: the window each output value looks at, (rows, cols).");
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("strides", c.strides.rows, c.strides.cols, 1, 8,
                          "strides: how far the window moves between outputs. Keras forbids strides > 1 together with "
                          "dilation_rate > 1.");
    int pad = c.padding == Padding::same ? 1 : 0;
    ImGui::TextUnformatted("padding");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("valid", &pad, 0);
    tooltip("'valid': no padding; the window stays inside the image, so the output shrinks.");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("same", &pad, 1);
    tooltip("'same': zeros are added so that out = ceil(in / strides); the odd extra row/column goes to the "
            "bottom/right (TensorFlow's rule).");
    c.padding = pad ? Padding::same : Padding::valid;
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("dilation_rate", c.dilation_rate.rows, c.dilation_rate.cols, 1, 8,
                          "dilation_rate: gaps between the kernel taps; the effective kernel is (k - 1) * d + 1.");
    changed |= ImGui::Checkbox("use_bias", &c.use_bias);
    tooltip("use_bias: add one learned number per filter. The playground's biases are 0 (Keras' default).");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    if (ImGui::BeginCombo("activation", to_string(c.activation))) {
        for (ActivationKind a : all_activations()) {
            if (ImGui::Selectable(to_string(a), a == c.activation) && a != c.activation) {
                c.activation = a;
                changed = true;
            }
            tooltip("%s", activation_definition(a).c_str());
        }
        ImGui::EndCombo();
    }
    tooltip("activation: applied to every output value (linear = Keras' None); tf.keras 2.x definitions.\n%s",
            activation_definition(c.activation).c_str());

    ImGui::TextColored(accent_colour(), "Kernel");
    int src = int(p.kernel_source);
    ImGui::SetNextItemWidth(w);
    // The random source draws with the kernel_initializer (All 15 Conv2D arguments), glorot_uniform unless changed
    // there: it is shown under that name, or the combo said "glorot_uniform" over a he_normal kernel.
    std::vector<std::string> names = kernel_source_names();
    names[std::size_t(KernelSource::glorot_uniform)] = to_string(c.kernel_initializer) + " (random)";
    if (ImGui::BeginCombo("kernel source", names[std::size_t(src)].c_str())) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (ImGui::Selectable(names[i].c_str(), int(i) == src)) {
                p.kernel_source = KernelSource(i);
                changed = true;
            }
        ImGui::EndCombo();
    }
    tooltip("The first: a random kernel drawn by the kernel_initializer (set under All 15 Conv2D arguments; Keras' "
            "default glorot_uniform: U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out))). The others are "
            "classic image filters: filter f applies it to input channel f mod 3 (R, G, B), so the maps mean "
            "something without training.");
    if (p.kernel_source == KernelSource::glorot_uniform) {
        same_line_if_fits(labelled_width(ImGui::GetFontSize() * 5, "seed"));  // under it on a narrow column
        int seed = int(p.seed);
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
        if (int_field("seed", seed, 0.2f, 0, 1 << 30)) {
            p.seed = std::uint64_t(std::max(0, seed));
            changed = true;
        }
        tooltip("The random seed of the kernel_initializer: the same seed gives the same kernel (0 to 1073741824). "
                "Drag, or double-click to type.");
    } else {
        // The 2-D filter itself, small enough to read.
        const std::vector<float> k = classic_kernel_2d(p.kernel_source, c.kernel_size.rows, c.kernel_size.cols);
        if (c.kernel_size.rows <= 7 && c.kernel_size.cols <= 7 &&
            ImGui::BeginTable("kernel", c.kernel_size.cols, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
            for (int r = 0; r < c.kernel_size.rows; ++r) {
                ImGui::TableNextRow();
                for (int col = 0; col < c.kernel_size.cols; ++col) {
                    ImGui::TableNextColumn();
                    ImGui::Text("%.3g", double(k[std::size_t(r * c.kernel_size.cols + col)]));
                    tooltip("kernel[%d, %d] of the %s filter (rows, cols).", r, col, names[std::size_t(src)].c_str());
                }
            }
            ImGui::EndTable();
        }
    }
    changed |= draw_all_arguments(app);
    if (changed) refresh_playground_geometry(app);
}

// The input with its zero padding drawn around it. Padding is a few pixels against hundreds, so each padded
// row/column is drawn as a fixed-width band: the picture shows where the zeros go, not their scale.
static void draw_padding_picture(const ConvGeometry& g) {
    const int top = g.rows.pad_before, bottom = g.rows.pad_after, left = g.cols.pad_before, right = g.cols.pad_after;
    if (top + bottom + left + right == 0) return;
    const float F = ImGui::GetFontSize();
    const float band = F * 0.45f;
    const float iw = F * 7.0f, ih = std::clamp(iw * float(g.rows.in) / float(std::max(1, g.cols.in)), F * 2.5f, F * 7.0f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const ImVec2 a(o.x + F * 3.5f, o.y + F * 1.2f);  // outer top-left, room for the labels
    const ImVec2 b(a.x + band * float(left + right) + iw, a.y + band * float(top + bottom) + ih);
    const ImU32 pad_col = IM_COL32(120, 120, 120, 120), img_col = ImGui::GetColorU32(accent_colour());
    dl->AddRectFilled(a, b, pad_col);
    const ImVec2 i0(a.x + band * float(left), a.y + band * float(top));
    dl->AddRectFilled(i0, ImVec2(i0.x + iw, i0.y + ih), img_col);
    const std::string in_label = std::to_string(g.rows.in) + " x " + std::to_string(g.cols.in);
    const ImVec2 ts = ImGui::CalcTextSize(in_label.c_str());
    dl->AddText(ImVec2(i0.x + (iw - ts.x) * 0.5f, i0.y + (ih - ts.y) * 0.5f), IM_COL32(255, 255, 255, 255), in_label.c_str());
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    auto label = [&](const std::string& s, ImVec2 p) { dl->AddText(p, text, s.c_str()); };
    label("top " + std::to_string(top), ImVec2(a.x + (b.x - a.x) * 0.5f - F * 1.5f, a.y - F * 1.15f));
    label("bottom " + std::to_string(bottom), ImVec2(a.x + (b.x - a.x) * 0.5f - F * 2.0f, b.y + F * 0.1f));
    label("left " + std::to_string(left), ImVec2(o.x, a.y + (b.y - a.y) * 0.5f - F * 0.5f));
    label("right " + std::to_string(right), ImVec2(b.x + F * 0.3f, a.y + (b.y - a.y) * 0.5f - F * 0.5f));
    ImGui::Dummy(ImVec2(b.x - o.x + F * 3.5f, b.y - o.y + F * 1.3f));
    tooltip("Where 'same' padding puts its zeros (grey; each padded row or column drawn as one band). When the "
            "total is odd, TensorFlow puts the extra row at the bottom and the extra column at the right.");
}

static void draw_arithmetic(AppState& app) {
    const PlaygroundParams& p = app.playground;
    ImGui::TextColored(accent_colour(), "What Keras computes");
    if (!app.playground_error.empty()) {
        // Keras would build the layer that is over convscope's memory cap: "too large", not "impossible".
        const std::string text = (app.playground_over_limit ? "Too large for the playground: " : "Impossible: ") +
                                 app.playground_error;
        error_text(text);
        layout_report::item("error", text);
        const bool maps_shown = app.shown.render().tensor != nullptr;
        ImGui::TextColored(dim_colour(), "%s", maps_shown ? "The maps show the last valid combination."
                                                          : "No maps until the combination is possible again.");
        return;
    }
    if (!app.playground_geometry) return;
    const ConvGeometry& g = *app.playground_geometry;
    const Shape out = Shape::image(g.rows.out, g.cols.out, p.conv.filters);
    ImGui::TextUnformatted("output shape");
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, ok_colour());
    text_tip(keras_shape(out, app.playground.conv.data_format),
             app.playground.conv.data_format == DataFormat::channels_first
                 ? "The output shape as Keras prints it with data_format='channels_first': (batch, filters, rows, cols). "
                   "None is the batch axis."
                 : "The output shape as Keras prints it: (batch, rows, cols, filters). None is the batch axis.");
    ImGui::PopStyleColor();

    if (ImGui::BeginTable("axes", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("axis", ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn("formula with your numbers");
        ImGui::TableSetupColumn("padding", ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableHeadersRow();
        const AxisGeometry* axes[2] = {&g.rows, &g.cols};
        const char* names[2] = {"rows", "cols"};
        for (int i = 0; i < 2; ++i) {
            const AxisGeometry& a = *axes[i];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(names[i]);
            ImGui::TableNextColumn();
            ImGui::TextWrapped("%s", a.formula.c_str());
            tooltip("%s: in = %d, kernel = %d, strides = %d, dilation = %d, effective kernel = (k - 1) * d + 1 = %d.\n"
                    "'valid': out = ceil((in - k_eff + 1) / s). 'same': out = ceil(in / s).",
                    names[i], a.in, a.kernel, a.stride, a.dilation, a.effective_kernel);
            ImGui::TableNextColumn();
            ImGui::Text(i == 0 ? "top %d, bottom %d" : "left %d, right %d", a.pad_before, a.pad_after);
            tooltip("'same' pads total = max(0, (out - 1) * s + k_eff - in) = %d: before = total // 2, after gets the "
                    "rest (TensorFlow puts the odd one at the bottom/right). 'valid' pads nothing.",
                    a.pad_before + a.pad_after);
        }
        ImGui::EndTable();
    }

    draw_padding_picture(g);

    text_tip("parameters: " + with_thousands(app.playground_params),
             "kernel kh * kw * in * filters = " + std::to_string(p.conv.kernel_size.rows) + " * " +
                 std::to_string(p.conv.kernel_size.cols) + " * 3 * " + std::to_string(p.conv.filters) +
                 (p.conv.use_bias ? " + " + std::to_string(p.conv.filters) + " biases" : std::string(" (no bias)")));
    // Each figure beside the previous one while it fits, else on its own line: the panel never scrolls sideways.
    const std::string macs = "MACs: " + with_thousands(app.playground_macs);
    same_line_if_fits(text_width(macs.c_str()), ImGui::GetFontSize() * 2);
    text_tip(macs,
             "Multiply-accumulates of one forward pass: out_h * out_w * filters * kh * kw * in = " +
                 std::to_string(g.rows.out) + " * " + std::to_string(g.cols.out) + " * " +
                 std::to_string(p.conv.filters) + " * " + std::to_string(p.conv.kernel_size.rows) + " * " +
                 std::to_string(p.conv.kernel_size.cols) + " * 3.");
    if (app.playground_output) {
        const std::string ms = "computed in " + std::to_string(int(app.playground_ms + 0.5)) + " ms";
        same_line_if_fits(text_width(ms.c_str()), ImGui::GetFontSize() * 2);
        text_tip(ms,
                 "Wall time on the worker thread for the last result: resize (if needed), convolution, activation.");
    }

    // Code, not prose: one statement per line, unwrapped, in a box of its own that scrolls sideways (a long
    // Conv2D line with every argument would otherwise widen the whole panel, and every wrapped text with it).
    const std::string& code = app.playground_keras_line;
    ImGui::TextUnformatted("Keras:");
    const ImVec2 code_size = ImGui::CalcTextSize(code.c_str());
    const bool too_wide = code_size.x > ImGui::GetContentRegionAvail().x;
    ImGui::BeginChild("keras_code", ImVec2(0, code_size.y + (too_wide ? ImGui::GetStyle().ScrollbarSize : 0.0f) + 2),
                      false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushStyleColor(ImGuiCol_Text, accent_colour());
    ImGui::TextUnformatted(code.c_str());
    ImGui::PopStyleColor();
    tooltip("Keras code that reproduces this layer with the kernel on screen%s. x is the image resized to the input "
            "size, as RGB scaled to [0, 1] (what the playground feeds it).",
            p.kernel_source == KernelSource::glorot_uniform ? " (glorot_uniform: Keras draws its own random values)" : "");
    ImGui::EndChild();
    if (ImGui::Button("Copy Keras code")) ImGui::SetClipboardText(code.c_str());
    tooltip("Copies the code above to the clipboard (Ctrl+Shift+C).");
}

void draw_playground(AppState& app) {
    draw_image_source(app);
    ImGui::Separator();
    draw_parameters(app);
    // The long label where it fits; on a narrow column (a projector at 250 %) the short one.
    const char* steps_label = button_width("Step by step: how one output value is made") <= ImGui::GetContentRegionAvail().x
                                  ? "Step by step: how one output value is made"
                                  : "Step by step";
    if (ImGui::Button(steps_label)) app.settings.show_steps = true;
    layout_report::item("button", steps_label);
    tooltip("Slide the kernel window over the padded input one output position at a time: the products, the sums, "
            "the bias, the activation, and the value written (View > Step by step, or S).");
    if (ImGui::Button("Pin as A")) pin_current(app);
    layout_report::item("button", "Pin as A");
    tooltip("Keep this setting as A (P) and go on editing: Compare A / B shows A and your new setting B side by side, "
            "the differences highlighted, the maps with one shared colour range.");
    if (app.compare.pinned) {
        same_line_if_fits(button_width("Compare A / B"));
        if (ImGui::Button("Compare A / B")) app.settings.show_compare = true;
        tooltip("Open the comparison of the pinned setting A with the current one (key A).");
        same_line_if_fits(button_width("Unpin A"));
        if (ImGui::Button("Unpin A")) unpin(app);
        tooltip("Forget the pinned setting.");
    }
    ImGui::Separator();
    draw_arithmetic(app);
}

}  // namespace convscope::gui
