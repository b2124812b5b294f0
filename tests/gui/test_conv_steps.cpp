// The step-by-step view's numbers: for the playground's own result (the worker's input, layer and output), the
// value the view computes at a position equals the engine's output there and a sum written out here, for
// padding 'same' with an odd total, strides 2, dilation 2 and non-square kernels; the window and output
// regions drawn always hold the kernel window and the current position; stepping walks rows first.

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "app/gui/conv_steps.hpp"
#include "app/gui/worker.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

// The playground's result for these parameters, as the UI receives it.
ConvStepSource playground_result(const PlaygroundParams& params) {
    JobRequest request;
    request.image_source = sample_source("coffee");
    request.playground = params;
    request.priority = Job::playground;
    request.want_network = false;
    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, [] {}, 2);
    const std::uint64_t id = worker.post(request);
    ConvStepSource s;
    std::string failure;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!s.complete() && std::chrono::steady_clock::now() < deadline) {
        for (WorkerEvent& e : worker.drain()) {
            if (auto* d = std::get_if<event::PlaygroundDone>(&e.data); d && e.request == id)
                s = ConvStepSource{d->input, d->layer, d->output, "playground Conv2D"};
            if (auto* f = std::get_if<event::PlaygroundFailed>(&e.data)) failure = f->message;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    worker.stop();
    INFO(failure);
    REQUIRE(s.complete());
    return s;
}

// output[row, col, f] written out with Keras' formula, independently of conv_explain.
double by_hand(const ConvStepSource& s, int row, int col, int f) {
    const Conv2D& conv = s.conv();
    const ConvGeometry g = s.geometry();
    const WeightArray& k = conv.weights()[0].values;  // (kh, kw, in, out)
    const Tensor3& x = *s.input;
    double sum = conv.config().use_bias ? double(conv.weights()[1].values(std::size_t(f))) : 0.0;
    for (int ky = 0; ky < g.rows.kernel; ++ky)
        for (int kx = 0; kx < g.cols.kernel; ++kx) {
            const int iy = row * g.rows.stride - g.rows.pad_before + ky * g.rows.dilation;
            const int ix = col * g.cols.stride - g.cols.pad_before + kx * g.cols.dilation;
            if (iy < 0 || ix < 0 || iy >= g.rows.in || ix >= g.cols.in) continue;
            for (std::size_t c = 0; c < x.shape()[2]; ++c)
                sum += double(x(std::size_t(iy), std::size_t(ix), c)) *
                       double(k(std::size_t(ky), std::size_t(kx), c, std::size_t(f)));
        }
    return conv.config().activation == ActivationKind::relu ? std::max(0.0, sum) : sum;
}

}  // namespace

TEST_CASE("step by step: the value shown equals the engine's output and Keras' formula", "[gui][steps]") {
    struct Case {
        int h, w, kh, kw, sh, sw, dh, dw;
        Padding padding;
        ActivationKind activation;
    };
    const Case cases[] = {
        {31, 24, 4, 3, 1, 1, 1, 1, Padding::same, ActivationKind::linear},  // 'same', odd total (3) on the rows
        {33, 29, 3, 3, 2, 2, 1, 1, Padding::same, ActivationKind::relu},    // strides 2, odd input
        {30, 27, 3, 2, 1, 1, 2, 1, Padding::same, ActivationKind::linear},  // dilation 2 (rows)
        {25, 26, 3, 3, 1, 1, 2, 2, Padding::valid, ActivationKind::relu},   // 'valid', dilation 2
        {26, 25, 5, 4, 2, 3, 1, 1, Padding::valid, ActivationKind::linear}, // 'valid', strides 2 and 3
    };
    for (const Case& c : cases) {
        PlaygroundParams p;
        p.input_height = c.h;
        p.input_width = c.w;
        p.conv.filters = 5;
        p.conv.kernel_size = {c.kh, c.kw};
        p.conv.strides = {c.sh, c.sw};
        p.conv.dilation_rate = {c.dh, c.dw};
        p.conv.padding = c.padding;
        p.conv.activation = c.activation;
        p.seed = 11;
        const ConvStepSource s = playground_result(p);
        const ConvGeometry g = s.geometry();
        INFO("input " << c.h << "x" << c.w << " kernel " << c.kh << "x" << c.kw << " strides " << c.sh << "," << c.sw
                      << " dilation " << c.dh << "," << c.dw);
        // The corners (padding on every side), the middle, and a few filters.
        const int rows[] = {0, g.rows.out / 2, g.rows.out - 1}, cols[] = {0, g.cols.out / 2, g.cols.out - 1};
        for (int r : rows)
            for (int col : cols)
                for (int f : {0, 4}) {
                    const StepExplanation x = explain(s, StepPosition{r, col, f, 0});
                    CHECK(x.agrees);
                    CHECK(x.e.output == Approx(double(x.engine_value)).epsilon(1e-5).margin(1e-6));
                    CHECK(x.e.output == Approx(by_hand(s, r, col, f)).epsilon(1e-6).margin(1e-7));
                }
    }
}

