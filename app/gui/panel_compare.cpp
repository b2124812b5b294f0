// "Compare A / B": two Conv2D settings side by side. In the playground, the setting pinned as A against the one
// being edited (B); in the network panel, a Conv2D's output before an in-place edit (A) against after it (B).
// Every argument and what follows from it (the formulas with the changed numbers highlighted, padding, shape,
// parameters, MACs), and one channel of both outputs painted with one shared value range, so equal brightness
// means equal value; B - A when the maps have the same size. Export writes all of it as one PNG.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/png.hpp"
#include "core/render/compare_image.hpp"
#include "core/teach/conv_compare.hpp"

namespace convscope::gui {

namespace {

// What the window compares now: the playground's pin, or the network pin when the network panel is in view.
struct Sides {
    bool network = false;
    ConvSetting a, b;
    std::string title_a, title_b;  // what each side is, in a few words
    std::shared_ptr<const Tensor3> out_a, out_b;
    std::vector<ComparisonRow> extra_rows;  // the playground's kernel source and seed
    std::string waiting;            // nothing to compare yet: what to do
    std::string no_maps;            // why a side has no maps (empty: they are being computed)
    std::string file_stem;          // of the exported PNG
};

Sides current_sides(const AppState& app) {
    Sides s;
    const CompareState& cmp = app.compare;
    if (app.panel == Panel::network) {
        s.network = true;
        if (!cmp.network_pin) {
            s.waiting = "Select a Conv2D in the network panel and edit it (filters, kernel_size, strides, dilation, "
                        "padding): its output before your first edit is kept here as A, the edited one is B. Or press "
                        "P on a selected Conv2D to pin its output now.";
            return s;
        }
        const CompareState::NetworkPin& pin = *cmp.network_pin;
        s.a = ConvSetting{pin.config, pin.input};
        s.title_a = pin.name + " as pinned";
        s.out_a = pin.output;
        s.file_stem = "compare_" + pin.name;
        const std::optional<Conv2DConfig> now = conv_config_of(app, pin.node);
        if (!now || app.ui_graph.node(pin.node).name != pin.name) {
            s.waiting = pin.name + " is not in the network as it is built now (the stages or the input changed). "
                        "Pin a Conv2D again.";
            return s;
        }
        // Its input as it is now (an edit upstream may have changed it since the pin).
        const NodeShape& in = app.ui_shapes[std::size_t(app.ui_graph.node(pin.node).inputs.at(0))];
        s.b = ConvSetting{*now, in.ok() ? *in.shape : pin.input};
        if (app.image_source != pin.image_source) {
            s.waiting = "A was computed on another picture (" + pin.image_source + "): its maps would not compare. "
                        "Pin " + pin.name + " again on this one.";
            return s;
        }
        s.title_b = pin.name + (*now == pin.config ? " now" : " after the edit");
        if (network_node_ready(app, pin.node)) s.out_b = app.network_outputs[std::size_t(pin.node)];
        return s;
    }
    if (!cmp.pinned) {
        s.waiting = "Pin the playground's current setting as A (the \"Pin as A\" button, or P), then keep changing the "
                    "arguments: A and the setting you edit (B) are compared here.";
        return s;
    }
    const PlaygroundParams& pa = *cmp.pinned;
    const PlaygroundParams& pb = app.playground;
    s.a = ConvSetting{pa.conv, Shape::image(pa.input_height, pa.input_width, 3)};
    s.b = ConvSetting{pb.conv, Shape::image(pb.input_height, pb.input_width, 3)};
    s.title_a = "pinned";
    s.title_b = "being edited";
    s.out_a = cmp.pinned_output;
    s.out_b = app.playground_error.empty() ? app.playground_output : nullptr;
    if (!app.playground_error.empty()) s.no_maps = "B is impossible: no maps until it is possible again.";
    else if (!cmp.pinned_error.empty()) s.no_maps = "A: " + cmp.pinned_error;
    s.file_stem = "compare_playground";
    const auto& names = kernel_source_names();
    auto row = [&](const char* what, const std::string& a, const std::string& b) {
        s.extra_rows.push_back(ComparisonRow{what, a, b, a != b, true});
    };
    row("kernel source", names[std::size_t(pa.kernel_source)], names[std::size_t(pb.kernel_source)]);
    if (pa.kernel_source == KernelSource::glorot_uniform || pb.kernel_source == KernelSource::glorot_uniform)
        row("seed", std::to_string(pa.seed), std::to_string(pb.seed));
    return s;
}

// A formula with the words that differ from the other side's in the highlight colour, wrapped at the cell's
// edge (a narrow column at a projector's UI scale).
void highlighted_words(const std::string& text, const std::string& other, bool row_differs) {
    const std::vector<bool> diff = differing_words(text, other);
    std::size_t i = 0, word = 0;
    bool first = true;
    const float space = ImGui::CalcTextSize(" ").x;
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    float line_end = 0.0f;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        if (i >= text.size()) break;
        const std::size_t end = std::min(text.find(' ', i), text.size());
        const std::string w = text.substr(i, end - i);
        if (!first && line_end + space + ImGui::CalcTextSize(w.c_str()).x <= right) ImGui::SameLine(0, space);
        first = false;
        const bool hot = row_differs && word < diff.size() && diff[word];
        if (hot) ImGui::TextColored(changed_colour(), "%s", w.c_str());
        else ImGui::TextUnformatted(w.c_str());
        line_end = ImGui::GetItemRectMax().x;
        ++word;
        i = end;
    }
}

const char* row_tip(const std::string& what) {
    if (what == "effective kernel") return "(kernel - 1) * dilation + 1 per axis: the span the window covers.";
    if (what == "rows: out" || what == "cols: out")
        return "The output size along this axis. 'valid': ceil((in - k_eff + 1) / s); 'same': ceil(in / s).";
    if (what == "padding rows" || what == "padding cols")
        return "The zeros 'same' adds: total = max(0, (out - 1) * s + k_eff - in), before = total // 2, the rest "
               "after (TensorFlow's rule). 'valid' adds none.";
    if (what == "output shape") return "(batch, rows, cols, filters) as Keras prints it; None is the batch axis.";
    if (what == "parameters") return "kernel kh * kw * in * filters, plus filters biases with use_bias.";
    if (what == "MACs") return "Multiply-accumulates of one forward pass: out_h * out_w * filters * kh * kw * in.";
    if (what == "kernel source") return "Where the playground's kernel values come from.";
    if (what == "seed") return "The seed of the random kernel: the same seed draws the same kernel.";
    return "A Keras Conv2D argument (rows where A and B differ are highlighted).";
}

void draw_table(const Sides& s, const ConvComparison& c, bool all_arguments) {
    if (!ImGui::BeginTable("compare_rows", 3,
                           ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp))
        return;
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn(("A: " + s.title_a).c_str());
    ImGui::TableSetupColumn(("B: " + s.title_b).c_str());
    ImGui::TableHeadersRow();
    auto draw_row = [&](const ComparisonRow& r) {
        if (r.argument && !r.differs && !all_arguments) return;
        ImGui::TableNextRow();
        if (r.differs) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(255, 140, 25, 40));
        ImGui::TableNextColumn();
        if (r.differs) ImGui::TextColored(changed_colour(), "%s", r.what.c_str());
        else ImGui::TextUnformatted(r.what.c_str());
        tooltip("%s", row_tip(r.what));
        ImGui::TableNextColumn();
        highlighted_words(r.a, r.b, r.differs);
        ImGui::TableNextColumn();
        highlighted_words(r.b, r.a, r.differs);
        layout_report::item("label", r.what + ": " + r.a + " | " + r.b + (r.differs ? " (differs)" : ""));
    };
    for (const ComparisonRow& r : s.extra_rows) draw_row(r);
    for (const ComparisonRow& r : c.rows) draw_row(r);
    ImGui::EndTable();
    if (c.a.ok && c.b.ok) {
        const std::string ratios =
            "B / A: parameters " + ratio_text(c.a.params, c.b.params) + ", MACs " + ratio_text(c.a.macs, c.b.macs);
        ImGui::TextUnformatted(ratios.c_str());
        layout_report::item("label", ratios);
        tooltip("How many times A's count B has: %s / %s parameters, %s / %s multiply-accumulates.",
                with_thousands(c.b.params).c_str(), with_thousands(c.a.params).c_str(), with_thousands(c.b.macs).c_str(),
                with_thousands(c.a.macs).c_str());
    }
    ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x);
    if (!c.a.ok) error_text("A is impossible: " + c.a.error);
    if (!c.b.ok) error_text("B is impossible: " + c.b.error);
    ImGui::PopTextWrapPos();
}

