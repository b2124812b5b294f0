#include "app/gui/session.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/data_format.hpp"
#include "core/limits.hpp"
#include "core/model/resnet50.hpp"
#include "core/read_file.hpp"
#include "core/weights/constraints.hpp"
#include "core/weights/initializer_spec.hpp"
#include "core/weights/regularizers.hpp"

namespace convscope::gui {

using nlohmann::json;

Session capture(const AppState& app) {
    Session s;
    s.panel = app.panel;
    s.image = app.image_source;
    s.playground = app.playground;
    s.network = app.network;
    if (app.selected_node >= 0 && app.selected_node < app.ui_graph.size())
        s.selected_node = app.ui_graph.node(app.selected_node).name;
    s.view = app.view;
    s.compare_open = app.settings.show_compare;
    s.compare_pinned = app.compare.pinned;
    s.compare_channel = app.compare.channel;
    s.compare_normalization = app.compare.normalization;
    s.compare_difference = app.compare.difference;
    s.compare_all_arguments = app.compare.all_arguments;
    s.steps_open = app.settings.show_steps;
    s.steps_position = app.steps.position;
    s.steps_position.filter = app.view.selected_channel;  // one channel (see load_session), whether or not the window drew
    s.steps_speed = app.steps.speed;
    s.quiz_open = app.settings.show_quiz;
    s.quiz_seed = app.quiz.seed;
    s.quiz_question = app.quiz.index;
    s.quiz_answered = app.quiz.answered;
    s.sees_open = app.settings.show_sees;
    s.sees_tab = app.sees.tab;
    s.cam_class = app.sees.cam_class;
    s.cam_opacity = app.sees.cam_opacity;
    return s;
}

static const char* to_string(NetworkSees::Tab t) {
    return t == NetworkSees::Tab::cam ? "cam" : t == NetworkSees::Tab::patches ? "patches" : "rpn";
}

static json pair_json(IntPair p) { return json::array({p.rows, p.cols}); }

static json conv_json(const Conv2DConfig& c) {
    return json{{"filters", c.filters},
                {"kernel_size", pair_json(c.kernel_size)},
                {"strides", pair_json(c.strides)},
                {"padding", to_string(c.padding)},
                {"dilation_rate", pair_json(c.dilation_rate)},
                {"use_bias", c.use_bias},
                {"activation", to_string(c.activation)},
                {"data_format", to_string(c.data_format)},
                {"kernel_initializer", to_string(c.kernel_initializer)},
                {"bias_initializer", to_string(c.bias_initializer)},
                {"kernel_regularizer", to_string(c.kernel_regularizer)},
                {"bias_regularizer", to_string(c.bias_regularizer)},
                {"activity_regularizer", to_string(c.activity_regularizer)},
                {"kernel_constraint", to_string(c.kernel_constraint)},
                {"bias_constraint", to_string(c.bias_constraint)}};
}

void save_session(const Session& s, const std::string& path) {
    json edits = json::object();
    for (const auto& [name, cfg] : s.network.edits) edits[name] = conv_json(cfg);
    auto playground_json = [](const PlaygroundParams& p) {
        json pg = conv_json(p.conv);
        pg["input_size"] = json::array({p.input_height, p.input_width});
        pg["kernel_source"] = to_string(p.kernel_source);
        pg["seed"] = p.seed;
        return pg;
    };
    const json pg = playground_json(s.playground);
    json j = {
        {"convscope_session", 1},
        {"panel", to_string(s.panel)},
        {"image", s.image},
        {"playground", pg},
        {"network",
         {{"input_size", json::array({s.network.options.height, s.network.options.width})},
          {"last_stage", s.network.options.last_stage},
          {"include_top", s.network.options.include_top},
          {"seed_identity_typo", s.network.options.seed_identity_typo},
          {"seed", s.network.seed},
          {"weights", s.network.weights_path},
          {"edits", edits}}},
        {"selected_node", s.selected_node},
        {"view",
         {{"normalization", to_string(s.view.normalization)},
          {"colormap", to_string(s.view.colormap)},
          {"page", s.view.page},
          {"channel", s.view.selected_channel}}},
        {"compare",
         {{"open", s.compare_open.value_or(false)},
          {"pinned", s.compare_pinned ? playground_json(*s.compare_pinned) : json(nullptr)},
          {"channel", s.compare_channel},
          {"normalization", to_string(s.compare_normalization)},
          {"difference", s.compare_difference},
          {"all_arguments", s.compare_all_arguments}}},
        {"steps",
         {{"open", s.steps_open.value_or(false)},
          {"row", s.steps_position.row},
          {"col", s.steps_position.col},
          {"filter", s.steps_position.filter},
          {"channel", s.steps_position.channel},
          {"speed", s.steps_speed}}},
        {"quiz", {{"open", s.quiz_open.value_or(false)}, {"seed", s.quiz_seed}, {"question", s.quiz_question}, {"answered", s.quiz_answered}}},
        {"sees",
         {{"open", s.sees_open.value_or(false)}, {"tab", to_string(s.sees_tab)}, {"cam_class", s.cam_class}, {"cam_opacity", s.cam_opacity}}},
    };
    const std::string text = j.dump(2) + "\n";
    write_file_atomic(path, text.data(), text.size());
}

namespace {

// Reads fields with messages that name the field and what it should be.
struct Reader {
    std::string file;
    [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
        throw InputError("session \"" + file + "\": field \"" + field + "\" must be " + expected);
    }
    int integer(const json& j, const char* key, const std::string& where, int fallback, int min, int max) const {
        if (!j.contains(key)) return fallback;
        const json& v = j[key];
        if (!v.is_number_integer()) fail(where + key, "an integer");
        const long long x = v.get<long long>();
        if (x < min || x > max) fail(where + key, "between " + std::to_string(min) + " and " + std::to_string(max));
        return int(x);
    }
    IntPair pair(const json& j, const char* key, const std::string& where, IntPair fallback, int min, int max) const {
        if (!j.contains(key)) return fallback;
        const json& v = j[key];
        if (v.is_number_integer()) {
            const int x = integer(j, key, where, 1, min, max);
            return IntPair(x);
        }
        if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
            fail(where + key, "an integer or a pair [rows, cols]");
        const long long r = v[0].get<long long>(), c = v[1].get<long long>();
        if (r < min || r > max || c < min || c > max)
            fail(where + key, "between " + std::to_string(min) + " and " + std::to_string(max));
        return IntPair(int(r), int(c));
    }
    std::string string(const json& j, const char* key, const std::string& where, const std::string& fallback) const {
        if (!j.contains(key)) return fallback;
        if (!j[key].is_string()) fail(where + key, "a string");
        return j[key].get<std::string>();
    }
    float number(const json& j, const char* key, const std::string& where, float fallback, float min, float max) const {
        if (!j.contains(key)) return fallback;
        const json& v = j[key];
        if (!v.is_number()) fail(where + key, "a number");
        const double x = v.get<double>();
        if (!(x >= min && x <= max)) fail(where + key, "between " + std::to_string(min) + " and " + std::to_string(max));
        return float(x);
    }
    const json& object(const json& j, const char* key, const std::string& where) const {
        if (!j[key].is_object()) fail(where + key, "an object");
        return j[key];
    }
    bool boolean(const json& j, const char* key, const std::string& where, bool fallback) const {
        if (!j.contains(key)) return fallback;
        if (!j[key].is_boolean()) fail(where + key, "true or false");
        return j[key].get<bool>();
    }
    template <class F>
    auto parsed(const std::string& field, F&& f) const -> decltype(f()) {
        try {
            return f();
        } catch (const ConfigError& e) {
            fail(field, std::string("valid: ") + e.what());
        }
    }
    Conv2DConfig conv(const json& j, const std::string& where, Conv2DConfig c) const {
        if (!j.is_object()) fail(where, "an object");
        c.filters = integer(j, "filters", where, c.filters, 1, 4096);
        c.kernel_size = pair(j, "kernel_size", where, c.kernel_size, 1, 64);
        c.strides = pair(j, "strides", where, c.strides, 1, 64);
        c.dilation_rate = pair(j, "dilation_rate", where, c.dilation_rate, 1, 64);
        const std::string pad = string(j, "padding", where, to_string(c.padding));
        c.padding = parsed(where + "padding", [&] { return parse_padding(pad); });
        c.use_bias = boolean(j, "use_bias", where, c.use_bias);
        const std::string act = string(j, "activation", where, to_string(c.activation));
        c.activation = parsed(where + "activation", [&] { return parse_activation(act); });
        // The arguments that do not change the shapes (older sessions have none of them: Keras' defaults).
        const std::string format = string(j, "data_format", where, to_string(c.data_format));
        c.data_format = parsed(where + "data_format", [&] { return parse_data_format(format); });
        // Each is written as Keras writes it ("he_normal", "l2(0.01)", "max_norm(2)", "None") and read by its parser.
        auto keras_text = [&](const char* key, auto& out, auto parse) {
            const std::string text = string(j, key, where, to_string(out));
            out = parsed(where + key, [&] { return parse(text); });
        };
        keras_text("kernel_initializer", c.kernel_initializer, parse_initializer);
        keras_text("bias_initializer", c.bias_initializer, parse_initializer);
        keras_text("kernel_regularizer", c.kernel_regularizer, parse_regularizer);
        keras_text("bias_regularizer", c.bias_regularizer, parse_regularizer);
        keras_text("activity_regularizer", c.activity_regularizer, parse_regularizer);
        keras_text("kernel_constraint", c.kernel_constraint, parse_constraint);
        keras_text("bias_constraint", c.bias_constraint, parse_constraint);
        return c;
    }
};

}  // namespace

// The JSON text of a session file; InputError for a missing file, a folder, a FIFO or device, or a file far
// larger than any session.
static std::string read_session_text(const std::string& path) {
    constexpr std::int64_t kMaxSessionBytes = std::int64_t(16) << 20;
    try {
        const std::vector<std::uint8_t> bytes = read_file_bytes(path, "the session file", "a convscope session (.json)",
                                                                kMaxSessionBytes);
        return std::string(bytes.begin(), bytes.end());
    } catch (const InputError& e) {
        throw InputError("cannot open session file " + std::string(e.what()));
    }
}

// Parses JSON, naming the field being read when the parser fails (a number out of range, bad syntax).
static json parse_session_json(const std::string& text, const std::string& path) {
    std::vector<std::string> keys;  // the path of object keys to the value being parsed
    std::string field;
    const json::parser_callback_t track = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start: keys.emplace_back(); break;
            case json::parse_event_t::object_end:
                if (!keys.empty()) keys.pop_back();
                break;
            case json::parse_event_t::key:
                if (!keys.empty()) keys.back() = parsed.get<std::string>();
                field.clear();
                for (const std::string& k : keys) field += (field.empty() ? "" : ".") + k;
                break;
            default: break;
        }
        return true;
    };
    try {
        return json::parse(text, track);
    } catch (const json::parse_error& e) {
        // Bad syntax is at a place in the text, not in a field (a missing closing brace is found after the
        // last one): the line and column, and the parser's reason without its "[json.exception...]" tag.
        const std::string what = e.what();
        const std::size_t tag_end = what.find("] ");
        const std::string reason = tag_end == std::string::npos ? what : what.substr(tag_end + 2);
        throw InputError("session \"" + path + "\" is not valid JSON: " + printable(reason, 160));
    } catch (const json::exception& e) {  // a value the parser cannot hold (a number out of range): its field
        throw InputError("session \"" + path + "\" is not valid JSON" +
                         (field.empty() ? std::string() : " (at field \"" + echo(field) + "\")") + ": " + echo(e.what()));
    }
}

