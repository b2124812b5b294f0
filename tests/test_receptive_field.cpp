// Receptive fields: hand-derived values for the seed backbone, a separately written backward enumeration of
// the window taps (sets of positions, not the affine formulas) over every node, and an impulse pushed through
// real layers with the reference kernels.

#include <set>

#include <catch2/catch.hpp>

#include "core/layers/activation.hpp"
#include "core/layers/add.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/input_layer.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"
#include "core/model/receptive_field.hpp"
#include "core/model/resnet50.hpp"

using namespace convscope;

namespace {

// Padding before the first window on one axis, from TensorFlow's rule written out here on its own.
int pad_before(int in, int out, int kernel, int stride, int dilation, Padding padding) {
    if (padding == Padding::valid) return 0;
    const int total = (out - 1) * stride + (kernel - 1) * dilation + 1 - in;
    return total > 0 ? total / 2 : 0;
}

// Every input position (rows if `rows`, else cols) that output `pos` of `target` reads, found by walking the
// graph backwards with explicit sets and enumerating each window's taps. Positions outside a tensor (its
// padding) are followed back as if the tensor went on, which is what "receptive field" means.
std::set<int> traced_positions(const Graph& g, int target, int pos, bool rows) {
    const std::vector<NodeShape> shapes = g.infer_shapes();
    std::vector<std::set<int>> need(std::size_t(g.size()));
    need[std::size_t(target)].insert(pos);
    for (int i = target; i > 0; --i) {
        const Node& n = g.node(i);
        const std::set<int>& mine = need[std::size_t(i)];
        if (mine.empty()) continue;
        for (int j : n.inputs) {
            const Shape in = *shapes[std::size_t(j)].shape, out = *shapes[std::size_t(i)].shape;
            const int in_len = rows ? in.h : in.w, out_len = rows ? out.h : out.w;
            std::set<int>& theirs = need[std::size_t(j)];
            int kernel = 1, stride = 1, dilation = 1, shift = 0;
            Padding padding = Padding::valid;
            if (const auto* c = dynamic_cast<const Conv2D*>(n.layer.get())) {
                kernel = rows ? c->config().kernel_size.rows : c->config().kernel_size.cols;
                stride = rows ? c->config().strides.rows : c->config().strides.cols;
                dilation = rows ? c->config().dilation_rate.rows : c->config().dilation_rate.cols;
                padding = c->config().padding;
            } else if (const auto* p = dynamic_cast<const MaxPooling2D*>(n.layer.get())) {
                kernel = rows ? p->config().pool_size.rows : p->config().pool_size.cols;
                const IntPair s = p->config().strides ? *p->config().strides : p->config().pool_size;
                stride = rows ? s.rows : s.cols;
                padding = p->config().padding;
            } else if (const auto* z = dynamic_cast<const ZeroPadding2D*>(n.layer.get())) {
                shift = rows ? z->config().top : z->config().left;
            }
            const int before = pad_before(in_len, out_len, kernel, stride, dilation, padding) + shift;
            for (int o : mine)
                for (int t = 0; t < kernel; ++t) theirs.insert(o * stride - before + t * dilation);
        }
    }
    return need[0];
}

void check_against_trace(const Graph& g, int node, int row, int col) {
    const NodeField f = receptive_fields(g)[std::size_t(node)];
    REQUIRE(f.ok);
    const FieldRegion r = f.region(row, col);
    const std::set<int> rs = traced_positions(g, node, row, true), cs = traced_positions(g, node, col, false);
    INFO("node " << g.node(node).name << " at (" << row << ", " << col << ")");
    CHECK(r.row0 == *rs.begin());
    CHECK(r.row1 == *rs.rbegin());
    CHECK(r.col0 == *cs.begin());
    CHECK(r.col1 == *cs.rbegin());
}

}  // namespace

TEST_CASE("receptive field of the seed backbone's 38x38x1024 output at 600x600, derived by hand", "[receptive_field]") {
    const Graph g = build_resnet50({});
    const std::vector<NodeField> f = receptive_fields(g);
    auto field = [&](const char* name) { return f[std::size_t(g.find(name))]; };
    // conv1: 7x7 stride 2 on the input padded by 3: output 0 reads pixels -3..3.
    CHECK(field("conv1").rows.first == -3);
    CHECK(field("conv1").rows.size() == 7);
    CHECK(field("conv1").rows.jump == 2);
    // pool1: 3x3 stride 2 'same' on 300 rows pads (0, 1): output 0 reads conv1 rows 0..2 = pixels -3..7.
    CHECK(field("pool1").rows.first == -3);
    CHECK(field("pool1").rows.last == 7);
    CHECK(field("pool1").rows.jump == 4);
    // Stage 2 adds one 3x3 per block at jump 4 (+8 each): 11 + 24 = 35.
    CHECK(field("res2c_relu").rows.size() == 35);
    CHECK(field("res2c_relu").rows.first == -15);  // still centred on pixel 2: 2 - 17
    // Stage 3: jump 8, four 3x3s (+16 each): 35 + 64 = 99. Stage 4: jump 16, six 3x3s (+32 each): 291.
    CHECK(field("res3d_relu").rows.size() == 99);
    CHECK(field("res3d_relu").rows.jump == 8);
    CHECK(field("res3d_relu").rows.first == -47);
    const NodeField out = field("res4f_relu");
    CHECK(out.rows.size() == 291);
    CHECK(out.cols.size() == 291);
    CHECK(out.rows.jump == 16);
    CHECK(out.cols.jump == 16);
    // Centred on pixel 2 (pool1's output 0 is centred on conv1's output 1, pixel 2): -143..147.
    CHECK(out.rows.first == -143);
    CHECK(out.rows.last == 147);
    // Cell (37, 37): rows 16 * 37 - 143 = 449 .. 739, far past the 600 pixels: the field is mostly padding.
    const FieldRegion last = out.region(37, 37);
    CHECK(last.row0 == 449);
    CHECK(last.col1 == 739);
}