// Re-renders the textures when the outputs, channel, range or the box size changed (a few milliseconds for two
// 600 x 600 maps, only on a change).
void update_textures(CompareState& cmp, const std::shared_ptr<const Tensor3>& a_ptr,
                     const std::shared_ptr<const Tensor3>& b_ptr, Colormap cmap, int box_px) {
    const Tensor3 &a = *a_ptr, &b = *b_ptr;
    const int channel = cmp.channel;
    if (cmp.made_from[0] == a_ptr && cmp.made_from[1] == b_ptr && cmp.made_channel == channel &&
        cmp.made_normalization == cmp.normalization && cmp.made_colormap == cmap &&
        std::max(cmp.textures[0].width(), cmp.textures[0].height()) == box_px)
        return;
    cmp.shared_range = shared_range(a, channel, b, channel, cmp.normalization);
    cmp.own_range[0] = value_range(a, channel, Normalization::per_channel);
    cmp.own_range[1] = value_range(b, channel, Normalization::per_channel);
    auto fitted = [&](const Tensor3& t, int ch, ValueRange r, Colormap m, GlTexture& tex) {
        const int h = int(t.shape()[0]), w = int(t.shape()[1]);
        const int tw = w >= h ? box_px : std::max(1, box_px * w / h), th = h >= w ? box_px : std::max(1, box_px * h / w);
        const RgbaImage img = render_fitted(t, ch, r, m, tw, th);
        tex.upload(img.width, img.height, img.pixels.data());
    };
    fitted(a, channel, cmp.shared_range, cmap, cmp.textures[0]);
    fitted(b, channel, cmp.shared_range, cmap, cmp.textures[1]);
    cmp.has_difference = a.shape()[0] == b.shape()[0] && a.shape()[1] == b.shape()[1];
    if (cmp.has_difference) {
        const Tensor3 d = difference_map(a, channel, b, channel);
        cmp.difference_range = value_range(d, 0, Normalization::symmetric);
        fitted(d, 0, cmp.difference_range, Colormap::diverging, cmp.textures[2]);
    }
    cmp.made_from[0] = a_ptr;
    cmp.made_from[1] = b_ptr;
    cmp.made_channel = channel;
    cmp.made_normalization = cmp.normalization;
    cmp.made_colormap = cmap;
}

