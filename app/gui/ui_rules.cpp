#include "app/gui/ui_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/render/normalize.hpp"  // format_value

namespace convscope::gui {

const std::vector<float>& ui_scales() {
    static const std::vector<float> scales = {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f, 3.0f};  // immutable: not state
    return scales;
}

bool one_column_layout(float width, float body_height, float font_size) {
    return width < font_size * 36 || body_height < font_size * 14;
}

float step_ui_scale(float current, int delta) {
    const std::vector<float>& s = ui_scales();
    if (delta > 0) {
        for (float v : s)
            if (v > current + 0.01f) return v;
        return std::max(current, s.back());
    }
    for (auto it = s.rbegin(); it != s.rend(); ++it)
        if (*it < current - 0.01f) return *it;
    return std::min(current, s.front());
}

int block_stop(const Graph& g, int node, int delta) {
    if (g.size() == 0) return node;
    std::vector<int> stops = {0};
    if (!g.blocks.empty()) stops.push_back(g.blocks.front().input);
    for (const Block& b : g.blocks) stops.push_back(b.output);
    stops.push_back(g.size() - 1);
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
    if (delta > 0) {
        for (int s : stops)
            if (s > node) return s;
    } else {
        for (auto it = stops.rbegin(); it != stops.rend(); ++it)
            if (*it < node) return *it;
    }
    return node;
}

ExportGroup export_group(const Graph& g, int node) {
    ExportGroup group;
    const int b = g.block_of(node);
    if (b >= 0) {
        const Block& bl = g.blocks[std::size_t(b)];
        group.folder = bl.name;
        group.nodes = bl.main_path;
        group.nodes.insert(group.nodes.end(), bl.shortcut.begin(), bl.shortcut.end());
        group.nodes.push_back(bl.add);
        group.nodes.push_back(bl.output);
        std::sort(group.nodes.begin(), group.nodes.end());
        return group;
    }
    // Outside blocks: the stem (up to the first block's input) or the classifier top (after the last block).
    const int stem_end = g.blocks.empty() ? g.size() - 1 : g.blocks.front().input;
    const bool stem = node <= stem_end;
    group.folder = stem ? "stem" : "top";
    for (int i = 0; i < g.size(); ++i)
        if (g.block_of(i) < 0 && (stem ? i <= stem_end : i > stem_end)) group.nodes.push_back(i);
    return group;
}

std::string add_fix_hint(const Graph& g, const std::vector<NodeShape>& shapes,
                         const std::map<std::string, Conv2DConfig>& edits, const Block& b) {
    if (b.main_path.empty()) return "";
    const int main_last = b.main_path.back();
    const int short_last = b.shortcut.empty() ? b.input : b.shortcut.back();
    const NodeShape& m = shapes[std::size_t(main_last)];
    const NodeShape& s = shapes[std::size_t(short_last)];
    if (!m.ok() || !s.ok()) return "";
    const bool identity = b.kind == BlockKind::identity_block;
    const std::string shortcut_name = identity ? "the identity shortcut (" + g.node(b.input).name + " itself)"
                                               : "the shortcut " + g.node(short_last).name;
    std::string hint = "Add needs equal shapes: main path " + plain_shape(*m.shape) + " vs " + shortcut_name + " " +
                       plain_shape(*s.shape) + ". ";
    std::vector<int> convs;  // the main path's Conv2D nodes: the last sets the channels, all set the size
    for (int i : b.main_path)
        if (dynamic_cast<const Conv2D*>(g.node(i).layer.get())) convs.push_back(i);
    const int branch1 = identity ? -1 : b.shortcut.front();
    if (m.shape->c != s.shape->c && !convs.empty()) {
        hint += "Set filters of " + g.node(convs.back()).name + " to " + std::to_string(s.shape->c);
        hint += identity ? " (the identity shortcut always has the block input's " + std::to_string(s.shape->c) +
                               " channels). "
                         : " or filters of " + g.node(branch1).name + " to " + std::to_string(m.shape->c) + ". ";
    }
    if (m.shape->h != s.shape->h || m.shape->w != s.shape->w) {
        std::string edited;
        for (int i : convs)
            if (edits.count(g.node(i).name)) edited += (edited.empty() ? "" : ", ") + g.node(i).name;
        if (branch1 >= 0 && edits.count(g.node(branch1).name))
            edited += (edited.empty() ? "" : ", ") + g.node(branch1).name;
        const std::string undo = edited.empty() ? "Check strides, kernel_size, padding and dilation_rate of "
                                                : "Undo the strides/kernel_size/padding/dilation_rate change of " + edited;
        if (identity) {
            hint += "The spatial sizes differ, and an identity block's shortcut is its input itself, which cannot "
                    "shrink: " + undo + (edited.empty() ? "the main path" : "") +
                    " so the main path keeps the input's size (strides 1; padding 'same' keeps the size for any "
                    "kernel_size and dilation_rate).";
        } else {
            const bool main_smaller = m.shape->h < s.shape->h || m.shape->w < s.shape->w;
            hint += "The spatial sizes differ: " + undo + (edited.empty() ? "both paths" : "") + ", or make " +
                    g.node(main_smaller ? branch1 : convs.front()).name +
                    " shrink the same way (its strides; padding 'same' keeps the size otherwise).";
        }
    }
    return hint;
}

std::string predictions_caveat(bool weights_from_file, int reinitialised_layers) {
    if (!weights_from_file)
        return "Random weights: these classes mean nothing. Use ImageNet weights (File > Get ImageNet weights) for "
               "real predictions.";
    if (reinitialised_layers > 0)
        return std::to_string(reinitialised_layers) + (reinitialised_layers == 1 ? " layer holds" : " layers hold") +
               " random weights after your edits: these classes are not ImageNet's predictions.";
    return "";
}

static std::string number(float v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.9g", double(v));
    return b;
}

std::string playground_keras_code(const Conv2DConfig& conv, KernelSource source, int input_h, int input_w) {
    const std::string line = Conv2D(conv).keras_line();
    const std::string kh = std::to_string(conv.kernel_size.rows), kw = std::to_string(conv.kernel_size.cols);
    const std::string f = std::to_string(conv.filters);
    // The input as the layer's data_format reads it: channels_first puts the 3 colours before the rows (and
    // TensorFlow's CPU kernels do not run NCHW convolutions, which the comment says, so a pasted line fails
    // with a reason instead of puzzling).
    const bool first = conv.data_format == DataFormat::channels_first;
    const std::string hw = std::to_string(input_h) + ", " + std::to_string(input_w);
    const std::string dims = first ? "3, " + hw : hw + ", 3";
    const std::string shape = "(1, " + dims + ")";
    const std::string x_comment = "  # x: the image as RGB in [0, 1], shape " + shape +
                                  (first ? " (channels first: on a CPU TensorFlow runs Conv2D channels_last only)" : "") +
                                  "\n";
    std::string code = "from tensorflow import keras\n";
    if (source == KernelSource::glorot_uniform) {
        return code + "layer = keras.layers." + line + "  # glorot_uniform: Keras draws its own random values\n" +
               "y = layer(x)" + x_comment;
    }
    const std::vector<float> k2 = classic_kernel_2d(source, conv.kernel_size.rows, conv.kernel_size.cols);
    std::string rows;
    for (int r = 0; r < conv.kernel_size.rows; ++r) {
        rows += r ? ", [" : "[";
        for (int c = 0; c < conv.kernel_size.cols; ++c)
            rows += (c ? ", " : "") + number(k2[std::size_t(r) * std::size_t(conv.kernel_size.cols) + std::size_t(c)]);
        rows += "]";
    }
    code += "import numpy as np\n";
    code += "k2 = np.array([" + rows + "], \"float32\")  # " + to_string(source) + ", (rows, cols)\n";
    code += "kernel = np.zeros((" + kh + ", " + kw + ", 3, " + f + "), \"float32\")  # (kh, kw, in, filters)\n";
    code += "for f in range(" + f + "):\n    kernel[:, :, f % 3, f] = k2  # filter f reads colour f mod 3 (R, G, B, R, ...)\n";
    code += "layer = keras.layers." + line + "\n";
    code += "layer.build((None, " + dims + "))\n";
    // The classic filters have no bias of their own: the playground adds zeros, whatever bias_initializer says.
    code += conv.use_bias ? "layer.set_weights([kernel, np.zeros(" + f + ", \"float32\")])  # a classic filter: zero bias\n"
                          : "layer.set_weights([kernel])\n";
    code += "y = layer(x)" + x_comment;
    return code;
}

std::string limited_note(const std::string& name, int typed, int min, int max) {
    const int used = typed < min ? min : typed > max ? max : typed;
    return name + ": " + std::to_string(typed) + " is outside the allowed " + std::to_string(min) + " to " +
           std::to_string(max) + ", so " + std::to_string(used) + " is used";
}

std::string constant_label(float value) { return "constant " + format_value(value); }

std::string constant_description(float value) {
    return "every value is " + format_value(value) + ": a constant channel" +
           (value == 0.0f ? " (after a ReLU, a dead one: it never fires on this image)" : "");
}

bool error_outlived(std::uint64_t error_request, std::uint64_t success_request) { return success_request > error_request; }

bool notice_expired(double shown_at, double now) { return now - shown_at > kNoticeSeconds; }

bool user_acting(double last_input, double now) { return now - last_input < kActingSeconds; }

bool spare_cpu_now(bool engine_busy, double last_input, double now) {
    return !engine_busy || user_acting(last_input, now);
}

bool result_frame_due(bool engine_busy, double last_input, double last_frame, double now) {
    return spare_cpu_now(engine_busy, last_input, now) || now - last_frame > kProgressFrameSeconds;
}

}  // namespace convscope::gui
