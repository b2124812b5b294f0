// The ResNet50 stepper: options, weights, the current block as a diagram, in-place Conv2D edits, and the
// tree of stages -> blocks -> layers with shapes and parameter counts.
#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <set>

#include <imgui.h>
#include <imgui_internal.h>  // the table's column extents and the window's clip rect, for the sticky header

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"

namespace convscope::gui {

namespace {

std::string short_shape(const NodeShape& s) {
    if (!s.ok()) return s.upstream_error ? "-" : "error";
    const Shape& x = *s.shape;
    if (x.flat) return "(" + std::to_string(x.c) + ")";
    return std::to_string(x.h) + "x" + std::to_string(x.w) + "x" + std::to_string(x.c);
}

std::string node_summary(const AppState& app, int i) {
    const Node& n = app.ui_graph.node(i);
    const NodeShape& s = app.ui_shapes[std::size_t(i)];
    std::string t = n.name + "\n" + n.layer->keras_line() + "\noutput " +
                    (s.ok() ? keras_shape(*s.shape) : std::string(s.upstream_error ? "unknown (an earlier node fails)" : "error"));
    t += "\nparameters " + with_thousands(n.layer->param_count());
    if (!s.ok() && !s.upstream_error) t += "\n" + s.error;
    if (app.network_reinitialised.size() > std::size_t(i) && app.network_reinitialised[std::size_t(i)])
        t += "\nweights re-initialised (glorot_uniform) because an edit changed their shape";
    if (app.ui_dead.size() > std::size_t(i) && app.ui_dead[std::size_t(i)])
        t += "\ndead: computed, but no path leads from it to the network's output (the seed's identity_block typo)";
    if (app.ui_fields.size() > std::size_t(i) && app.ui_fields[std::size_t(i)].ok && !app.ui_fields[std::size_t(i)].global) {
        const NodeField& f = app.ui_fields[std::size_t(i)];
        t += "\nreceptive field " + std::to_string(f.rows.size()) + " x " + std::to_string(f.cols.size()) +
             " input pixels, jump " + std::to_string(f.rows.jump) + " (the product of the strides so far)";
    }
    return t;
}

// A clickable node in the diagram: selected = accent, error = red, re-initialised = marked with '*'.
void node_button(AppState& app, int i, const char* label, ImVec2 pos, float width) {
    const NodeShape& s = app.ui_shapes[std::size_t(i)];
    const bool selected = app.selected_node == i;
    const bool error = !s.ok() && !s.upstream_error;
    const bool reinit = app.network_reinitialised.size() > std::size_t(i) && app.network_reinitialised[std::size_t(i)];
    int colours = 0;
    if (error) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.75f, 0.1f, 0.1f, 1));
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
        colours = 2;
    } else if (selected) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        ImGui::PushStyleColor(ImGuiCol_Border, accent_colour());
        colours = 2;
    }
    ImGui::SetCursorScreenPos(pos);
    ImGui::PushID(i);
    std::string text = std::string(label) + (reinit ? "*" : "");
    const bool dead = app.ui_dead.size() > std::size_t(i) && app.ui_dead[std::size_t(i)];
    if (dead) ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    if (ImGui::Button(text.c_str(), ImVec2(width, 0))) app.selected_node = i;
    if (dead) {  // struck through: computed, but the output does not depend on it
        ImGui::PopStyleColor();
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x + 3, (a.y + b.y) * 0.5f), ImVec2(b.x - 3, (a.y + b.y) * 0.5f),
                                            ImGui::GetColorU32(error_colour()), 2.0f);
    }
    ImGui::PopID();
    ImGui::PopStyleColor(colours);
    layout_report::item("node", text, ImGui::CalcTextSize(text.c_str()).x + ImGui::GetStyle().FramePadding.x * 2);
    tooltip("%s", node_summary(app, i).c_str());
    if (selected) {
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(b.x + 2, b.y + 2),
                                            ImGui::GetColorU32(accent_colour()), 3.0f, 0, 2.0f);
    }
}

const char* unit_label(const std::string& type) {
    if (type == "Conv2D") return "conv";
    if (type == "BatchNormalization") return "bn";
    if (type == "Activation") return "relu";
    if (type == "Add") return "add";
    if (type == "ZeroPadding2D") return "pad";
    if (type == "MaxPooling2D") return "maxpool";
    if (type == "GlobalAveragePooling2D") return "avgpool";
    if (type == "Dense") return "dense";
    return "input";
}

void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, const std::string& label, bool label_above = true) {
    dl->AddLine(a, b, col, 1.5f);
    const float h = ImGui::GetFontSize() * 0.3f;
    const ImVec2 d(b.x - a.x, b.y - a.y);
    if (d.x > 0) dl->AddTriangleFilled(b, ImVec2(b.x - h, b.y - h * 0.6f), ImVec2(b.x - h, b.y + h * 0.6f), col);
    else if (d.y < 0) dl->AddTriangleFilled(b, ImVec2(b.x - h * 0.6f, b.y + h), ImVec2(b.x + h * 0.6f, b.y + h), col);
    if (!label.empty()) {
        const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
        const ImVec2 mid((a.x + b.x) * 0.5f - ts.x * 0.5f, label_above ? std::min(a.y, b.y) - ts.y - 1 : std::max(a.y, b.y) + 1);
        dl->AddText(mid, ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
    }
}

// A chain of nodes (the stem, the top) with the shape on every edge, in as many rows as the width needs: the
// stem's six nodes in one row were about 1100 px wide at 100 % and scrolled sideways. A row after the first
// starts with the arrow (and shape) that comes from the end of the row above; with room for only one node a
// row, the chain runs down the panel as the block diagram does.
struct ChainLayout {
    float box_w = 0, gap = 0;  // a node's width, and the room for the arrow and its shape between two nodes
    int per_row = 1, rows = 1;
};

ChainLayout chain_layout(const AppState& app, const std::vector<int>& nodes, float width) {
    const float F = ImGui::GetFontSize();
    ChainLayout c;
    c.box_w = F * 3.0f, c.gap = F * 3.0f;
    for (int i : nodes) {
        c.box_w = std::max(c.box_w, ImGui::CalcTextSize((app.ui_graph.node(i).name + "*").c_str()).x + F);
        c.gap = std::max(c.gap, ImGui::CalcTextSize(short_shape(app.ui_shapes[std::size_t(i)]).c_str()).x + F * 0.8f);
    }
    // The first row needs n boxes and n - 1 gaps, the others a gap more (the incoming arrow): n x (box + gap).
    c.per_row = std::max(1, int(width / (c.box_w + c.gap)));
    c.rows = std::max(1, int((nodes.size() + std::size_t(c.per_row) - 1) / std::size_t(c.per_row)));
    return c;
}

float chain_row_height() { return ImGui::GetFontSize() * 1.8f + ImGui::GetFrameHeight(); }

void draw_chain(AppState& app, const std::vector<int>& nodes, const ChainLayout& c) {
    const float F = ImGui::GetFontSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImU32 col = ImGui::GetColorU32(ImGuiCol_Text);
    float right = origin.x;
    if (c.per_row == 1) {
        const float ax = origin.x + c.box_w * 0.5f, h = F * 0.3f;
        for (std::size_t k = 0; k < nodes.size(); ++k) {
            const float y = origin.y + float(k) * chain_row_height();
            node_button(app, nodes[k], app.ui_graph.node(nodes[k]).name.c_str(), ImVec2(origin.x, y), c.box_w);
            if (k + 1 == nodes.size()) break;
            const float y0 = y + ImGui::GetFrameHeight() + 1, y1 = y + chain_row_height() - 1;
            dl->AddLine(ImVec2(ax, y0), ImVec2(ax, y1), col, 1.5f);
            dl->AddTriangleFilled(ImVec2(ax, y1), ImVec2(ax - h * 0.6f, y1 - h), ImVec2(ax + h * 0.6f, y1 - h), col);
            const std::string label = short_shape(app.ui_shapes[std::size_t(nodes[k])]);
            dl->AddText(ImVec2(ax + F * 0.4f, (y0 + y1) * 0.5f - F * 0.5f), col, label.c_str());
            right = std::max(right, ax + F * 0.4f + ImGui::CalcTextSize(label.c_str()).x);
        }
        ImGui::SetCursorScreenPos(origin);
        ImGui::Dummy(ImVec2(std::max(right, origin.x + c.box_w) - origin.x, float(c.rows) * chain_row_height()));
        return;
    }
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        const int i = nodes[k];
        const int row = int(k) / c.per_row, in_row = int(k) % c.per_row;
        const float y = origin.y + float(row) * chain_row_height() + F * 1.3f;
        const float my = y + ImGui::GetFrameHeight() * 0.5f;
        const float x0 = origin.x + (row > 0 ? c.gap : 0.0f);  // rows after the first start with the incoming arrow
        const ImVec2 pos(x0 + float(in_row) * (c.box_w + c.gap), y);
        if (k > 0 && in_row == 0)
            arrow(dl, ImVec2(origin.x + 2, my), ImVec2(pos.x - 2, my), col, short_shape(app.ui_shapes[std::size_t(nodes[k - 1])]));
        node_button(app, i, app.ui_graph.node(i).name.c_str(), pos, c.box_w);
        right = std::max(right, pos.x + c.box_w);
        if (k + 1 < nodes.size() && in_row + 1 < c.per_row) {
            arrow(dl, ImVec2(pos.x + c.box_w + 2, my), ImVec2(pos.x + c.box_w + c.gap - 2, my), col,
                  short_shape(app.ui_shapes[std::size_t(i)]));
            right = std::max(right, pos.x + c.box_w + c.gap);
        }
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(right - origin.x, float(c.rows) * chain_row_height()));
}