// One map in a box of box x box screen pixels, with the value under the mouse (and the same place in the other
// map, which may have another resolution) in a tooltip.
void draw_map(const GlTexture& tex, float box, const char* caption, const Tensor3& t, const Tensor3* other,
              const char* other_name, int channel) {
    ImGui::BeginGroup();
    ImGui::TextUnformatted(caption);
    const float scale = box / float(std::max(tex.width(), tex.height()));
    const ImVec2 size(float(tex.width()) * scale, float(tex.height()) * scale);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Image(tex.imgui_id(), size);
    layout_report::item("image", std::string("map ") + caption);
    if (ImGui::IsItemHovered()) {
        const float fx = (ImGui::GetIO().MousePos.x - p.x) / size.x, fy = (ImGui::GetIO().MousePos.y - p.y) / size.y;
        auto at = [&](const Tensor3& m, int& r, int& c) {
            r = std::clamp(int(fy * float(m.shape()[0])), 0, int(m.shape()[0]) - 1);
            c = std::clamp(int(fx * float(m.shape()[1])), 0, int(m.shape()[1]) - 1);
            return m(std::size_t(r), std::size_t(c), std::size_t(std::min<std::size_t>(std::size_t(channel), m.shape()[2] - 1)));
        };
        int r = 0, c = 0;
        const float v = at(t, r, c);
        std::string text = "[" + std::to_string(r) + ", " + std::to_string(c) + "] = " + format_value(v);
        if (other) {
            int r2 = 0, c2 = 0;
            const float v2 = at(*other, r2, c2);
            text += "\nthe same place in " + std::string(other_name) + ": [" + std::to_string(r2) + ", " +
                    std::to_string(c2) + "] = " + format_value(v2);
        }
        ImGui::SetTooltip("%s\n(row, col) of channel %d; maps of different sizes cover the same picture.", text.c_str(),
                          channel);
    }
    ImGui::EndGroup();
}

