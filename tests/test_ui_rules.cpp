// The GUI's decisions that need no window: hints, navigation, what an export takes, stale messages, the
// scale list and the Keras code the playground offers to copy.

#include <catch2/catch.hpp>

#include "app/gui/ui_rules.hpp"
#include "core/model/resnet50.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

std::vector<std::string> names(const Graph& g, const std::vector<int>& nodes) {
    std::vector<std::string> out;
    for (int i : nodes) out.push_back(g.node(i).name);
    return out;
}

const Block& block_named(const Graph& g, const std::string& name) {
    for (const Block& b : g.blocks)
        if (b.name == name) return b;
    FAIL("no block " << name);
    return g.blocks.front();
}

}  // namespace

TEST_CASE("Down from inside a block stops at that block's own output first", "[ui_rules]") {
    const Graph g = build_resnet50({64, 64, 5, true});
    auto down = [&](const std::string& from) { return g.node(block_stop(g, g.find(from), +1)).name; };
    auto up = [&](const std::string& from) { return g.node(block_stop(g, g.find(from), -1)).name; };
    CHECK(down("res3b_branch2a") == "res3b_relu");
    CHECK(down("res3b_add") == "res3b_relu");
    CHECK(down("res3b_relu") == "res3c_relu");
    CHECK(down("conv1") == "pool1");
    CHECK(down("pool1") == "res2a_relu");
    CHECK(down("res5c_relu") == "fc1000");
    CHECK(down("fc1000") == "fc1000");
    CHECK(up("res3b_branch2a") == "res3a_relu");
    CHECK(up("res3b_relu") == "res3a_relu");
    CHECK(up("res2a_branch1") == "pool1");
    CHECK(up("conv1") == "input");
    CHECK(up("input") == "input");
}

TEST_CASE("Every node of the stem, of the top or of a block is exported together", "[ui_rules]") {
    const Graph g = build_resnet50({64, 64, 5, true});
    const ExportGroup stem = export_group(g, g.find("bn_conv1"));
    CHECK(stem.folder == "stem");
    CHECK(names(g, stem.nodes) == std::vector<std::string>{"input", "conv1_pad", "conv1", "bn_conv1", "conv1_relu", "pool1"});
    const ExportGroup top = export_group(g, g.find("fc1000"));
    CHECK(top.folder == "top");
    CHECK(names(g, top.nodes) == std::vector<std::string>{"avg_pool", "fc1000"});
    const ExportGroup block = export_group(g, g.find("res2a_branch1"));
    CHECK(block.folder == "res2a");
    CHECK(block.nodes.size() == 12);  // 8 on the main path, 2 on the shortcut, the Add and its ReLU
}

TEST_CASE("The Add hint fits the block kind", "[ui_rules]") {
    Graph g = build_resnet50({64, 64, 4, false});
    std::map<std::string, Conv2DConfig> edits;
    auto edit = [&](const std::string& name, auto change) {
        auto& conv = dynamic_cast<Conv2D&>(*g.node(g.find(name)).layer);
        Conv2DConfig c = conv.config();
        change(c);
        conv.set_config(c);
        edits[name] = c;
    };
    SECTION("strides 2 inside an identity block: the shortcut cannot shrink") {
        edit("res3b_branch2b", [](Conv2DConfig& c) { c.strides = {2, 2}; });
        const std::string hint = add_fix_hint(g, g.infer_shapes(), edits, block_named(g, "res3b"));
        CHECK(hint.find("identity shortcut (res3a_relu itself)") != std::string::npos);
        CHECK(hint.find("cannot shrink") != std::string::npos);
        CHECK(hint.find("res3b_branch2b") != std::string::npos);
        CHECK(hint.find("other path") == std::string::npos);
        CHECK(hint.find("branch1") == std::string::npos);
    }
    SECTION("strides 2 inside a conv block: branch1 can shrink the same way") {
        edit("res3a_branch2b", [](Conv2DConfig& c) { c.strides = {2, 2}; });
        const std::string hint = add_fix_hint(g, g.infer_shapes(), edits, block_named(g, "res3a"));
        CHECK(hint.find("res3a_branch1 shrink the same way") != std::string::npos);
    }
    SECTION("filters of an identity block's last conv: only the main path can change") {
        edit("res2b_branch2c", [](Conv2DConfig& c) { c.filters = 128; });
        const std::string hint = add_fix_hint(g, g.infer_shapes(), edits, block_named(g, "res2b"));
        CHECK(hint.find("Set filters of res2b_branch2c to 256") != std::string::npos);
        CHECK(hint.find("branch1") == std::string::npos);
    }
}

TEST_CASE("One list of UI scales from 100 % to 300 %, stepped by the shortcuts", "[ui_rules]") {
    CHECK(ui_scales().front() == 1.0f);
    CHECK(ui_scales().back() == 3.0f);
    CHECK(step_ui_scale(2.5f, +1) == 3.0f);
    CHECK(step_ui_scale(3.0f, +1) == 3.0f);  // the View menu's largest is Ctrl+='s largest
    CHECK(step_ui_scale(1.0f, -1) == 1.0f);
    CHECK(step_ui_scale(1.1f, +1) == 1.25f);  // a --ui-scale between two snaps onto the list
    CHECK(step_ui_scale(1.1f, -1) == 1.0f);
}