// The current block, top to bottom as Keras draws it: input -> 2a -> 2b -> 2c -> add -> relu, with the
// shortcut (identity, or conv 1 + bn) on the right and the tensor shape on every edge.
// On a column too narrow for equal boxes with the shortcut's labels on its right (a 1280 x 720 projector at
// 150 %), the bn and relu boxes shrink to their labels and the shortcut's label moves left of its line, into the
// 2c row's empty third place: the diagram then fits without sideways scrolling.
float draw_block(AppState& app, const Block& b) {
    const Graph& g = app.ui_graph;
    const float F = ImGui::GetFontSize();
    const float bh = ImGui::GetFrameHeight();
    const float sp = ImGui::GetStyle().ItemSpacing.x;
    auto box_w = [&](const char* label) { return ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2 + 2; };
    // One node button's width: its longest label ("conv 2a*", marked re-initialised) with the frame's padding.
    const float uw = std::max(F * 3.8f, box_w("conv 2a*"));
    const std::string sc_label = b.shortcut.empty() ? std::string("identity") : short_shape(app.ui_shapes[std::size_t(b.shortcut.back())]);
    const float sc_label_w = ImGui::CalcTextSize(sc_label.c_str()).x;
    const float roomy_w = 3.0f * (uw + sp) + F * 1.5f + uw * 0.5f + F * 0.4f + sc_label_w;
    const bool compact = roomy_w > ImGui::GetContentRegionAvail().x;
    // The main path's three columns (conv, bn, relu) and where each starts.
    const float col_w[3] = {uw, compact ? box_w("bn*") : uw, compact ? box_w("relu") : uw};
    const float col_x[3] = {0.0f, col_w[0] + sp, col_w[0] + col_w[1] + 2 * sp};
    const float arrow_h = F * 1.3f;     // vertical gap between rows, holding the arrow and its shape
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 col = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 sc_col = ImGui::GetColorU32(accent_colour());
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::TextColored(dim_colour(), "%s: %s, stage %d", b.name.c_str(), to_string(b.kind), b.stage);
    const float top = o.y + ImGui::GetTextLineHeightWithSpacing();
    auto row_y = [&](int r) { return top + float(r) * (bh + arrow_h); };
    const float ax = o.x + uw * 0.5f;  // the main path's arrows run down the first column's middle

    std::vector<std::vector<int>> units(3);
    for (std::size_t k = 0; k < b.main_path.size(); ++k) units[std::min<std::size_t>(k / 3, 2)].push_back(b.main_path[k]);
    // The arrow into row from_row + 1 with the shape it carries; `label` and `label_col` replace the shape
    // (the seed's typo: what the unit below really reads).
    auto down = [&](int from_row, int node, const std::string& label = {}, ImU32 label_col = 0) {
        const float y0 = row_y(from_row) + bh + 1, y1 = row_y(from_row + 1) - 1;
        dl->AddLine(ImVec2(ax, y0), ImVec2(ax, y1), col, 1.5f);
        const float h = F * 0.3f;
        dl->AddTriangleFilled(ImVec2(ax, y1), ImVec2(ax - h * 0.6f, y1 - h), ImVec2(ax + h * 0.6f, y1 - h), col);
        const std::string text = label.empty() ? short_shape(app.ui_shapes[std::size_t(node)]) : label;
        const ImVec2 at(ax + F * 0.4f, (y0 + y1) * 0.5f - F * 0.5f);
        dl->AddText(at, label.empty() ? col : label_col, text.c_str());
        layout_report::drawn_text("edge", text, at);
    };

    const float in_w = std::max(uw, ImGui::CalcTextSize((g.node(b.input).name + "*").c_str()).x + F);
    node_button(app, b.input, g.node(b.input).name.c_str(), ImVec2(o.x, row_y(0)), in_w);
    down(0, b.input);
    for (int u = 0; u < 3; ++u) {
        for (std::size_t k = 0; k < units[std::size_t(u)].size(); ++k) {
            const int i = units[std::size_t(u)][k];
            std::string label = unit_label(g.node(i).layer->type_name());
            if (k == 0) label += " 2" + std::string(1, char('a' + u));
            const std::size_t c = std::min<std::size_t>(k, 2);
            node_button(app, i, label.c_str(), ImVec2(o.x + col_x[c], row_y(u + 1)), col_w[c]);
        }
        // The seed's typo: 2b and 2c read input_tensor, so no data flows from the unit above into them. The cross
        // marks the broken edge, and its label says what 2b and 2c read instead: the block's input, with the
        // block input's shape (2c's kernel then has 256 input channels, not 64: its parameter count shows it).
        const bool typo_edge = app.network.options.seed_identity_typo && b.kind == BlockKind::identity_block && u < 2;
        const ImU32 red = ImGui::GetColorU32(error_colour());
        if (typo_edge)
            down(u + 1, units[std::size_t(u)].back(),
                 " input_tensor " + short_shape(app.ui_shapes[std::size_t(b.input)]), red);
        else
            down(u + 1, units[std::size_t(u)].back());
        if (typo_edge) {
            const float y = (row_y(u + 1) + bh + row_y(u + 2)) * 0.5f, h = F * 0.35f;
            dl->AddLine(ImVec2(ax - h, y - h), ImVec2(ax + h, y + h), red, 2.5f);
            dl->AddLine(ImVec2(ax - h, y + h), ImVec2(ax + h, y - h), red, 2.5f);
        }
    }
    node_button(app, b.add, "add", ImVec2(o.x, row_y(4)), uw);
    down(4, b.add);
    node_button(app, b.output, "relu", ImVec2(o.x, row_y(5)), uw);
    const std::string out_shape = "-> " + short_shape(app.ui_shapes[std::size_t(b.output)]);
    dl->AddText(ImVec2(o.x + uw + sp, row_y(5) + (bh - F) * 0.5f), col, out_shape.c_str());
    float right = o.x + uw + sp + ImGui::CalcTextSize(out_shape.c_str()).x;  // the drawing's right edge so far

    // The shortcut, right of the main path: from the input's right edge down to the Add's right edge.
    const float sx = o.x + col_x[2] + col_w[2] + sp + (compact ? F * 0.6f : F * 1.5f);
    const float line_x = sx + uw * 0.5f;
    const float in_mid = row_y(0) + bh * 0.5f, add_mid = row_y(4) + bh * 0.5f;
    dl->AddLine(ImVec2(o.x + in_w + 1, in_mid), ImVec2(line_x, in_mid), sc_col, 1.5f);
    // Its label ("identity", or the shape it gives): right of the line, or, when compact and it fits there,
    // left of it in the 2c row (which has no relu box).
    const float left_room = line_x - F * 0.4f - (o.x + col_x[2]);
    const bool label_left = compact && sc_label_w <= left_room;
    const ImVec2 sc_label_at = label_left ? ImVec2(line_x - F * 0.4f - sc_label_w, row_y(3) + (bh - F) * 0.5f)
                                          : ImVec2(line_x + F * 0.4f, b.shortcut.empty() ? row_y(2) : row_y(2) + bh + F * 0.2f);
    dl->AddText(sc_label_at, sc_col, sc_label.c_str());
    layout_report::drawn_text("shortcut", sc_label, sc_label_at);
    right = std::max({right, sx + uw, sc_label_at.x + sc_label_w});
    float y = in_mid;
    for (std::size_t k = 0; k < b.shortcut.size(); ++k) {
        const int i = b.shortcut[k];
        std::string label = unit_label(g.node(i).layer->type_name());
        if (k == 0) label += " 1";
        const float by = row_y(int(k) + 1);
        dl->AddLine(ImVec2(line_x, y), ImVec2(line_x, by), sc_col, 1.5f);
        node_button(app, i, label.c_str(), ImVec2(sx, by), uw);
        y = by + bh;
    }
    dl->AddLine(ImVec2(line_x, y), ImVec2(line_x, add_mid), sc_col, 1.5f);
    const float ex = o.x + uw + 1, h = F * 0.3f;
    dl->AddLine(ImVec2(line_x, add_mid), ImVec2(ex, add_mid), sc_col, 1.5f);
    dl->AddTriangleFilled(ImVec2(ex, add_mid), ImVec2(ex + h, add_mid - h * 0.6f), ImVec2(ex + h, add_mid + h * 0.6f), sc_col);
    ImGui::SetCursorScreenPos(o);
    const float height = row_y(5) + bh - o.y;
    ImGui::Dummy(ImVec2(right - o.x, height));
    return height;
}