void export_comparison(AppState& app, const Sides& s) {
    const std::string dir = app.export_dir.empty() ? std::string(".") : app.export_dir;
    const std::string path = dir + "/" + s.file_stem + "_c" + std::to_string(app.compare.channel) + ".png";
    ComparisonImageOptions o;
    o.title_a = s.title_a + ": " + Conv2D(s.a.config).keras_line();
    o.title_b = s.title_b + ": " + Conv2D(s.b.config).keras_line();
    o.normalization = app.compare.normalization;
    o.colormap = app.view.colormap;
    o.difference = app.compare.difference;
    const std::shared_ptr<const Tensor3> a = s.out_a, b = s.out_b;
    const int channel = app.compare.channel;
    app.worker.post_task([a, b, channel, o, dir, path]() -> Worker::TaskResult {
        std::vector<std::string> created;
        try {
            const RgbaImage img = render_comparison(*a, channel, *b, channel, o);
            created = ensure_directory(dir);
            save_png(path, img);
            return {true, "Wrote " + path, "compare"};
        } catch (const std::exception& e) {
            std::error_code ec;
            for (auto it = created.rbegin(); it != created.rend(); ++it) std::filesystem::remove(*it, ec);  // no empty folder left
            return {false, "Nothing was written: " + std::string(e.what()), "compare"};
        }
    });
    app.compare.export_message = "Exporting...";
    app.compare.export_ok = true;
}