TEST_CASE("Controls and maps side by side while both have room, one column at a time on a projector at 250 and 300 %",
          "[ui_rules]") {
    // The body's height is the window's less the menu bar and the status bar, about 3.5 lines; the font is
    // 16 px at 100 % (main.cpp).
    auto one_column = [](float width, float height, float scale) {
        const float font = 16.0f * scale;
        return one_column_layout(width, height - 3.5f * font, font);
    };
    for (float scale : {1.0f, 1.5f, 2.0f}) CHECK_FALSE(one_column(1280, 720, scale));
    CHECK(one_column(1280, 720, 2.5f));
    CHECK(one_column(1280, 720, 3.0f));
    CHECK_FALSE(one_column(1600, 1000, 2.5f));
    CHECK(one_column(1600, 1000, 3.0f));
    CHECK_FALSE(one_column(3840, 2160, 3.0f));
    CHECK(one_column(800, 600, 2.0f));   // a small laptop window at 200 %
    CHECK(one_column(1920, 400, 2.0f));  // wide but too short for the maps under the inspector
}

TEST_CASE("Random weights' top-5 says it means nothing", "[ui_rules]") {
    CHECK(predictions_caveat(false, 0).find("mean nothing") != std::string::npos);
    CHECK(predictions_caveat(true, 2).find("2 layers hold random weights") != std::string::npos);
    CHECK(predictions_caveat(true, 0).empty());
}

TEST_CASE("The playground's Keras code carries the classic kernel's values", "[ui_rules]") {
    Conv2DConfig c;
    c.filters = 16;
    c.padding = Padding::same;
    const std::string sobel = playground_keras_code(c, KernelSource::sobel_x, 600, 600);
    CHECK(sobel.find("[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]") != std::string::npos);  // the textbook Sobel x
    CHECK(sobel.find("Conv2D(16, (3, 3), padding=\"same\")") != std::string::npos);
    CHECK(sobel.find("layer.set_weights([kernel, np.zeros(16, \"float32\")])") != std::string::npos);
    const std::string gauss = playground_keras_code(c, KernelSource::gaussian, 600, 600);
    CHECK(gauss.find("[[0.0113437") != std::string::npos);  // sigma 0.5: exp(-4) / sum over the 3x3 window
    c.use_bias = false;
    CHECK(playground_keras_code(c, KernelSource::laplacian, 8, 8).find("set_weights([kernel])") != std::string::npos);
    CHECK(playground_keras_code(c, KernelSource::glorot_uniform, 8, 8).find("set_weights") == std::string::npos);
}

// The code is meant to be pasted: with data_format="channels_first" the input's colours come before its rows.
TEST_CASE("The playground's Keras code shapes its input as the data_format reads it", "[ui_rules]") {
    Conv2DConfig c;
    c.filters = 5;
    c.padding = Padding::same;
    CHECK(playground_keras_code(c, KernelSource::glorot_uniform, 13, 15).find("shape (1, 13, 15, 3)") != std::string::npos);
    c.data_format = DataFormat::channels_first;
    const std::string random = playground_keras_code(c, KernelSource::glorot_uniform, 13, 15);
    CHECK(random.find("data_format=\"channels_first\"") != std::string::npos);
    CHECK(random.find("shape (1, 3, 13, 15)") != std::string::npos);
    CHECK(random.find("(1, 13, 15, 3)") == std::string::npos);
    const std::string sobel = playground_keras_code(c, KernelSource::sobel_x, 13, 15);
    CHECK(sobel.find("layer.build((None, 3, 13, 15))") != std::string::npos);
    CHECK(sobel.find("shape (1, 3, 13, 15)") != std::string::npos);
    CHECK(sobel.find("zero bias") != std::string::npos);
}

TEST_CASE("While the engine works, results wait for the progress frame unless the user acts", "[ui_rules]") {
    const double never = -1e9, frame = 100.0;
    // Idle engine: a result is drawn at once.
    CHECK(result_frame_due(false, never, frame, frame + 0.01));
    // A run in progress, nobody at the mouse: the result waits for the next progress frame.
    CHECK_FALSE(result_frame_due(true, never, frame, frame + 0.01));
    CHECK_FALSE(result_frame_due(true, never, frame, frame + kProgressFrameSeconds - 0.01));
    CHECK(result_frame_due(true, never, frame, frame + kProgressFrameSeconds + 0.01));
    // The user clicked or pressed a key a moment ago (stepping through nodes): at once, even during the run.
    CHECK(result_frame_due(true, frame - 0.2, frame, frame + 0.01));
    CHECK(user_acting(frame - kActingSeconds + 0.1, frame));
    CHECK_FALSE(user_acting(frame - kActingSeconds - 0.1, frame));
    CHECK_FALSE(result_frame_due(true, frame - kActingSeconds - 0.1, frame, frame + 0.01));
}

TEST_CASE("Stale messages give way", "[ui_rules]") {
    CHECK_FALSE(error_outlived(7, 7));  // a success of the same request as the error (e.g. the old weights ran)
    CHECK(error_outlived(7, 8));
    CHECK_FALSE(notice_expired(100.0, 100.0 + kNoticeSeconds - 0.1));
    CHECK(notice_expired(100.0, 100.0 + kNoticeSeconds + 0.1));
    ExportNotice n{false, "Nothing was written: ...", "res3a_relu", "exports"};
    CHECK(n.applies_to("res3a_relu", "exports"));
    CHECK_FALSE(n.applies_to("res3b_relu", "exports"));
    CHECK_FALSE(n.applies_to("res3a_relu", "/tmp/x"));
}