void draw_options(AppState& app) {
    NetworkParams& n = app.network;
    ResNet50Options o = n.options;
    bool changed = false;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    changed |= pair_input("input size", o.height, o.width, 32, 800,
                          "The image is resized (stretched) to this size, then Keras' caffe preprocessing: RGB -> BGR, "
                          "minus the ImageNet means [103.939, 116.779, 123.68]. The seed's default is 600 x 600; up to 800 x 800 (every "
                          "node's output is kept in memory so you can step instantly).");
    int stage = o.last_stage;
    const float radio = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + text_width("4");
    same_line_if_fits(text_width("stages to") + 2 * (radio + ImGui::GetStyle().ItemSpacing.x));
    ImGui::TextUnformatted("stages to");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("4", &stage, 4);
    tooltip("Stop after stage 4: the seed's shared feature map (38 x 38 x 1024 at 600 x 600).");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("5", &stage, 5);
    tooltip("Add stage 5 (res5a-res5c, 2048 channels).");
    same_line_if_fits(labelled_width(ImGui::GetFrameHeight(), "top"));
    bool top = o.include_top;
    changed |= ImGui::Checkbox("top", &top);
    tooltip("The classifier top: GlobalAveragePooling2D + Dense(1000, softmax). Needs stage 5.");
    same_line_if_fits(labelled_width(ImGui::GetFrameHeight(), "seed's typo"));
    changed |= ImGui::Checkbox("seed's typo", &o.seed_identity_typo);
    layout_report::item("widget", "seed's typo");
    tooltip("Build identity_block as the seed's text wrote it: branch2b and branch2c read input_tensor instead of x. "
            "Every shape still fits, so nothing complains, but 2a and 2b no longer reach the output (struck through "
            "in the diagram, 'dead' in the table). Off: the correct block, as Keras' ResNet50 has it.");
    if (changed) {
        o.last_stage = stage;
        o.include_top = top;
        if (top && stage != 5) {
            if (n.options.include_top) o.include_top = false;  // stage 4 chosen: the top goes
            else o.last_stage = 5;                             // top chosen: stage 5 comes with it
        }
        n.options = o;
        refresh_network_structure(app);
    }

    ImGui::TextUnformatted("weights:");
    const std::string in_use = app.network.weights_path.empty()
                                   ? "seeded glorot_uniform (seed " + std::to_string(app.network.seed) + ")"
                                   : app.weights_label;
    same_line_if_fits(text_width(in_use.c_str()));
    ImGui::TextColored(app.network.weights_path.empty() ? dim_colour() : ok_colour(), "%s", in_use.c_str());
    layout_report::item("label", in_use);
    tooltip("%s", app.weights_report.empty()
                      ? "Keras' default initialisers: glorot_uniform kernels, zero biases, BN gamma 1, beta 0, mean 0, "
                        "variance 1. Load a Keras .h5 file for real (ImageNet) features."
                      : app.weights_report.c_str());
    // Which layers do not hold what the line above says: the ones an edit re-sized (marked *).
    if (!app.network.edits.empty()) {
        int reinitialised = 0;
        for (char r : app.network_reinitialised) reinitialised += r ? 1 : 0;
        if (reinitialised > 0) {
            ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1), "%d %s re-initialised by edits (*)", reinitialised,
                               reinitialised == 1 ? "layer" : "layers");
            tooltip("Your edits changed these layers' weight shapes, so they hold fresh glorot_uniform values (as "
                    "Keras does when it rebuilds a layer), not the %s. Resetting an edit gives them back.",
                    app.network.weights_path.empty() ? "seed's" : "file's");
        } else {
            ImGui::TextColored(dim_colour(), "%zu %s, every layer keeps its weights", app.network.edits.size(),
                               app.network.edits.size() == 1 ? "edit" : "edits");
        }
        same_line_if_fits(button_width("Reset all edits"));
        if (ImGui::Button("Reset all edits")) {
            app.network.edits.clear();
            refresh_network_structure(app);
        }
        tooltip("Undo every Conv2D edit: the seed's configuration, and the weights in use (file or seed) for every layer.");
    }
    // Each button measured on its own, as ImGui sizes it: the two labels measured as one string came out a
    // pixel short, and that pixel gave the whole panel a horizontal scrollbar.
    const float buttons_w = button_width("Load .h5") + button_width("Seeded") + ImGui::GetStyle().ItemSpacing.x * 2;
    // The path field takes what the buttons leave; on a narrow column the buttons go under it.
    const bool buttons_beside = ImGui::GetContentRegionAvail().x - buttons_w >= ImGui::GetFontSize() * 6;
    ImGui::SetNextItemWidth(buttons_beside ? ImGui::GetContentRegionAvail().x - buttons_w : -1.0f);
    auto load_typed = [&app] {
        if (app.weights_path_field.empty())
            show_error(app, "No weights file given: type the path of a Keras .h5 file (or press Seeded for random weights).");
        else
            load_weights(app, app.weights_path_field);
    };
    if (input_text("##weights", app.weights_path_field, ImGuiInputTextFlags_EnterReturnsTrue)) load_typed();
    tooltip("Path of a Keras HDF5 weights file, e.g. resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5. Enter loads it.");
    if (buttons_beside) ImGui::SameLine();
    if (ImGui::Button("Load .h5")) load_typed();
    tooltip("Load the weights file at the path on the left (layers are matched by name).");
    ImGui::SameLine();
    if (ImGui::Button("Seeded")) load_weights(app, "");
    tooltip("Go back to seeded random weights.");
    draw_imagenet_weights(app);
}

void draw_stepper(AppState& app) {
    if (ImGui::Button("<< block")) step_block(app, -1);
    tooltip("Previous block (Up arrow or Page Up).");
    same_line_if_fits(button_width("< layer"));
    if (ImGui::Button("< layer")) step_layer(app, -1);
    tooltip("Previous layer (Left arrow).");
    same_line_if_fits(button_width("layer >"));
    if (ImGui::Button("layer >")) step_layer(app, +1);
    tooltip("Next layer (Right arrow).");
    same_line_if_fits(button_width("block >>"));
    if (ImGui::Button("block >>")) step_block(app, +1);
    tooltip("Next block (Down arrow or Page Down).");
    if (app.selected_node >= 0) {
        same_line_if_fits(text_width(app.ui_graph.node(app.selected_node).name.c_str()));
        ImGui::TextColored(accent_colour(), "%s", app.ui_graph.node(app.selected_node).name.c_str());
        tooltip("%s", node_summary(app, app.selected_node).c_str());
    }
}