// Builds the session's network aside, without weights, and refuses edits that would not fit in memory, so
// that applying the session cannot fail or allocate gigabytes half-way. Shape errors are not refused: the
// GUI shows those at their node, as when the user makes them.
static void check_network_fits(const NetworkParams& network, const std::string& path) {
    Graph g = build_resnet50(network.options, /*with_weights=*/false);
    for (const auto& [name, cfg] : network.edits) {
        const int i = g.find(name);
        if (auto* conv = i >= 0 ? dynamic_cast<Conv2D*>(g.node(i).layer.get()) : nullptr) conv->set_config(cfg);
    }
    const std::vector<NodeShape> shapes = g.infer_shapes();
    for (const auto& edit : network.edits) {
        const int i = g.find(edit.first);
        if (i < 0) continue;
        std::vector<Shape> in;
        for (int j : g.node(i).inputs)
            if (shapes[std::size_t(j)].ok()) in.push_back(*shapes[std::size_t(j)].shape);
        if (in.size() != g.node(i).inputs.size()) continue;
        try {
            g.node(i).layer->output_shape(in);
        } catch (const BudgetError& e) {
            throw InputError("session \"" + path + "\": field \"network.edits." + echo(edit.first) + "\": " + e.what() +
                             "; nothing was changed");
        } catch (const std::exception&) {
            // another shape error: shown at the node once applied
        }
    }
    try {
        g.check_memory_budget();
    } catch (const BudgetError& e) {
        throw InputError("session \"" + path + "\": field \"network\": " + e.what());
    }
}