void draw_maps(AppState& app, const Sides& s) {
    CompareState& cmp = app.compare;
    if (!s.out_a || !s.out_b) {
        ImGui::TextColored(dim_colour(), "%s", !s.no_maps.empty() ? s.no_maps.c_str()
                                               : !s.out_a         ? "Computing A's maps..."
                                                                  : "Computing B's maps...");
        return;
    }
    const Tensor3 &a = *s.out_a, &b = *s.out_b;
    const int channels = int(std::min(a.shape()[2], b.shape()[2]));
    cmp.channel = std::clamp(cmp.channel, 0, channels - 1);
    const float F = ImGui::GetFontSize();
    ImGui::SetNextItemWidth(F * 8);
    int channel = cmp.channel;
    if (int_field("channel", channel, 0.1f, 0, channels - 1)) cmp.channel = std::clamp(channel, 0, channels - 1);
    tooltip("The output channel (filter) both maps show: 0 to %d (the fewer filters of the two).", channels - 1);
    same_line_if_fits(F * 9 + text_width("range"), F);
    ImGui::SetNextItemWidth(F * 9);
    if (ImGui::BeginCombo("range", to_string(cmp.normalization))) {
        for (Normalization n : {Normalization::per_channel, Normalization::per_layer, Normalization::symmetric})
            if (ImGui::Selectable(to_string(n), n == cmp.normalization)) cmp.normalization = n;
        ImGui::EndCombo();
    }
    tooltip("The one value range both maps are painted with: per-channel joins the two channels' [min, max]; "
            "per-layer the two outputs' [min, max]; symmetric [-m, m] with m the largest |value| of either.");
    same_line_if_fits(text_width("B - A") + ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x, F);
    ImGui::Checkbox("B - A", &cmp.difference);
    tooltip("Also draw B minus A (blue: B lower, white: equal, red: B higher), when both maps have the same size.");

    const ImGuiStyle& st = ImGui::GetStyle();
    const std::string no_difference = no_difference_reason(a, b);  // "" when the maps have one size
    const int panels = cmp.difference && no_difference.empty() ? 3 : 2;
    const float box = std::max(F * 4, std::min(F * 16, (ImGui::GetContentRegionAvail().x - st.ItemSpacing.x * float(panels - 1)) /
                                                           float(panels)));
    update_textures(cmp, s.out_a, s.out_b, app.view.colormap, std::max(16, int(box)));
    char caption[160];
    std::snprintf(caption, sizeof caption, "A: %zu x %zu", a.shape()[0], a.shape()[1]);
    draw_map(cmp.textures[0], box, caption, a, &b, "B", cmp.channel);
    ImGui::SameLine();
    std::snprintf(caption, sizeof caption, "B: %zu x %zu", b.shape()[0], b.shape()[1]);
    draw_map(cmp.textures[1], box, caption, b, &a, "A", cmp.channel);
    if (panels == 3 && cmp.has_difference) {
        ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::TextUnformatted("B - A");
        ImGui::Image(cmp.textures[2].imgui_id(), ImVec2(box * float(cmp.textures[2].width()) / float(std::max(cmp.textures[2].width(), cmp.textures[2].height())),
                                                       box * float(cmp.textures[2].height()) / float(std::max(cmp.textures[2].width(), cmp.textures[2].height()))));
        layout_report::item("image", "map B - A");
        tooltip("B minus A at each position: blue where B is lower, red where it is higher; range [%s, %s].",
                format_value(cmp.difference_range.lo).c_str(), format_value(cmp.difference_range.hi).c_str());
        ImGui::EndGroup();
    }
    const std::string range = "shared range [" + format_value(cmp.shared_range.lo) + ", " + format_value(cmp.shared_range.hi) + "]";
    text_tip(range, "Both maps use this range: the same colour is the same value in A and in B. Colour map: " +
                        std::string(to_string(app.view.colormap)) + " (C cycles it).");
    if (cmp.has_difference && panels == 3) {
        same_line_if_fits(text_width("B - A in [-0.000, 0.000]"), F);
        ImGui::Text("B - A in [%s, %s]", format_value(cmp.difference_range.lo).c_str(),
                    format_value(cmp.difference_range.hi).c_str());
    }
    // A side that holds one value is painted flat by the shared range, which a learner could take for a quiet
    // part of the picture: say it is constant (after a ReLU, a channel that never fires).
    for (int side = 0; side < 2; ++side) {
        const ValueRange& own = cmp.own_range[side];
        if (!own.constant()) continue;
        const std::string text = std::string(side == 0 ? "A" : "B") + ", channel " + std::to_string(cmp.channel) + ": " +
                                 constant_description(own.lo);
        wrapped_text(text, changed_colour());
        layout_report::item("label", text);
    }
    // The box was ticked but the sizes differ: say why there is no third map rather than leave it missing.
    if (cmp.difference && !no_difference.empty()) {
        wrapped_text(no_difference, dim_colour());
        layout_report::item("label", no_difference);
    }

    if (ImGui::Button("Export comparison PNG")) export_comparison(app, s);
    layout_report::item("button", "Export comparison PNG");
    tooltip("Writes A | B | B - A with both Keras lines, sizes and colour bars as one PNG into the export folder "
            "(%s).", app.export_dir.c_str());
    if (!cmp.export_message.empty()) {
        ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x);
        if (cmp.export_ok) ImGui::TextColored(ok_colour(), "%s", cmp.export_message.c_str());
        else error_text(cmp.export_message);
        layout_report::item("label", "export: " + cmp.export_message);
        ImGui::PopTextWrapPos();
    }
}

}  // namespace