// With the classifier top: the five most probable ImageNet classes of the image.
void draw_predictions(AppState& app) {
    const int fc = app.ui_graph.find("fc1000");
    if (fc < 0 || std::size_t(fc) >= app.network_outputs.size() || !app.network_outputs[std::size_t(fc)]) return;
    const Tensor3& p = *app.network_outputs[std::size_t(fc)];  // (1, 1, 1000) softmax
    const int n = int(p.size());
    std::vector<int> order(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) order[std::size_t(i)] = i;
    const int k = std::min(5, n);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return p.data()[a] > p.data()[b]; });
    ImGui::TextColored(accent_colour(), "fc1000 top %d", k);
    tooltip("The classifier's five most probable ImageNet classes (softmax of fc1000).");
    int reinitialised = 0;
    for (char r : app.network_reinitialised) reinitialised += r ? 1 : 0;
    const std::string caveat = predictions_caveat(!app.loaded_weights_path.empty() && !app.network.weights_path.empty(),
                                                  reinitialised);
    if (!caveat.empty()) {
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1), "%s", caveat.c_str());
        ImGui::PopTextWrapPos();
        layout_report::item("label", caveat);
    }
    // One class per line, wrapped if the panel is narrow: the fifth is never cut off.
    for (int j = 0; j < k; ++j) {
        const int c = order[std::size_t(j)];
        const std::string name = std::size_t(c) < app.class_names.size() ? app.class_names[std::size_t(c)] : "class " + std::to_string(c);
        ImGui::Bullet();
        char line[160];
        std::snprintf(line, sizeof line, "%s  %.1f %%", name.substr(0, name.find(',')).c_str(), double(p.data()[c]) * 100.0);
        ImGui::TextWrapped("%s", line);
        layout_report::item("label", line);
        tooltip("class %d: %s, probability %.4f%s", c, name.c_str(), double(p.data()[c]),
                caveat.empty() ? "" : ("\n" + caveat).c_str());
    }
}

// The selected node's receptive field in words, and a plot of the field's size along the network (every node
// in order) with the selected node marked: it grows by (kernel - 1) x jump at each window, faster after each stride.
void draw_field_growth(const AppState& app, int selected) {
    if (std::size_t(selected) >= app.ui_fields.size() || !app.ui_fields[std::size_t(selected)].ok) return;
    const NodeField& f = app.ui_fields[std::size_t(selected)];
    if (f.global) {
        wrapped_text("receptive field: the whole image (a flat vector)", dim_colour());  // one line was too wide at 150 %
        return;
    }
    std::vector<float> sizes;
    int marker = -1;
    for (int i = 0; i < app.ui_graph.size(); ++i) {
        const NodeField& n = app.ui_fields[std::size_t(i)];
        if (!n.ok || n.global) continue;
        if (i == selected) marker = int(sizes.size());
        sizes.push_back(float(n.rows.size()));
    }
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "receptive field %d x %d px, jump %d", f.rows.size(), f.cols.size(), f.rows.jump);
    const float F = ImGui::GetFontSize();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float width = std::min(ImGui::GetContentRegionAvail().x, F * 24);
    ImGui::PlotLines("##field_growth", sizes.data(), int(sizes.size()), 0, overlay, 0.0f, FLT_MAX, ImVec2(width, F * 3));
    layout_report::item("plot", overlay);
    tooltip("Receptive field size (rows, input pixels) of every node from the input to the output, in order; the "
            "line marks %s. The field grows by (kernel - 1) x dilation x jump at each window, and the jump (the "
            "product of the strides so far) grows at each stride, so later layers widen faster. The table's "
            "'receptive field' column has every node's numbers.", app.ui_graph.node(selected).name.c_str());
    if (marker >= 0 && sizes.size() > 1) {
        const float x = at.x + ImGui::GetStyle().FramePadding.x +
                        (width - 2 * ImGui::GetStyle().FramePadding.x) * float(marker) / float(sizes.size() - 1);
        ImGui::GetWindowDrawList()->AddLine(ImVec2(x, at.y), ImVec2(x, at.y + F * 3), ImGui::GetColorU32(accent_colour()), 2.0f);
    }
}

// Under an identity block's diagram when the seed's typo is on: why nothing complains, and what it costs.
void draw_typo_explanation(const AppState& app, const Block& b) {
    std::int64_t dead_params = 0;
    int dead = 0;
    for (int i : b.main_path)
        if (app.ui_dead[std::size_t(i)]) dead_params += app.ui_graph.node(i).layer->param_count(), ++dead;
    // At the visible width: this panel scrolls sideways, and wrapping at its content width would keep it wide.
    ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x);
    ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1),
                       "As the seed's text wrote it, this identity_block feeds input_tensor, not x, into branch2b and "
                       "branch2c (the red crosses). Every shape still fits: 2c reads the block's input and gives the "
                       "block's channel count, so the Add works and nothing raises an error, which is why the typo goes "
                       "unnoticed. But 2a and 2b no longer reach the output: %d layers (%s parameters) are computed and "
                       "counted, and the block's output does not depend on them.",
                       dead, with_thousands(dead_params).c_str());
    ImGui::PopTextWrapPos();
    layout_report::item("label", "As the seed's text wrote it");
}

void draw_editor(AppState& app) {
    const int i = app.selected_node;
    if (i < 0) return;
    const Node& node = app.ui_graph.node(i);
    const NodeShape& s = app.ui_shapes[std::size_t(i)];
    ImGui::TextUnformatted(node.layer->keras_line().c_str());
    tooltip("The Keras layer behind node %s.", node.name.c_str());
    ImGui::TextUnformatted("output");
    ImGui::SameLine();
    if (s.ok()) {
        text_tip(keras_shape(*s.shape), "This node's output shape (batch, rows, cols, channels), inferred without data.");
    } else {
        ImGui::TextColored(error_colour(), "%s", s.upstream_error ? "unknown: an earlier node fails" : "error");
    }
    const std::string params = "params " + with_thousands(node.layer->param_count());
    same_line_if_fits(text_width(params.c_str()), ImGui::GetFontSize());
    text_tip(params,
             "Weights of this layer (kernel + bias, or BN's gamma, beta, moving mean, moving variance).");
    if (app.network_reinitialised.size() > std::size_t(i) && app.network_reinitialised[std::size_t(i)]) {
        same_line_if_fits(text_width("* re-initialised"), ImGui::GetFontSize());
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1), "* re-initialised");
        tooltip("An edit changed the shape of this layer's weights, so they were re-initialised (glorot_uniform, "
                "as Keras does when it rebuilds a layer). Loaded weights no longer apply here.");
    }
    draw_field_growth(app, i);
    if (!s.ok() && !s.upstream_error) {
        std::string msg = s.error;
        const int bi = app.ui_graph.block_of(i);
        if (bi >= 0 && app.ui_graph.blocks[std::size_t(bi)].add == i)
            msg += "\n" + add_fix_hint(app.ui_graph, app.ui_shapes, app.network.edits, app.ui_graph.blocks[std::size_t(bi)]);
        error_text(msg);
    }

    std::optional<Conv2DConfig> cfg = conv_config_of(app, i);
    if (!cfg) return;
    Conv2DConfig c = *cfg;
    bool changed = false;
    const float w = ImGui::GetFontSize() * 8;
    ImGui::PushID(i);  // each node's fields are their own: a number typed for one never lands on another
    ImGui::SetNextItemWidth(w);
    changed |= int_field("filters", c.filters, 0.5f, 1, 4096);
    tooltip("Output channels of this Conv2D. Changing it re-initialises this kernel and the next layers' weights. "
            "Allowed: 1 to 4096. Drag, or double-click to type (applied on Enter or when you leave the field).");
    same_line_if_fits(labelled_width(w, "kernel_size"));
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("kernel_size", c.kernel_size.rows, c.kernel_size.cols, 1, 15, "kernel_size (rows, cols).");
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("strides", c.strides.rows, c.strides.cols, 1, 8, "strides (rows, cols).");
    same_line_if_fits(labelled_width(w, "dilation_rate"));
    ImGui::SetNextItemWidth(w);
    changed |= pair_input("dilation_rate", c.dilation_rate.rows, c.dilation_rate.cols, 1, 8, "dilation_rate (rows, cols).");
    int pad = c.padding == Padding::same ? 1 : 0;
    ImGui::TextUnformatted("padding");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("valid##net", &pad, 0);
    ImGui::SameLine();
    changed |= ImGui::RadioButton("same##net", &pad, 1);
    c.padding = pad ? Padding::same : Padding::valid;
    ImGui::PopID();
    const std::string& name = app.ui_graph.node(i).name;
    const bool edited = app.network.edits.count(name) > 0;
    if (edited) {
        same_line_if_fits(button_width("Reset to the seed's"), ImGui::GetFontSize());
        if (ImGui::Button("Reset to the seed's")) {
            app.network.edits.erase(name);
            refresh_network_structure(app);
            return;
        }
        tooltip("Undo your edits of %s.", name.c_str());
    }
    const bool pinned_here = app.compare.network_pin && app.compare.network_pin->node == i &&
                             app.compare.network_pin->name == name;
    same_line_if_fits(button_width("Compare before / after"), ImGui::GetFontSize());
    if (ImGui::Button(pinned_here ? "Compare before / after" : "Pin as A")) {
        if (pinned_here || pin_network_node(app, i)) app.settings.show_compare = true;
    }
    tooltip(pinned_here ? "Open Compare A / B: this layer's output before your edit (A) beside after it (B), with one "
                          "shared colour range."
                        : "Keep this layer's output and arguments as A (P); after an edit, Compare A / B shows both. "
                          "The first edit of a layer pins it by itself.");
    if (changed) {
        // Its output before the first edit is kept for Compare A / B.
        if (!pinned_here) pin_network_node(app, i);
        app.network.edits[name] = c;
        if (app.ui_model.original(name) == c)
            app.network.edits.erase(name);  // edited back to the seed's: no longer an edit
        refresh_network_structure(app);
    }
}