static Session read_session(const json& j, const Reader& r, const std::string& path);

Session load_session(const std::string& path) {
    const json j = parse_session_json(read_session_text(path), path);
    Reader r{path};
    try {
        return read_session(j, r, path);
    } catch (const json::exception& e) {  // a type the readers did not expect: still the file's fault
        throw InputError("session \"" + path + "\": " + echo(e.what()));
    }
}

static Session read_session(const json& j, const Reader& r, const std::string& path) {
    if (!j.is_object() || !j.contains("convscope_session"))
        throw InputError("session \"" + path + "\" is not a convscope session (no \"convscope_session\" field)");
    Session s;
    s.panel = r.parsed("panel", [&] { return parse_panel(r.string(j, "panel", "", "playground")); });
    s.image = r.string(j, "image", "", s.image);
    // The playground's Conv2D, and the same fields for the Compare window's pinned setting.
    auto playground = [&](const json& p, const std::string& where) {
        PlaygroundParams out;
        out.conv = r.conv(p, where, out.conv);
        const IntPair size = r.pair(p, "input_size", where, IntPair(600, 600), 1, 4096);
        out.input_height = size.rows;
        out.input_width = size.cols;
        const std::string src = r.string(p, "kernel_source", where, to_string(out.kernel_source));
        out.kernel_source = r.parsed(where + "kernel_source", [&] { return parse_kernel_source(src); });
        out.seed = std::uint64_t(r.integer(p, "seed", where, 1, 0, 2147483647));
        return out;
    };
    if (j.contains("playground")) s.playground = playground(j["playground"], "playground.");
    if (j.contains("network")) {
        const json& n = j["network"];
        if (!n.is_object()) r.fail("network", "an object");
        const IntPair size = r.pair(n, "input_size", "network.", IntPair(600, 600), 32, 800);
        s.network.options.height = size.rows;
        s.network.options.width = size.cols;
        s.network.options.last_stage = r.integer(n, "last_stage", "network.", 4, 4, 5);
        s.network.options.include_top = r.boolean(n, "include_top", "network.", false);
        s.network.options.seed_identity_typo = r.boolean(n, "seed_identity_typo", "network.", false);
        if (s.network.options.include_top && s.network.options.last_stage != 5)
            r.fail("network.include_top", "false unless last_stage is 5 (the classifier top needs stage 5)");
        s.network.seed = std::uint64_t(r.integer(n, "seed", "network.", 1, 0, 2147483647));
        s.network.weights_path = r.string(n, "weights", "network.", "");
        if (n.contains("edits")) {
            if (!n["edits"].is_object()) r.fail("network.edits", "an object of node name -> Conv2D arguments");
            for (const auto& [name, cfg] : n["edits"].items())
                s.network.edits[name] = r.conv(cfg, "network.edits." + name + ".", Conv2DConfig{});
        }
    }
    s.selected_node = r.string(j, "selected_node", "", s.selected_node);
    if (j.contains("view")) {
        const json& v = j["view"];
        if (!v.is_object()) r.fail("view", "an object");
        const std::string norm = r.string(v, "normalization", "view.", to_string(s.view.normalization));
        s.view.normalization = r.parsed("view.normalization", [&] { return parse_normalization(norm); });
        const std::string cmap = r.string(v, "colormap", "view.", to_string(s.view.colormap));
        s.view.colormap = r.parsed("view.colormap", [&] { return parse_colormap(cmap); });
        s.view.page = r.integer(v, "page", "view.", 0, 0, 1 << 20);
        s.view.selected_channel = r.integer(v, "channel", "view.", 0, 0, 1 << 20);
    }
    if (j.contains("compare")) {
        const json& c = r.object(j, "compare", "");
        if (c.contains("open")) s.compare_open = r.boolean(c, "open", "compare.", false);
        if (c.contains("pinned") && !c["pinned"].is_null()) s.compare_pinned = playground(c["pinned"], "compare.pinned.");
        s.compare_channel = r.integer(c, "channel", "compare.", 0, 0, 1 << 20);
        const std::string norm = r.string(c, "normalization", "compare.", to_string(s.compare_normalization));
        s.compare_normalization = r.parsed("compare.normalization", [&] { return parse_normalization(norm); });
        s.compare_difference = r.boolean(c, "difference", "compare.", true);
        s.compare_all_arguments = r.boolean(c, "all_arguments", "compare.", false);
    }
    if (j.contains("steps")) {
        const json& st = r.object(j, "steps", "");
        if (st.contains("open")) s.steps_open = r.boolean(st, "open", "steps.", false);
        // Positions beyond the output are clamped when the view draws (the output may not be computed yet).
        s.steps_position.row = r.integer(st, "row", "steps.", 0, 0, 1 << 20);
        s.steps_position.col = r.integer(st, "col", "steps.", 0, 0, 1 << 20);
        s.steps_position.filter = r.integer(st, "filter", "steps.", 0, 0, 1 << 20);
        // The maps, the inspector and step by step show one channel: steps.filter and view.channel are two names
        // for it. Either may be given alone; both must then agree, rather than one being silently dropped.
        const bool view_channel = j.contains("view") && j["view"].contains("channel");
        if (st.contains("filter") && !view_channel) {
            s.view.selected_channel = s.steps_position.filter;
        } else if (st.contains("filter") && s.steps_position.filter != s.view.selected_channel) {
            r.fail("steps.filter", "the same as view.channel (" + std::to_string(s.view.selected_channel) +
                                       "): the maps, the inspector and step by step show one channel; give one of the two");
        }
        s.steps_position.channel = r.integer(st, "channel", "steps.", 0, 0, 1 << 20);
        s.steps_speed = r.number(st, "speed", "steps.", 4.0f, 0.25f, 200.0f);
    }
    if (j.contains("quiz")) {
        const json& q = r.object(j, "quiz", "");
        if (q.contains("open")) s.quiz_open = r.boolean(q, "open", "quiz.", false);
        s.quiz_seed = std::uint64_t(r.integer(q, "seed", "quiz.", 1, 0, 2147483647));
        s.quiz_question = r.integer(q, "question", "quiz.", 0, 0, 1000);
        if (q.contains("answered")) {
            const json& a = q["answered"];
            if (!a.is_array() || a.size() > 1000) r.fail("quiz.answered", "a list of -1 (not yet), 0 (wrong) or 1 (right)");
            for (const json& v : a) {
                if (!v.is_number_integer() || v.get<long long>() < -1 || v.get<long long>() > 1)
                    r.fail("quiz.answered", "a list of -1 (not yet), 0 (wrong) or 1 (right)");
                s.quiz_answered.push_back(int(v.get<long long>()));
            }
        }
    }
    if (j.contains("sees")) {
        const json& v = r.object(j, "sees", "");
        if (v.contains("open")) s.sees_open = r.boolean(v, "open", "sees.", false);
        const std::string tab = r.string(v, "tab", "sees.", "cam");
        if (tab != "cam" && tab != "patches" && tab != "rpn") r.fail("sees.tab", "\"cam\", \"patches\" or \"rpn\"");
        s.sees_tab = tab == "cam" ? NetworkSees::Tab::cam : tab == "patches" ? NetworkSees::Tab::patches : NetworkSees::Tab::rpn;
        s.cam_class = r.integer(v, "cam_class", "sees.", -1, -1, 1 << 20);
        s.cam_opacity = r.number(v, "cam_opacity", "sees.", 0.5f, 0.0f, 1.0f);
    }
    check_network_fits(s.network, path);
    return s;
}