TEST_CASE("step by step: the drawn regions hold the window and the position, stepping walks rows first",
          "[gui][steps]") {
    PlaygroundParams p;
    p.input_height = 600;
    p.input_width = 600;
    p.conv.filters = 4;
    p.conv.kernel_size = {3, 3};
    p.conv.dilation_rate = {2, 2};
    p.conv.padding = Padding::same;
    const ConvStepSource s = playground_result(p);
    const ConvGeometry g = s.geometry();
    REQUIRE(g.rows.out == 600);
    // A layer too large to draw whole: a zoomed region that follows the window anywhere.
    for (const StepPosition pos : {StepPosition{0, 0, 0, 0}, StepPosition{299, 451, 1, 2}, StepPosition{599, 599, 3, 1}}) {
        const CellRect in = padded_view(g, pos, 13);
        CHECK(in.rows == 13);
        CHECK(in.cols == 13);
        for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx)
                CHECK(in.contains(pos.row + ky * 2, pos.col + kx * 2));  // stride 1: taps at row + ky * dilation
        const CellRect out = output_view(g, pos, 7);
        CHECK(out.contains(pos.row, pos.col));
        CHECK(out.rows == 7);
        CHECK(explain(s, pos).agrees);
    }
    CHECK(in_padding(g, 0, 0));      // 'same' with a 5-wide window pads 2 on every side
    CHECK(in_padding(g, 601, 603));
    CHECK_FALSE(in_padding(g, 2, 2));
    CHECK(padded_value(*s.input, g, 2, 2, 1) == (*s.input)(0, 0, 1));

    StepPosition pos{0, 598, 0, 0};
    pos = next_position(s, pos);
    CHECK((pos.row == 0 && pos.col == 599));
    pos = next_position(s, pos);
    CHECK((pos.row == 1 && pos.col == 0));
    pos = previous_position(s, pos);
    CHECK((pos.row == 0 && pos.col == 599));
    pos = next_position(s, StepPosition{599, 599, 0, 0});
    CHECK((pos.row == 0 && pos.col == 0));  // the end wraps to the start
    CHECK(clamp_position(s, StepPosition{900, -3, 9, 7}).row == 599);
    CHECK(clamp_position(s, StepPosition{900, -3, 9, 7}).filter == 3);
    CHECK(clamp_position(s, StepPosition{900, -3, 9, 7}).channel == 2);
}

TEST_CASE("step by step on a network Conv2D: the layer the worker hands over explains the engine's outputs",
          "[gui][steps]") {
    JobRequest request;
    request.image_source = sample_source("chelsea");
    request.priority = Job::network;
    request.network.options.height = request.network.options.width = 64;
    request.network.seed = 4;
    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, [] {}, 2);
    const std::uint64_t id = worker.post(request);
    const Graph g = build_resnet50(request.network.options);
    // A strided 1x1 (the conv block's branch1), a 'same' 3x3, and the stem's 7x7 stride 2 on its padded input.
    for (const char* name : {"res3a_branch1", "res2b_branch2b", "conv1"}) {
        const int node = g.find(name);
        const int input = g.node(node).inputs.at(0);
        worker.request_node(node);
        worker.request_node(input);
        worker.request_layer(node);
        ConvStepSource s;
        s.name = name;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (!s.complete() && std::chrono::steady_clock::now() < deadline) {
            for (WorkerEvent& e : worker.drain()) {
                if (e.request != id) continue;
                if (auto* n = std::get_if<event::NetworkNode>(&e.data); n && n->output) {
                    if (n->node == node) s.output = n->output;
                    if (n->node == input) s.input = n->output;
                }
                if (auto* l = std::get_if<event::NetworkLayer>(&e.data); l && l->node == node) s.layer = l->layer;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        INFO(name);
        REQUIRE(s.complete());
        const ConvGeometry geo = s.geometry();
        for (int r : {0, geo.rows.out - 1})
            for (int c : {0, geo.cols.out / 2})
                for (int f : {0, int(s.output->shape()[2]) - 1}) {
                    const StepExplanation x = explain(s, StepPosition{r, c, f, 0});
                    CHECK(x.agrees);
                    CHECK(x.e.output == Approx(by_hand(s, r, c, f)).epsilon(1e-6).margin(1e-7));
                }
    }
    worker.stop();
}