struct TreeRow {
    int level = 0;
    int node = -1;            // >= 0: a layer
    std::string group;        // stage or block name for header rows
    std::string label;
    bool open = false;        // header rows: shown expanded
    int block = -1;           // >= 0: a block's header row
};

// A count for a narrow column: 118.0M, 9.47K, 512 (the tooltip has the exact number).
std::string compact(double v, const char* unit = "") {
    char b[32];
    if (v >= 1e9) std::snprintf(b, sizeof b, "%.2fG%s", v / 1e9, unit);
    else if (v >= 1e6) std::snprintf(b, sizeof b, "%.1fM%s", v / 1e6, unit);
    else if (v >= 1e4) std::snprintf(b, sizeof b, "%.1fK%s", v / 1e3, unit);
    else std::snprintf(b, sizeof b, "%.0f%s", v, unit);
    return b;
}

struct NodeCost {
    std::int64_t macs = 0;   // multiply-accumulates of one forward pass
    std::int64_t bytes = 0;  // float32 output
};

std::vector<NodeCost> node_costs(const AppState& app) {
    std::vector<NodeCost> c(std::size_t(app.ui_graph.size()));
    const std::vector<std::int64_t> macs = app.ui_graph.node_macs();  // empty while a shape fails
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (i < macs.size()) c[i].macs = macs[i];
        const NodeShape& s = app.ui_shapes[i];
        if (s.ok()) c[i].bytes = s.shape->size() * std::int64_t(sizeof(float));
    }
    return c;
}

struct Totals {
    std::int64_t params = 0, trainable = 0, macs = 0, bytes = 0;
    double ms = 0.0;  // of the nodes the last run computed
    int computed = 0, derived = 0, cached = 0;
};

Totals totals_of(const AppState& app, const std::vector<NodeCost>& costs) {
    Totals t;
    t.params = app.ui_graph.param_count();
    t.trainable = app.ui_graph.trainable_param_count();
    for (std::size_t i = 0; i < costs.size(); ++i) {
        t.macs += costs[i].macs;
        t.bytes += costs[i].bytes;
        if (i >= app.network_outcomes.size() || !app.network_outcomes[i]) continue;
        const NodeOutcome o = *app.network_outcomes[i];
        if (o != NodeOutcome::cached) t.ms += app.network_node_ms[i];  // derived: 0, or a fused pass on its conv
        if (o == NodeOutcome::computed || o == NodeOutcome::dropped) ++t.computed;
        if (o == NodeOutcome::derived) ++t.derived;
        if (o == NodeOutcome::cached) ++t.cached;
    }
    return t;
}

// Keras' summary() totals, word for word, under the table (each kept whole when the line is too narrow).
std::vector<std::string> keras_totals(const Totals& t) {
    return {"Total params: " + with_thousands(t.params), "Trainable params: " + with_thousands(t.trainable),
            "Non-trainable params: " + with_thousands(t.params - t.trainable)};
}

// The table's columns in the order they are shown and, on a narrow panel, left out: the layer and what it costs
// first (a teacher reads params and MACs off the projector), then its shape and field, then the last run's
// bookkeeping, and the type last (every row's tooltip has its Keras line).
enum TreeColumn { kLayer, kParams, kMacs, kShape, kField, kBytes, kTime, kHow, kType, kColumnCount };
constexpr float kTreeIndent = 0.75f;  // each tree level's indent, in font heights
const char* const kColumnNames[kColumnCount] = {"layer", "params", "MACs", "output shape", "receptive field",
                                                "output", "time", "how", "type"};

// A layer's row label: its name and what happened to it. Short: without "(edited)" (its tooltip and colour say
// it), for a narrow panel.
std::string layer_label(const AppState& app, int i, bool full = true) {
    const std::size_t k = std::size_t(i);
    std::string label = app.ui_graph.node(i).name;
    if (full && app.network.edits.count(label)) label += " (edited)";
    if (app.network_reinitialised.size() > k && app.network_reinitialised[k]) label += " *";
    if (app.ui_dead.size() > k && app.ui_dead[k]) label += " (dead)";
    return label;
}

// A block's row in the tree: "res3b  (identity_block)", or "res3b" when short (its tooltip says which kind).
std::string block_label(const Block& b, bool full) {
    return full ? b.name + "  (" + to_string(b.kind) + ")" : b.name;
}

// "99 /8": the receptive field's size and jump ("99x67 /8,4" when rows and columns differ).
std::string field_text(const AppState& app, int i) {
    if (std::size_t(i) >= app.ui_fields.size() || !app.ui_fields[std::size_t(i)].ok) return "-";
    const NodeField& f = app.ui_fields[std::size_t(i)];
    if (f.global) return "whole image";
    if (f.rows.size() == f.cols.size() && f.rows.jump == f.cols.jump)
        return std::to_string(f.rows.size()) + " /" + std::to_string(f.rows.jump);
    return std::to_string(f.rows.size()) + "x" + std::to_string(f.cols.size()) + " /" + std::to_string(f.rows.jump) +
           "," + std::to_string(f.cols.jump);
}

// What a layer's cell shows: one function for drawing it and for measuring the column. `full` false: the
// narrow form of the layer (no "(edited)"), params (2.36M) and output shape (20x20x512) columns.
std::string cell_text(const AppState& app, const std::vector<NodeCost>& costs, int i, int column, bool full) {
    const std::size_t k = std::size_t(i);
    const NodeShape& s = app.ui_shapes[k];
    const std::int64_t params = app.ui_graph.node(i).layer->param_count();
    switch (column) {
        case kLayer: return layer_label(app, i, full);
        case kParams: return full || params < 10000 ? with_thousands(params) : compact(double(params));
        case kMacs: return costs[k].macs ? compact(double(costs[k].macs)) : "0";
        case kShape:
            if (!s.ok()) return s.upstream_error ? "-" : "error";
            return full ? keras_shape(*s.shape) : short_shape(s);
        case kField: return field_text(app, i);
        case kBytes: return compact(double(costs[k].bytes), "B");
        case kTime: {
            if (app.network_node_ms[k] <= 0) return "-";
            char b[32];
            std::snprintf(b, sizeof b, "%.2f ms", app.network_node_ms[k]);
            return b;
        }
        case kHow:
            return k < app.network_outcomes.size() && app.network_outcomes[k] ? to_string(*app.network_outcomes[k]) : "-";
        default: return app.ui_graph.node(i).layer->type_name();
    }
}