void apply(AppState& app, const Session& s) {
    app.panel = s.panel;
    app.image_source = s.image;
    app.playground = s.playground;
    app.network = s.network;
    app.view = s.view;
    if (s.compare_open) app.settings.show_compare = *s.compare_open;
    if (s.compare_pinned != app.compare.pinned) {
        app.compare.pinned = s.compare_pinned;
        app.compare.pinned_output.reset();  // the worker computes A for this session's setting
        app.compare.pinned_error.clear();
    }
    app.compare.network_pin.reset();  // of the network before the session
    app.compare.channel = s.compare_channel;
    app.compare.normalization = s.compare_normalization;
    app.compare.difference = s.compare_difference;
    app.compare.all_arguments = s.compare_all_arguments;
    if (s.steps_open) app.settings.show_steps = *s.steps_open;
    app.steps.position = s.steps_position;
    app.steps.speed = s.steps_speed;
    app.steps.playing = false;
    if (s.quiz_open) app.settings.show_quiz = *s.quiz_open;
    app.quiz = QuizState{};
    app.quiz.seed = s.quiz_seed;
    app.quiz.questions = make_quiz(s.quiz_seed);
    app.quiz.answered = s.quiz_answered;
    app.quiz.answered.resize(app.quiz.questions.size(), -1);
    app.quiz.index = std::clamp(s.quiz_question, 0, int(app.quiz.questions.size()) - 1);
    if (s.sees_open) app.settings.show_sees = *s.sees_open;
    app.sees.tab = s.sees_tab;
    app.sees.cam_class = s.cam_class;
    app.sees.cam_opacity = s.cam_opacity;
    refresh_network_structure(app);
    refresh_playground_geometry(app);
    const int node = app.ui_graph.find(s.selected_node);
    if (node >= 0) app.selected_node = node;
    else show_error(app, "The session selects node \"" + s.selected_node + "\", which this network does not have; showing conv1.");
    app.request_dirty = true;
}

}  // namespace convscope::gui