TEST_CASE("receptive field at an odd input size moves with pool1's padding", "[receptive_field]") {
    ResNet50Options o;
    o.height = 601;  // pool1 then pads (1, 1) rows: the field is centred on pixel 0
    o.width = 600;
    const Graph g = build_resnet50(o);
    const NodeField out = receptive_fields(g)[std::size_t(g.find("res4f_relu"))];
    CHECK(out.rows.first == -145);
    CHECK(out.rows.last == 145);
    CHECK(out.cols.first == -143);
    CHECK(out.cols.last == 147);
}

TEST_CASE("receptive fields agree with an enumeration of window taps at every node", "[receptive_field]") {
    for (const IntPair size : {IntPair{600, 600}, IntPair{67, 93}, IntPair{101, 37}}) {
        ResNet50Options o;
        o.height = size.rows;
        o.width = size.cols;
        o.last_stage = 5;
        const Graph g = build_resnet50(o);
        const std::vector<NodeShape> shapes = g.infer_shapes();
        for (int i = 1; i < g.size(); i += 3) {  // every third node keeps the test quick; all kinds occur
            const Shape s = *shapes[std::size_t(i)].shape;
            check_against_trace(g, i, 0, 0);
            check_against_trace(g, i, s.h - 1, s.w / 2);
        }
    }
}

TEST_CASE("a graph's receptive field is exactly the pixels an impulse reaches", "[receptive_field]") {
    // ZeroPadding2D, Conv2D 'same' with an odd padding total and strides 2, MaxPooling2D 'same', a dilated
    // Conv2D and an Add of two branches, run with the reference kernels. With positive kernels and a
    // non-negative input, an output is non-zero exactly when an input pixel inside its field is.
    Graph g;
    g.add("input", std::make_unique<InputLayer>(Shape::image(41, 37, 2)), {});
    g.add("pad", std::make_unique<ZeroPadding2D>(ZeroPadding2DConfig{2, 1, 0, 3}), {"input"});
    Conv2DConfig a;
    a.filters = 3;
    a.kernel_size = {4, 3};
    a.strides = 2;
    a.padding = Padding::same;
    g.add("conv_a", std::make_unique<Conv2D>(a), {"pad"});
    MaxPooling2DConfig p;
    p.pool_size = 3;
    p.strides = IntPair{1, 2};
    p.padding = Padding::same;
    g.add("pool", std::make_unique<MaxPooling2D>(p), {"conv_a"});
    Conv2DConfig b;
    b.filters = 3;
    b.kernel_size = {3, 2};
    b.dilation_rate = IntPair{2, 1};  // along rows only: a dilated window along both axes would leave holes
    b.padding = Padding::same;
    g.add("conv_b", std::make_unique<Conv2D>(b), {"pool"});
    g.add("join", std::make_unique<Add>(), {"conv_b", "pool"});
    g.build_weights();
    for (int i = 0; i < g.size(); ++i)
        for (Weight& w : g.node(i).layer->mutable_weights()) w.values.fill(w.name == "kernel" ? 0.5f : 0.0f);

    const std::vector<Shape> shapes = g.shapes_or_throw();
    const int out_node = g.size() - 1;
    const Shape os = shapes.back();
    const FieldRegion predicted = receptive_fields(g)[std::size_t(out_node)].region(os.h / 2, os.w / 2);
    REQUIRE(predicted.row0 >= 0);  // an inner output, so that its field lies inside the image
    REQUIRE(predicted.row1 < 41);
    REQUIRE(predicted.col0 >= 0);
    REQUIRE(predicted.col1 < 37);

    const Context ctx{nullptr, nullptr, Kernels::reference};
    auto output_at_centre = [&](int y, int x) {
        std::vector<Tensor3> values(std::size_t(g.size()));
        values[0] = make_tensor(shapes[0]);
        values[0].fill(0.0f);
        values[0](std::size_t(y), std::size_t(x), 1) = 1.0f;
        for (int i = 1; i < g.size(); ++i) {
            std::vector<const Tensor3*> in;
            for (int j : g.node(i).inputs) in.push_back(&values[std::size_t(j)]);
            values[std::size_t(i)] = make_tensor(shapes[std::size_t(i)]);
            g.node(i).layer->forward(in, values[std::size_t(i)], ctx);
        }
        return values.back()(std::size_t(os.h / 2), std::size_t(os.w / 2), 0);
    };
    int reached = 0;
    for (int y = 0; y < 41; ++y)
        for (int x = 0; x < 37; ++x) {
            const bool inside = y >= predicted.row0 && y <= predicted.row1 && x >= predicted.col0 && x <= predicted.col1;
            INFO("impulse at (" << y << ", " << x << ")");
            CHECK((output_at_centre(y, x) > 0.0f) == inside);
            reached += inside;
        }
    CHECK(reached == (predicted.row1 - predicted.row0 + 1) * (predicted.col1 - predicted.col0 + 1));
}