// The totals row's cells (empty where a sum means nothing); params as 25.6M when not `full_params`.
std::vector<std::string> totals_cells(const Totals& t, bool full_params) {
    std::vector<std::string> c(kColumnCount);
    char b[64];
    c[kLayer] = "Total";
    c[kParams] = full_params ? with_thousands(t.params) : compact(double(t.params));
    c[kMacs] = compact(double(t.macs));
    c[kBytes] = compact(double(t.bytes), "B");
    std::snprintf(b, sizeof b, "%.1f ms", t.ms);
    c[kTime] = b;
    std::snprintf(b, sizeof b, "%d / %d / %d", t.computed, t.derived, t.cached);
    c[kHow] = b;
    return c;
}

// Which columns fit the panel's width, so that nothing needs sideways scrolling, and in which form. The layer,
// params and MACs always (on the narrowest panels the layer loses "(edited)" and params become 2.36M); then each
// further column in order if its widest cell (or header) still fits, the output shape as Keras prints it,
// (None, 20, 20, 512), or else as 20x20x512.
struct TreeFit {
    bool shown[kColumnCount] = {};
    bool full[kColumnCount] = {};     // the layer, params and shape columns: full or narrow form (cell_text())
    float needs[kColumnCount] = {};  // the widest cell or header in that form (the layout report checks the header)
};

TreeFit fit_columns(const AppState& app, const std::vector<NodeCost>& costs, const Totals& t, float width) {
    // Every column's widest cell in both forms ([0] narrow, [1] full), with its padding and the border between
    // columns.
    float widest[2][kColumnCount] = {};
    const float pad = ImGui::GetStyle().CellPadding.x * 2 + 1;
    for (int f = 0; f < 2; ++f) {
        const std::vector<std::string> totals = totals_cells(t, f == 1);
        for (int c = 0; c < kColumnCount; ++c) {
            widest[f][c] = std::max(text_width(kColumnNames[c]), text_width(totals[std::size_t(c)].c_str())) + pad;
            for (int i = 0; i < app.ui_graph.size(); ++i)
                widest[f][c] = std::max(widest[f][c], text_width(cell_text(app, costs, i, c, f == 1).c_str()) + pad);
        }
    }
    const float indent = 2 * kTreeIndent * ImGui::GetFontSize();  // a block's layers are two levels in
    widest[0][kLayer] += indent, widest[1][kLayer] += indent;
    // The blocks' rows, one level in, widen the layer column too ("+ " opens them).
    for (const Block& b : app.ui_graph.blocks)
        for (int f = 0; f < 2; ++f)
            widest[f][kLayer] = std::max(widest[f][kLayer], text_width(("- " + block_label(b, f == 1)).c_str()) +
                                                               indent * 0.5f + pad);

    TreeFit fit;
    fit.shown[kLayer] = fit.shown[kParams] = fit.shown[kMacs] = true;
    // The first of: everything in full; the layer short; the layer and params short.
    fit.full[kLayer] = fit.full[kParams] = true;
    if (widest[1][kLayer] + widest[1][kParams] + widest[1][kMacs] > width) fit.full[kLayer] = false;
    if (!fit.full[kLayer] && widest[0][kLayer] + widest[1][kParams] + widest[1][kMacs] > width) fit.full[kParams] = false;
    float used = widest[fit.full[kLayer]][kLayer] + widest[fit.full[kParams]][kParams] + widest[1][kMacs];
    for (int c = kShape; c < kColumnCount; ++c) {
        fit.full[c] = used + widest[1][c] <= width;
        const float w = widest[fit.full[c]][c];
        if (used + w > width) continue;  // left out; a narrower one after it may still fit
        fit.shown[c] = true;
        used += w;
    }
    for (int c = 0; c < kColumnCount; ++c) fit.needs[c] = widest[fit.full[c]][c] - pad;
    return fit;
}

// The table's first row: the whole network's cost.
void totals_row(const Totals& t, const std::vector<std::string>& cells) {
    ImGui::TableNextRow();
    if (ImGui::TableSetColumnIndex(kLayer)) {
        ImGui::TextColored(accent_colour(), "%s", cells[kLayer].c_str());
        const std::vector<std::string> keras = keras_totals(t);
        tooltip("The whole network, as Keras' model.summary() ends:\n%s\n%s\n%s\nNon-trainable: BatchNormalization's "
                "moving mean and variance.", keras[0].c_str(), keras[1].c_str(), keras[2].c_str());
    }
    if (ImGui::TableSetColumnIndex(kParams)) {
        ImGui::TextUnformatted(cells[kParams].c_str());
        tooltip("Trainable %s + non-trainable %s.", with_thousands(t.trainable).c_str(),
                with_thousands(t.params - t.trainable).c_str());
    }
    if (ImGui::TableSetColumnIndex(kMacs)) {
        ImGui::TextUnformatted(cells[kMacs].c_str());
        tooltip("%s multiply-accumulates in one forward pass (2 FLOPs each). convscope-cli summary prints them per layer.",
                with_thousands(t.macs).c_str());
    }
    if (ImGui::TableSetColumnIndex(kBytes)) {
        ImGui::TextUnformatted(cells[kBytes].c_str());
        tooltip("%s bytes: every node's float32 output (the GUI keeps them all once made, so stepping back is "
                "instant).",
                with_thousands(t.bytes).c_str());
    }
    if (ImGui::TableSetColumnIndex(kTime)) {
        ImGui::TextUnformatted(cells[kTime].c_str());
        tooltip("The summed time of the last run's passes (a fused pass is booked on its Conv2D).");
    }
    if (ImGui::TableSetColumnIndex(kHow)) {
        ImGui::TextUnformatted(cells[kHow].c_str());
        tooltip("Nodes the last run computed and wrote / computed without writing (made when asked for) / found "
                "cached.");
    }
}

// The receptive field's cell; the tooltip says where output (0, 0)'s field starts.
void draw_field_cell(const AppState& app, int i) {
    ImGui::TextUnformatted(field_text(app, i).c_str());
    if (std::size_t(i) >= app.ui_fields.size() || !app.ui_fields[std::size_t(i)].ok) return;
    const NodeField& f = app.ui_fields[std::size_t(i)];
    if (f.global) {
        tooltip("A flat vector (global pooling or Dense): every value depends on every input pixel.");
        return;
    }
    tooltip("Receptive field of one value of %s: %d x %d input pixels. Jump %d x %d: neighbouring outputs look %d "
            "pixels apart (the product of the strides so far). Output (0, 0) reads input rows %d..%d, cols %d..%d "
            "(negative: the padding). Sort by this column to see it grow with depth.",
            app.ui_graph.node(i).name.c_str(), f.rows.size(), f.cols.size(), f.rows.jump, f.cols.jump, f.rows.jump,
            f.rows.first, f.rows.last, f.cols.first, f.cols.last);
}

// The layer table. It is part of the panel's one scroll area: as a scrolling table inside the scrolling panel it
// showed about four rows at 1280 x 720 and fought the panel for the mouse wheel. Its columns fit the panel's width
// (fit_columns()); widen the column with the splitter to see more of them.
// The table scrolls with the panel (so that a projector shows as many rows as the panel holds), which takes its
// header row out of view once the learner scrolls down to stage 4: then the column names are drawn again over the
// top of the panel, where the header would be if it stayed. Drawn text only: sorting is done on the real header.
struct StickyHeader {
    float height = 0;
    struct Column {
        float min_x, max_x;
        const char* name;
    };
    std::vector<Column> columns;  // none while the real header is in view
};

// Inside the table, before EndTable(): the enabled columns' extents, when the header row lies above the view.
StickyHeader sticky_header_columns(float header_top, float header_h) {
    StickyHeader h;
    const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
    const ImGuiTable* t = ImGui::GetCurrentTable();
    if (!w || !t || header_top == FLT_MAX || header_top >= w->InnerClipRect.Min.y) return h;
    h.height = header_h;
    for (int c = 0; c < kColumnCount; ++c)
        if (t->Columns[c].IsEnabled) h.columns.push_back({t->Columns[c].MinX, t->Columns[c].MaxX, kColumnNames[c]});
    return h;
}