void pin_current(AppState& app) {
    CompareState& cmp = app.compare;
    if (app.panel == Panel::network) {
        const int n = app.selected_node;
        if (!pin_network_node(app, n))
            show_error(app, "Select a computed Conv2D in the network panel to pin its output as A.");
        else
            app.settings.show_compare = true;
        return;
    }
    if (!app.playground_error.empty()) {
        show_error(app, "The playground's setting is impossible (" + app.playground_error + "): there is nothing to pin.");
        return;
    }
    cmp.pinned = app.playground;
    // The same parameters on the same image: the playground's output is A's until the worker's own copy arrives.
    cmp.pinned_output = app.playground_output;
    cmp.pinned_error.clear();
    app.settings.show_compare = true;
    app.request_dirty = true;
    set_notice(app, "Pinned the playground's setting as A: keep editing, the Compare window shows A and B");
}

void unpin(AppState& app) {
    CompareState& cmp = app.compare;
    if (app.panel == Panel::network) {
        cmp.network_pin.reset();
    } else {
        cmp.pinned.reset();
        cmp.pinned_output.reset();
        cmp.pinned_error.clear();
        app.request_dirty = true;
    }
    cmp.made_from[0] = cmp.made_from[1] = nullptr;
}

bool pin_network_node(AppState& app, int node) {
    const std::optional<Conv2DConfig> c = conv_config_of(app, node);
    if (!c || !network_node_ready(app, node)) return false;
    const std::shared_ptr<const Tensor3>& out = app.network_outputs[std::size_t(node)];
    const int in = app.ui_graph.node(node).inputs.at(0);
    if (!out || !app.ui_shapes[std::size_t(in)].ok()) return false;
    app.compare.network_pin = CompareState::NetworkPin{node, app.ui_graph.node(node).name, *c,
                                                       *app.ui_shapes[std::size_t(in)].shape, out, app.image_source};
    app.compare.made_from[0] = nullptr;
    return true;
}

void draw_compare(AppState& app) {
    if (!app.settings.show_compare) return;
    if (!begin_tool_window("Compare A / B", &app.settings.show_compare, 46, 60, 1.0f)) {
        ImGui::End();
        return;
    }
    const Sides s = current_sides(app);
    const bool pinned = s.network ? app.compare.network_pin.has_value() : app.compare.pinned.has_value();
    if (ImGui::Button(s.network ? "Pin the selected Conv2D as A" : "Pin as A")) pin_current(app);
    layout_report::item("button", s.network ? "Pin the selected Conv2D as A" : "Pin as A");
    tooltip(s.network ? "Keep the selected Conv2D's output and arguments as A (P). Editing it then shows the output "
                        "after the edit as B."
                      : "Make the playground's current setting A (P); what you edit next is B.");
    if (pinned) {
        same_line_if_fits(button_width("Unpin"));
        if (ImGui::Button("Unpin")) unpin(app);
        tooltip("Forget A.");
    }
    ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x);
    if (!s.waiting.empty()) {
        ImGui::TextColored(dim_colour(), "%s", s.waiting.c_str());
        ImGui::PopTextWrapPos();
        ImGui::End();
        return;
    }
    ImGui::TextColored(dim_colour(), "%s", s.network ? "A: the layer's output when pinned (before the edit); B: as "
                                                       "it is now. Rows that differ are highlighted."
                                                     : "A: the pinned setting; B: the playground as you edit it. Rows "
                                                       "that differ are highlighted.");
    ImGui::PopTextWrapPos();
    const ConvComparison c = compare_convs(s.a, s.b);
    ImGui::Checkbox("every argument", &app.compare.all_arguments);
    tooltip("Also list the arguments A and B share. Off: only the arguments that differ, then everything that "
            "follows from them (formulas, padding, shape, counts).");
    draw_table(s, c, app.compare.all_arguments);
    ImGui::Separator();
    draw_maps(app, s);
    ImGui::End();
}

bool compare_complete(const AppState& app) {
    if (!app.settings.show_compare) return true;
    const Sides s = current_sides(app);
    if (!s.waiting.empty()) return true;
    return s.out_a && s.out_b && app.compare.textures[0].valid();
}

}  // namespace convscope::gui