void draw_sticky_header(const StickyHeader& h) {
    if (h.columns.empty()) return;
    const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float top = w->InnerClipRect.Min.y, pad = ImGui::GetStyle().CellPadding.x;
    dl->PushClipRect(w->InnerClipRect.Min, w->InnerClipRect.Max, false);
    dl->AddRectFilled(ImVec2(h.columns.front().min_x, top), ImVec2(h.columns.back().max_x, top + h.height),
                      ImGui::GetColorU32(ImGuiCol_TableHeaderBg));
    const float text_y = top + (h.height - ImGui::GetFontSize()) * 0.5f;
    for (const StickyHeader::Column& c : h.columns) {
        // The first column starts in the window's padding (ImGui's table does that): its name starts at the edge.
        const ImVec2 at(std::max(c.min_x + pad, w->InnerClipRect.Min.x), text_y);
        dl->PushClipRect(ImVec2(c.min_x, top), ImVec2(c.max_x, top + h.height), true);
        dl->AddText(at, ImGui::GetColorU32(ImGuiCol_Text), c.name);
        dl->PopClipRect();
        layout_report::drawn_text("sticky header", c.name, at);
    }
    dl->PopClipRect();
}

void draw_tree(AppState& app) {
    const Graph& g = app.ui_graph;
    const std::vector<NodeCost> costs = node_costs(app);
    const Totals totals = totals_of(app, costs);
    // Fitting measures every cell of every column (about 3,000 texts): drawn in every frame of a network run it
    // cost the GUI's run about 12% against bench (gui_vs_bench.sh). So it is measured again only when the width,
    // the font, the graph or the last run changes, and at most once a second otherwise.
    struct FitCache {
        float width = -1, font = -1;
        int nodes = -1;
        double run_ms = -1, at = -1e9;
        TreeFit fit;
    };
    static FitCache cache;
    const float width = ImGui::GetContentRegionAvail().x, font = ImGui::GetFontSize();
    const double now = ImGui::GetTime();
    if (cache.width != width || cache.font != font || cache.nodes != g.size() || cache.run_ms != app.network_ms ||
        now - cache.at > 1.0) {
        cache.fit = fit_columns(app, costs, totals, width);
        cache.width = width, cache.font = font, cache.nodes = g.size(), cache.run_ms = app.network_ms, cache.at = now;
    }
    const TreeFit& fit = cache.fit;
    // Stepping follows the selected row only while the table fills the view (its top scrolled to the panel's
    // top or above); stepping with the diagram in view leaves the panel where it is.
    const bool follow = app.scroll_tree_to_selection && ImGui::GetCursorScreenPos().y <= ImGui::GetWindowPos().y + 1;
    app.scroll_tree_to_selection = false;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_Sortable | ImGuiTableFlags_SortTristate;
    if (!ImGui::BeginTable("tree", kColumnCount, flags)) return;
    for (int c = 0; c < kColumnCount; ++c) {
        const bool cost = c == kField || c == kMacs || c == kBytes || c == kTime;  // sortable, largest first
        ImGuiTableColumnFlags cf = cost ? ImGuiTableColumnFlags_PreferSortDescending : ImGuiTableColumnFlags_NoSort;
        if (!fit.shown[c]) cf |= ImGuiTableColumnFlags_Disabled;
        ImGui::TableSetupColumn(kColumnNames[c], cf);
    }
    // The headers one by one, so that the layout report can check that each column is as wide as its widest cell
    // (not the layer column: ImGui paints its header into the window's padding, which the report would take for
    // a cut, and it is always shown).
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    float header_top = FLT_MAX;  // where the header row is, to repeat it once it scrolls away
    for (int c = 0; c < kColumnCount; ++c) {
        if (!ImGui::TableSetColumnIndex(c)) continue;
        ImGui::TableHeader(kColumnNames[c]);
        header_top = std::min(header_top, ImGui::GetItemRectMin().y);
        if (c != kLayer) layout_report::item("column", kColumnNames[c], fit.needs[c]);
    }
    const float header_h = ImGui::TableGetHeaderRowHeight();
    totals_row(totals, totals_cells(totals, fit.full[kParams]));

    // Sorted by a cost column: every layer in one flat list. Unsorted: stem, stages -> blocks -> layers, top.
    std::vector<TreeRow> rows;
    const ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs();
    const bool sorted = sort && sort->SpecsCount > 0;
    if (sorted) {
        const int column = sort->Specs[0].ColumnIndex;
        const bool descending = sort->Specs[0].SortDirection == ImGuiSortDirection_Descending;
        auto key = [&](int i) {
            const std::size_t k = std::size_t(i);
            if (column == kField) return app.ui_fields[k].ok ? double(app.ui_fields[k].rows.size()) : 0.0;
            return column == kMacs ? double(costs[k].macs) : column == kBytes ? double(costs[k].bytes) : app.network_node_ms[k];
        };
        std::vector<int> order(std::size_t(g.size()));
        for (int i = 0; i < g.size(); ++i) order[std::size_t(i)] = i;
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return descending ? key(a) > key(b) : key(a) < key(b); });
        for (int i : order) rows.push_back({0, i, "", g.node(i).name});
    } else {
        const int sel_block = app.selected_node >= 0 ? g.block_of(app.selected_node) : -1;
        int last_stage = -1, last_block = -1;
        for (int i = 0; i < g.size(); ++i) {
            const int b = g.block_of(i);
            if (b < 0) {
                rows.push_back({0, i, "", g.node(i).name, false});
                continue;
            }
            const Block& bl = g.blocks[std::size_t(b)];
            const std::string stage = "stage " + std::to_string(bl.stage);
            const bool stage_open = app.tree_open.count(stage) || (sel_block >= 0 && g.blocks[std::size_t(sel_block)].stage == bl.stage);
            if (bl.stage != last_stage) {
                rows.push_back({0, -1, stage, stage, stage_open});
                last_stage = bl.stage;
            }
            if (!stage_open) continue;
            const bool block_open = app.tree_open.count(bl.name) || b == sel_block;
            if (b != last_block) {
                rows.push_back({1, -1, bl.name, block_label(bl, fit.full[kLayer]), block_open, b});
                last_block = b;
            }
            if (block_open) rows.push_back({2, i, "", g.node(i).name});
        }
    }

    int selected_row = -1;
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows[r].node == app.selected_node && rows[r].node >= 0) selected_row = int(r);
    // A row's selectable spans every column, but the cell's clip rectangle is the first column's: its report (and
    // its tooltip's) is measured across the row, or the layout report would take every row for a cut label.
    auto across_row = [](auto report) {
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ImGui::PushClipRect(ImVec2(ImGui::GetItemRectMin().x, dl->GetClipRectMin().y),
                            ImVec2(ImGui::GetItemRectMax().x, dl->GetClipRectMax().y), false);
        report();
        ImGui::PopClipRect();
    };
    ImGuiListClipper clipper;
    clipper.Begin(int(rows.size()));
    // The selected row is always laid out, in view or not: following it needs its place, and the layout report
    // lists it (a session's selected node opens the tree at it).
    if (selected_row >= 0) clipper.ForceDisplayRangeByIndices(selected_row, selected_row + 1);
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const TreeRow& row = rows[std::size_t(r)];
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(kLayer);
            // Only when there is one: ImGui::Indent(0) indents by the style's IndentSpacing, which put the level-0
            // rows (the stem, the stages) right of the blocks inside them.
            const float indent = float(row.level) * kTreeIndent * ImGui::GetFontSize();
            if (indent > 0) ImGui::Indent(indent);
            ImGui::PushID(r);
            if (row.node < 0) {
                const bool open = app.tree_open.count(row.group) > 0;
                if (ImGui::Selectable(((row.open ? "- " : "+ ") + row.label).c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
                    if (open) app.tree_open.erase(row.group);
                    else app.tree_open.insert(row.group);
                }
                across_row([&] {
                    const std::string kind = row.block >= 0 ? std::string(" (") + to_string(g.blocks[std::size_t(row.block)].kind) + ")" : "";
                    tooltip("Click to open or close %s%s.", row.group.c_str(), kind.c_str());
                });
            } else {
                const int i = row.node;
                const std::size_t k = std::size_t(i);
                const NodeShape& s = app.ui_shapes[k];
                const bool err = !s.ok() && !s.upstream_error;
                const bool ready = network_node_ready(app, i);
                const bool shown_old = !ready && app.network_outputs.size() > k && app.network_outputs[k];
                // An edited layer whose label is too narrow to say "(edited)" is drawn in the accent colour.
                const bool edited_unsaid = !fit.full[kLayer] && app.network.edits.count(g.node(i).name) > 0;
                if (err) ImGui::PushStyleColor(ImGuiCol_Text, error_colour());
                else if (!ready) ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
                else if (edited_unsaid) ImGui::PushStyleColor(ImGuiCol_Text, accent_colour());
                else ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_Text));
                const std::string label = layer_label(app, i, fit.full[kLayer]);
                if (ImGui::Selectable(label.c_str(), app.selected_node == i, ImGuiSelectableFlags_SpanAllColumns))
                    app.selected_node = i;
                ImGui::PopStyleColor();
                if (follow && i == app.selected_node && !ImGui::IsItemVisible()) ImGui::SetScrollHereY(0.4f);
                // The costs of the columns left out at this width, so that they are a hover away.
                std::string left_out = edited_unsaid ? "\nedited (Reset to the seed's undoes it)" : "";
                for (int c : {kMacs, kBytes, kTime, kHow})
                    if (!fit.shown[c]) left_out += std::string("\n") + kColumnNames[c] + ": " + cell_text(app, costs, i, c, true);
                across_row([&] {
                    layout_report::item("row", label);
                    tooltip("%s%s%s", node_summary(app, i).c_str(), left_out.c_str(),
                            ready ? "" : shown_old ? "\n(recomputing; showing the previous output)" : "\n(not computed yet)");
                });
                if (ImGui::TableSetColumnIndex(kParams)) {
                    ImGui::TextUnformatted(cell_text(app, costs, i, kParams, fit.full[kParams]).c_str());
                    tooltip("%s weights in %s.", with_thousands(g.node(i).layer->param_count()).c_str(), g.node(i).name.c_str());
                }
                if (ImGui::TableSetColumnIndex(kMacs)) {
                    ImGui::TextUnformatted(cell_text(app, costs, i, kMacs, true).c_str());
                    tooltip("%s multiply-accumulates in one forward pass of %s.", with_thousands(costs[k].macs).c_str(),
                            g.node(i).name.c_str());
                }
                if (ImGui::TableSetColumnIndex(kShape)) {
                    const std::string shape = cell_text(app, costs, i, kShape, fit.full[kShape]);
                    if (err) ImGui::TextColored(error_colour(), "%s", shape.c_str());
                    else ImGui::TextUnformatted(shape.c_str());
                    if (s.ok() && !fit.full[kShape]) tooltip("Output shape %s (rows x cols x channels).", keras_shape(*s.shape).c_str());
                }
                if (ImGui::TableSetColumnIndex(kField)) draw_field_cell(app, i);
                if (ImGui::TableSetColumnIndex(kBytes)) {
                    ImGui::TextUnformatted(cell_text(app, costs, i, kBytes, true).c_str());
                    tooltip("Its float32 output: %s bytes.", with_thousands(costs[k].bytes).c_str());
                }
                if (ImGui::TableSetColumnIndex(kTime)) {
                    ImGui::TextUnformatted(cell_text(app, costs, i, kTime, true).c_str());
                    tooltip("Wall time of %s when it was last computed (all threads). A fused pass (Conv2D, its "
                            "BatchNormalization and ReLU, a block's Add) is booked on its Conv2D. Click the header to "
                            "sort by it.", g.node(i).name.c_str());
                }
                if (ImGui::TableSetColumnIndex(kHow)) {
                    const bool computed = k < app.network_outcomes.size() && app.network_outcomes[k] == NodeOutcome::computed;
                    ImGui::TextColored(computed ? ok_colour() : dim_colour(), "%s", cell_text(app, costs, i, kHow, true).c_str());
                    tooltip("computed: executed and written by the last run; derived: part of a fused pass that did not "
                            "write it, made when asked for (a Conv2D recomputed from its input, a BatchNormalization or "
                            "Add from cached outputs); cached: unchanged since an earlier run; dropped: executed, not "
                            "kept.");
                }
                if (ImGui::TableSetColumnIndex(kType)) ImGui::TextUnformatted(cell_text(app, costs, i, kType, true).c_str());
            }
            ImGui::PopID();
            if (indent > 0) ImGui::Unindent(indent);
        }
    }
    const StickyHeader sticky = sticky_header_columns(header_top, header_h);
    ImGui::EndTable();
    draw_sticky_header(sticky);
    // Keras' three totals on one line when they fit, else one a line as summary() prints them (wrapped as one
    // text, a total could break across the lines).
    const std::vector<std::string> keras = keras_totals(totals);
    const float gap = ImGui::GetFontSize();
    const float one_line = text_width(keras[0].c_str()) + text_width(keras[1].c_str()) + text_width(keras[2].c_str()) + 2 * gap;
    const bool same_line = one_line <= ImGui::GetContentRegionAvail().x;
    for (std::size_t j = 0; j < keras.size(); ++j) {
        if (j > 0 && same_line) ImGui::SameLine(0, gap);
        text_tip(keras[j], "As Keras' model.summary() ends. Non-trainable: BatchNormalization's moving mean and variance.");
    }
}

}  // namespace

void draw_network(AppState& app) {
    if (app.ui_graph.size() == 0) return;
    if (ImGui::CollapsingHeader("Network options and weights", ImGuiTreeNodeFlags_DefaultOpen)) draw_options(app);
    ImGui::Separator();
    draw_stepper(app);
    if (app.selected_node < 0) return;

    // The diagram: the selected node's block, or the stem / top chain.
    const int b = app.ui_graph.block_of(app.selected_node);
    const float F = ImGui::GetFontSize();
    const float block_h = ImGui::GetTextLineHeightWithSpacing() + 6 * ImGui::GetFrameHeight() + 5 * F * 1.3f +
                          ImGui::GetStyle().WindowPadding.y + ImGui::GetStyle().ScrollbarSize;
    // Outside the blocks: the stem or the top, as a chain in as many rows as the panel's width needs.
    const int first_block_input = app.ui_graph.blocks.empty() ? app.ui_graph.size() : app.ui_graph.blocks.front().input;
    const bool stem = app.selected_node <= first_block_input;
    std::vector<int> chain;
    if (b < 0)
        for (int i = 0; i < app.ui_graph.size(); ++i)
            if (app.ui_graph.block_of(i) < 0 && (stem ? i <= first_block_input : i > first_block_input)) chain.push_back(i);
    const ChainLayout layout = chain_layout(app, chain, ImGui::GetContentRegionAvail().x);
    const float chain_h = ImGui::GetTextLineHeightWithSpacing() + float(layout.rows) * chain_row_height() + F * 0.2f +
                          ImGui::GetStyle().ScrollbarSize;
    ImGui::BeginChild("diagram", ImVec2(0, b >= 0 ? block_h : chain_h), false, ImGuiWindowFlags_HorizontalScrollbar);
    if (b >= 0) {
        draw_block(app, app.ui_graph.blocks[std::size_t(b)]);
    } else {
        ImGui::TextColored(dim_colour(), stem ? "stem" : "classifier top");
        draw_chain(app, chain, layout);
    }
    ImGui::EndChild();
    if (b >= 0 && app.network.options.seed_identity_typo &&
        app.ui_graph.blocks[std::size_t(b)].kind == BlockKind::identity_block)
        draw_typo_explanation(app, app.ui_graph.blocks[std::size_t(b)]);
    if (app.network.options.include_top) draw_predictions(app);
    ImGui::Separator();
    draw_editor(app);
    ImGui::Separator();
    draw_tree(app);
}

}  // namespace convscope::gui
