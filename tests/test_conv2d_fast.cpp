// The fast Conv2D against the reference oracle: a randomised sweep over Keras' configuration space on
// every instruction set this CPU has, the fused BatchNormalization/ReLU outputs, bitwise thread-count
// invariance and cancellation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/reference/conv2d_reference.hpp"
#include "core/kernels/fast/conv2d_winograd.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"
#include "core/layers/conv_geometry.hpp"
#include "core/thread_pool.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::bitwise_equal;  // the same floats, bit for bit (NaN payloads and -0 included)

namespace {

struct ConvCase {
    Conv2DParams p;
    Padding padding = Padding::valid;
    std::vector<float> input;   // (in_h, in_w, in_c)
    std::vector<float> kernel;  // (kernel_h, kernel_w, in_c, filters)
    std::vector<float> bias;    // (filters)
    std::vector<float> scale;   // (filters) folded BN scale
    std::vector<float> shift;   // (filters) folded BN shift

    std::size_t out_size() const { return std::size_t(p.out_h) * p.out_w * p.filters; }
    std::string describe() const {
        std::ostringstream s;
        s << "input " << p.in_h << "x" << p.in_w << "x" << p.in_c << ", kernel " << p.kernel_h << "x" << p.kernel_w
          << ", filters " << p.filters << ", strides (" << p.stride_h << ", " << p.stride_w << "), dilation ("
          << p.dilation_h << ", " << p.dilation_w << "), padding " << to_string(padding) << " (top " << p.pad_top
          << ", left " << p.pad_left << "), output " << p.out_h << "x" << p.out_w;
        return s.str();
    }
};

// Returns false when Keras would reject the shape (an output side < 1 with 'valid').
bool make_case(ConvCase& c, int in_h, int in_w, int in_c, int kh, int kw, int filters, int sh, int sw, int dh, int dw,
               Padding padding, std::uint32_t seed) {
    const AxisGeometry rows = axis_geometry(in_h, kh, sh, dh, padding);
    const AxisGeometry cols = axis_geometry(in_w, kw, sw, dw, padding);
    if (rows.out < 1 || cols.out < 1) return false;
    Conv2DParams& p = c.p;
    p.in_h = in_h, p.in_w = in_w, p.in_c = in_c;
    p.kernel_h = kh, p.kernel_w = kw, p.filters = filters;
    p.stride_h = sh, p.stride_w = sw, p.dilation_h = dh, p.dilation_w = dw;
    p.pad_top = rows.pad_before, p.pad_left = cols.pad_before;
    p.out_h = rows.out, p.out_w = cols.out;
    c.padding = padding;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    auto fill = [&](std::vector<float>& v, std::size_t n) {
        v.resize(n);
        for (float& x : v) x = uniform(rng);
    };
    fill(c.input, std::size_t(in_h) * in_w * in_c);
    fill(c.kernel, std::size_t(kh) * kw * in_c * filters);
    fill(c.bias, std::size_t(filters));
    fill(c.scale, std::size_t(filters));
    fill(c.shift, std::size_t(filters));
    return true;
}

struct Outputs {
    std::vector<float> conv, bn, relu;  // each (out_h, out_w, filters)
};

Outputs run_fast(const ConvCase& c, Isa isa, const Context& ctx, bool fused) {
    Outputs o;
    o.conv.assign(c.out_size(), -7.0f);  // poison: an element the kernel forgets to write shows up
    if (fused) {
        o.bn.assign(c.out_size(), -7.0f);
        o.relu.assign(c.out_size(), -7.0f);
    }
    conv2d_fast_fused_isa(c.p, c.input.data(), c.kernel.data(), c.bias.data(), o.conv.data(),
                          fused ? c.scale.data() : nullptr, fused ? c.shift.data() : nullptr,
                          fused ? o.bn.data() : nullptr, fused ? o.relu.data() : nullptr, isa, ctx);
    return o;
}

struct OutputsByThreads {
    Outputs one, two, three;  // run_fast(fused) on 1, 2 and 3 threads
};

OutputsByThreads run_fast_on_1_2_3_threads(const ConvCase& c, Isa isa) {
    ThreadPool one(1), two(2), three(3);
    return {run_fast(c, isa, Context{&one}, true), run_fast(c, isa, Context{&two}, true),
            run_fast(c, isa, Context{&three}, true)};
}

// The conv, BN and ReLU outputs are the same on 1, 2 and 3 threads, bit for bit.
void check_thread_invariant(const OutputsByThreads& o) {
    CHECK(o.one.conv == o.two.conv);
    CHECK(o.three.conv == o.two.conv);
    CHECK(o.one.bn == o.two.bn);
    CHECK(o.three.bn == o.two.bn);
    CHECK(o.one.relu == o.two.relu);
    CHECK(o.three.relu == o.two.relu);
}

// The reference conv, and the BatchNormalization (conv * scale + shift, per filter) and ReLU computed from it.
Outputs reference_outputs(const ConvCase& c) {
    Outputs o;
    o.conv.resize(c.out_size());  // (out_h, out_w, filters)
    o.bn.resize(c.out_size());
    o.relu.resize(c.out_size());
    conv2d_reference(c.p, c.input.data(), c.kernel.data(), c.bias.data(), o.conv.data());
    for (std::size_t i = 0; i < o.conv.size(); ++i) {
        const std::size_t f = i % std::size_t(c.p.filters);
        o.bn[i] = o.conv[i] * c.scale[f] + c.shift[f];
        o.relu[i] = std::max(o.bn[i], 0.0f);
    }
    return o;
}

// conv2d_fast_packed() with `packed` gives, bitwise, the one-shot path's conv, BN and ReLU outputs.
void check_packed_equals_one_shot(const ConvCase& c, const Conv2DPackedKernel& packed, Isa isa, const Context& ctx) {
    const Outputs want = run_fast(c, isa, ctx, true);
    std::vector<float> conv(c.out_size()), bn(c.out_size()), relu(c.out_size());  // (out_h, out_w, filters)
    conv2d_fast_packed(c.p, c.input.data(), packed, c.bias.data(), conv.data(), c.scale.data(), c.shift.data(),
                       bn.data(), relu.data(), ctx);
    CHECK(conv == want.conv);
    CHECK(bn == want.bn);
    CHECK(relu == want.relu);
}

// The case for one row of a table of shapes with fields h, w, c, kh, kw, filters, stride, dilation, padding.
template <typename Row>
ConvCase case_for(const Row& s, std::uint32_t seed) {
    ConvCase c;
    REQUIRE(make_case(c, s.h, s.w, s.c, s.kh, s.kw, s.filters, s.stride, s.stride, s.dilation, s.dilation, s.padding,
                      seed));
    return c;
}

// The same for rows with one square kernel size k and no dilation.
template <typename Row>
ConvCase square_case_for(const Row& s, std::uint32_t seed) {
    ConvCase c;
    REQUIRE(make_case(c, s.h, s.w, s.c, s.k, s.k, s.filters, s.stride, s.stride, 1, 1, s.padding, seed));
    return c;
}

// max |got - want| / max |want|, the measure the issue asks for.
double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    double diff = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        diff = std::max(diff, double(std::fabs(got[i] - want[i])));
        scale = std::max(scale, double(std::fabs(want[i])));
    }
    return scale > 0.0 ? diff / scale : diff;
}

std::vector<Isa> available_isas() {
    std::vector<Isa> out;
    for (Isa isa : all_isas())
        if (isa_supported(isa)) out.push_back(isa);
    return out;
}

// The sweep: fixed seed, Keras' rules (strides > 1 only without dilation > 1), odd sizes, awkward channel counts.
std::vector<ConvCase> sweep_cases() {
    std::mt19937 rng(20240611);
    auto pick = [&](std::initializer_list<int> values) {
        return *(values.begin() + std::uniform_int_distribution<int>(0, int(values.size()) - 1)(rng));
    };
    std::vector<ConvCase> cases;
    std::uint32_t seed = 1;
    while (cases.size() < 200) {
        const int kh = pick({1, 2, 3, 4, 5, 6, 7}), kw = pick({1, 2, 3, 4, 5, 6, 7});
        int sh = 1, sw = 1, dh = 1, dw = 1;
        switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
            case 0: break;
            case 1: sh = pick({1, 2, 3}), sw = pick({1, 2, 3}); break;
            default: dh = pick({1, 2, 3}), dw = pick({1, 2, 3}); break;
        }
        const int in_h = pick({13, 15, 17, 31}), in_w = pick({13, 15, 17, 31});
        const int in_c = pick({1, 3, 5, 17, 64}), filters = pick({1, 3, 5, 17, 64});
        const Padding padding = pick({0, 1}) ? Padding::same : Padding::valid;
        ConvCase c;
        if (make_case(c, in_h, in_w, in_c, kh, kw, filters, sh, sw, dh, dw, padding, seed++)) cases.push_back(std::move(c));
    }
    // Shapes that exercise the blocking: channels split across K blocks (in_c >= 256), several taps per K block,
    // more filters than one task holds, many pixel tiles, a ResNet-like strided 1x1 and the conv1 stem.
    const struct {
        int h, w, c, kh, kw, f, s;
        Padding pad;
    } fixed[] = {
        {9, 7, 300, 1, 1, 37, 1, Padding::valid},   {11, 13, 100, 3, 3, 20, 1, Padding::same},
        {7, 9, 19, 2, 3, 300, 1, Padding::same},    {41, 37, 5, 3, 3, 33, 1, Padding::same},
        {15, 17, 64, 1, 1, 256, 2, Padding::valid}, {38, 38, 3, 7, 7, 64, 2, Padding::valid},
        {5, 5, 520, 3, 3, 17, 1, Padding::same},    {13, 13, 3, 11, 11, 8, 1, Padding::same},
        // 3x3 stride 1 with enough channels and pixels takes the Winograd path: odd sizes (a half-empty last tile),
        // both paddings, channels split across K blocks, a filter tail, more than one filter task.
        {31, 29, 17, 3, 3, 64, 1, Padding::same},   {17, 19, 64, 3, 3, 17, 1, Padding::valid},
        {23, 21, 300, 3, 3, 40, 1, Padding::same},  {19, 17, 20, 3, 3, 300, 1, Padding::same},
        {31, 31, 64, 3, 3, 64, 1, Padding::valid},
        {7, 7, 24, 3, 3, 300, 1, Padding::same},    // 16 tiles, many filters: one run of tiles, filters split
        {15, 13, 600, 3, 3, 20, 1, Padding::same},  // Winograd with its channels in two K blocks
        // F(6x6, 3x3) (36 and more 6x6 tiles, on a microkernel whose tile's scratch fits): a last row and column of
        // tiles with one valid pixel and a filter tail; exactly 36 tiles with 300 channels (F(4x4) on AVX-512).
        {37, 41, 20, 3, 3, 40, 1, Padding::same},   {36, 36, 300, 3, 3, 20, 1, Padding::valid},
    };
    for (const auto& f : fixed) {
        ConvCase c;
        REQUIRE(make_case(c, f.h, f.w, f.c, f.kh, f.kw, f.f, f.s, f.s, 1, 1, f.pad, seed++));
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace

TEST_CASE("conv2d_fast matches the reference on a randomised sweep, on every ISA of this CPU", "[conv2d_fast]") {
    const std::vector<ConvCase> cases = sweep_cases();
    ThreadPool pool(2);
    const Context ctx{&pool};
    for (Isa isa : all_isas())
        if (!isa_supported(isa)) WARN("this CPU has no " << to_string(isa) << ": that path is not tested here");
    auto count_tile = [&](int m, Isa isa) {
        return std::count_if(cases.begin(), cases.end(),
                             [&](const ConvCase& c) { return detail::winograd_tile(c.p, isa) == m; });
    };

    for (Isa isa : available_isas()) {
        INFO("isa " << to_string(isa));
        CHECK(count_tile(2, isa) >= 2);  // every algorithm runs: F(2x2, 3x3), F(4x4, 3x3), F(6x6, 3x3), direct
        CHECK(count_tile(4, isa) >= 3);
        CHECK(count_tile(6, isa) >= 1);
        CHECK(count_tile(0, isa) >= 20);
        double worst = 0.0;
        std::string worst_case = "none";
        for (const ConvCase& c : cases) {
            std::vector<float> want(c.out_size());  // (out_h, out_w, filters)
            conv2d_reference(c.p, c.input.data(), c.kernel.data(), c.bias.data(), want.data());
            const Outputs got = run_fast(c, isa, ctx, false);
            const double err = relative_error(got.conv, want);
            if (!(err <= worst)) {  // also catches NaN
                worst = err;
                worst_case = c.describe();
            }
        }
        INFO("isa " << to_string(isa) << ": worst relative error " << worst << " at " << worst_case);
        CHECK(worst <= 1e-4);
    }
}

TEST_CASE("conv2d_fast_fused writes conv, BatchNormalization and ReLU in one pass", "[conv2d_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    std::vector<ConvCase> cases(2);
    // 300 input channels: several K blocks, so the epilogue must run only after the last one (direct path).
    REQUIRE(make_case(cases[0], 7, 5, 300, 3, 3, 37, 1, 1, 1, 1, Padding::same, 99));  // 12 tiles: too few for Winograd
    // The Winograd path has its own epilogue, after its output transform.
    REQUIRE(make_case(cases[1], 33, 31, 40, 3, 3, 37, 1, 1, 1, 1, Padding::same, 98));
    REQUIRE(!detail::winograd_applies(cases[0].p));
    REQUIRE(detail::winograd_applies(cases[1].p));
    for (const ConvCase& c : cases) {
        INFO(c.describe());
        const Outputs ref = reference_outputs(c);
        for (Isa isa : available_isas()) {
            INFO("isa " << to_string(isa));
            const Outputs got = run_fast(c, isa, ctx, true);
            CHECK(relative_error(got.conv, ref.conv) <= 1e-4);
            CHECK(relative_error(got.bn, ref.bn) <= 1e-4);
            CHECK(relative_error(got.relu, ref.relu) <= 1e-4);
            CHECK(std::all_of(got.relu.begin(), got.relu.end(), [](float x) { return x >= 0.0f; }));

            // ReLU alone applies to the conv output when no BN is given.
            std::vector<float> relu_only(c.out_size(), -7.0f), conv_only(c.out_size());
            conv2d_fast_fused_isa(c.p, c.input.data(), c.kernel.data(), c.bias.data(), conv_only.data(), nullptr,
                                  nullptr, nullptr, relu_only.data(), isa, ctx);
            std::vector<float> want(ref.conv.size());
            for (std::size_t i = 0; i < ref.conv.size(); ++i) want[i] = std::max(ref.conv[i], 0.0f);
            CHECK(relative_error(relu_only, want) <= 1e-4);

            // Without a conv output (a memory-saving engine): the BN and ReLU outputs are unchanged, bit for bit,
            // although the partial sums of the K blocks now pass through them.
            std::vector<float> bn_no_conv(c.out_size(), -7.0f), relu_no_conv(c.out_size(), -7.0f);
            conv2d_fast_fused_isa(c.p, c.input.data(), c.kernel.data(), c.bias.data(), nullptr, c.scale.data(),
                                  c.shift.data(), bn_no_conv.data(), relu_no_conv.data(), isa, ctx);
            CHECK(bn_no_conv == got.bn);
            CHECK(relu_no_conv == got.relu);
            std::vector<float> relu_alone(c.out_size(), -7.0f);
            conv2d_fast_fused_isa(c.p, c.input.data(), c.kernel.data(), c.bias.data(), nullptr, c.scale.data(),
                                  c.shift.data(), nullptr, relu_alone.data(), isa, ctx);
            CHECK(relu_alone == got.relu);
        }
    }
}

TEST_CASE("conv2d_fast results are bitwise identical for 1, 2 and 3 threads", "[conv2d_fast]") {
    std::vector<ConvCase> cases(4);
    REQUIRE(make_case(cases[0], 31, 29, 17, 3, 3, 64, 1, 1, 1, 1, Padding::same, 5));
    REQUIRE(make_case(cases[1], 19, 17, 300, 1, 1, 300, 2, 2, 1, 1, Padding::valid, 6));  // K blocks, 2 filter tasks
    REQUIRE(make_case(cases[2], 61, 45, 3, 7, 7, 17, 2, 2, 1, 1, Padding::same, 7));
    REQUIRE(make_case(cases[3], 37, 41, 20, 3, 3, 40, 1, 1, 1, 1, Padding::same, 8));  // F(6x6, 3x3) Winograd
    for (Isa isa : available_isas())
        for (const ConvCase& c : cases) {
            INFO("isa " << to_string(isa) << ", " << c.describe());
            const OutputsByThreads o = run_fast_on_1_2_3_threads(c, isa);
            check_thread_invariant(o);
        }
}

TEST_CASE("conv2d_fast throws Cancelled when the cancel flag is already set", "[conv2d_fast]") {
    ConvCase c;
    REQUIRE(make_case(c, 31, 31, 17, 3, 3, 33, 1, 1, 1, 1, Padding::same, 11));
    std::atomic<bool> cancel{true};
    ThreadPool pool(2);
    for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
        const Context ctx{p, &cancel};
        std::vector<float> out(c.out_size());  // (out_h, out_w, filters)
        CHECK_THROWS_AS(conv2d_fast(c.p, c.input.data(), c.kernel.data(), c.bias.data(), out.data(), ctx), Cancelled);
    }
}

TEST_CASE("conv2d_fast runs without a pool and picks a supported ISA", "[conv2d_fast]") {
    CHECK(isa_supported(best_isa()));
    CHECK(isa_supported(Isa::scalar));
    ConvCase c;
    REQUIRE(make_case(c, 17, 15, 5, 2, 4, 3, 1, 1, 2, 3, Padding::same, 13));
    std::vector<float> want(c.out_size()), got(c.out_size());  // (out_h, out_w, filters)
    conv2d_reference(c.p, c.input.data(), c.kernel.data(), c.bias.data(), want.data());
    conv2d_fast(c.p, c.input.data(), c.kernel.data(), nullptr, got.data(), Context{});
    // Without a bias the result is the reference minus the bias.
    for (std::size_t i = 0; i < want.size(); ++i) want[i] -= c.bias[i % std::size_t(c.p.filters)];
    CHECK(relative_error(got, want) <= 1e-4);
}

TEST_CASE("conv2d_fast_packed reuses a packed kernel and equals the one-shot path bitwise", "[conv2d_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    ConvCase c;
    REQUIRE(make_case(c, 7, 7, 300, 3, 3, 40, 1, 1, 1, 1, Padding::same, 21));  // ResNet stage-5-like: few pixels
    for (Isa isa : available_isas()) {
        INFO("isa " << to_string(isa));
        const Conv2DPackedKernel packed = conv2d_pack_kernel(c.p, c.kernel.data(), isa, ctx);
        CHECK(packed.winograd);  // 3x3 stride 1 on 7x7: 16 Winograd tiles
        for (int call = 0; call < 2; ++call) check_packed_equals_one_shot(c, packed, isa, ctx);  // not consumed
        // The same kernel on another input size and stride is fine; another kernel shape is refused.
        ConvCase strided;
        REQUIRE(make_case(strided, 13, 11, 300, 3, 3, 40, 2, 2, 1, 1, Padding::valid, 22));
        strided.kernel = c.kernel;
        std::vector<float> want2(strided.out_size()), got2(strided.out_size());  // (out_h, out_w, filters)
        conv2d_reference(strided.p, strided.input.data(), strided.kernel.data(), nullptr, want2.data());
        conv2d_fast_packed(strided.p, strided.input.data(), packed, nullptr, got2.data(), nullptr, nullptr, nullptr,
                           nullptr, ctx);
        CHECK(relative_error(got2, want2) <= 1e-4);
        Conv2DParams other = c.p;
        other.filters = 41;
        std::vector<float> out(std::size_t(other.out_h) * other.out_w * other.filters);
        CHECK_THROWS_AS(conv2d_fast_packed(other, c.input.data(), packed, nullptr, out.data(), nullptr, nullptr, nullptr,
                                           nullptr, ctx),
                        std::invalid_argument);
    }
}

TEST_CASE("a kernel packed as GEMM panels equals the one-shot path bitwise", "[conv2d_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    struct Shape { int h, w, c, kh, kw, filters, stride, dilation; Padding padding; };
    const Shape shapes[] = {
        {7, 7, 300, 1, 1, 40, 1, 1, Padding::valid},   // few pixels, K in two channel slices, 40 filters = 1.25 panels
        {9, 11, 5, 2, 5, 17, 2, 1, Padding::same},     // few channels: kernel rows merged
        {13, 10, 33, 3, 3, 70, 1, 2, Padding::same},   // dilated 3x3: not Winograd
        {8, 9, 512, 1, 3, 35, 1, 1, Padding::valid},   // 2 KB-aliased rows, copied per tile
    };
    std::uint32_t seed = 40;
    for (Isa isa : available_isas())
        for (const Shape& s : shapes) {
            const ConvCase c = case_for(s, seed++);
            INFO("isa " << to_string(isa) << ", " << c.describe());
            const Conv2DPackedKernel packed = conv2d_pack_kernel(c.p, c.kernel.data(), isa, ctx);
            CHECK(packed.gemm);
            check_packed_equals_one_shot(c, packed, isa, ctx);
        }
}

TEST_CASE("a kernel packed for Winograd also serves geometries Winograd does not apply to", "[conv2d_fast]") {
    ThreadPool pool(2);
    const Context ctx{&pool};
    ConvCase wino, strided;
    REQUIRE(make_case(wino, 17, 19, 20, 3, 3, 37, 1, 1, 1, 1, Padding::same, 31));  // 9x10 = 90 Winograd tiles
    REQUIRE(make_case(strided, 17, 19, 20, 3, 3, 37, 2, 2, 1, 1, Padding::same, 32));
    strided.kernel = wino.kernel;
    for (Isa isa : available_isas()) {
        INFO("isa " << to_string(isa));
        const Conv2DPackedKernel packed = conv2d_pack_kernel(wino.p, wino.kernel.data(), isa, ctx);
        CHECK(packed.winograd);
        CHECK_FALSE(packed.gemm);  // the direct path then packs its panels for the call
        for (const ConvCase* c : {&wino, &strided}) {
            INFO(c->describe());
            check_packed_equals_one_shot(*c, packed, isa, ctx);
        }
    }
}

// The task shapes and copies that depend on the conv's size: few output pixels with long K (each task takes all
// rows and a few filters), K split into blocks of channels (more than 1024 per tap), and input pixels a multiple of
// 2, 4 or 8 KB apart (512, 1024 or 2048 channels, or 256 or 512 with stride 2; from 4 KB on each tile's rows are
// copied first). Fused outputs and thread-count invariance too, as the engine uses them.
TEST_CASE("conv2d_fast on few pixels, long K and 2 KB-aliased input rows matches the reference", "[conv2d_fast]") {
    struct Shape { int h, w, c, k, filters, stride; Padding padding; };
    const Shape shapes[] = {
        {7, 7, 512, 3, 70, 1, Padding::same},    // stage-5-like: 4 row tiles, K = 4608, filters not a multiple of 32
        {9, 11, 512, 1, 45, 1, Padding::valid},  // 2 KB pixel stride, 1x1
        {13, 9, 256, 1, 33, 2, Padding::valid},  // 256 channels, stride 2: 2 KB between neighbouring reads
        {5, 3, 1024, 3, 17, 1, Padding::same},   // 4 KB stride: rows copied; one 1024-channel K block per tap
        {6, 5, 2048, 1, 40, 1, Padding::valid},  // 8 KB stride: copied; two K blocks of 1024 channels
        {7, 5, 1300, 1, 33, 1, Padding::valid},  // two balanced K blocks of 650 channels, no aliasing
        {9, 7, 512, 1, 64, 2, Padding::valid},   // 512 channels x stride 2 is 4 KB: copied
        {15, 13, 128, 3, 40, 2, Padding::same},  // 128 channels x stride 2 is 1 KB: no copy, strided taps
    };
    std::uint32_t seed = 900;
    for (Isa isa : available_isas())
        for (const Shape& s : shapes) {
            const ConvCase c = square_case_for(s, seed++);
            INFO("isa " << to_string(isa) << ", " << c.describe());
            std::vector<float> want(c.out_size());  // (out_h, out_w, filters)
            conv2d_reference(c.p, c.input.data(), c.kernel.data(), c.bias.data(), want.data());
            const OutputsByThreads o = run_fast_on_1_2_3_threads(c, isa);
            const double err = relative_error(o.two.conv, want);
            INFO("relative error " << err);
            CHECK(err <= 1e-4);
            check_thread_invariant(o);
        }
}

// A task whose slice of the kernel outgrows L2 takes its filter panels outermost (run_conv's panels_outer): 480
// pixels x 1024 channels -> 250 filters makes tasks of 60 rows x 16 panels of 16 (AVX2; 64 x 32 of 8 portable),
// a 1 MB slice against 240 KB of input rows. The values must be those of panels innermost, bit for bit: each half
// of the filters convolved alone has 512 KB slices, which stay innermost, and every output element gets the same
// operations whatever its panel. Also against the reference, and on 1, 2 and 3 threads.
TEST_CASE("conv2d_fast with a kernel slice larger than L2 (panels outermost) equals panels innermost bitwise",
          "[conv2d_fast]") {
    ConvCase c;
    REQUIRE(make_case(c, 16, 30, 1024, 1, 1, 250, 1, 1, 1, 1, Padding::valid, 950));
    const int half = 125;
    const std::size_t pixels = std::size_t(c.p.out_h) * c.p.out_w;
    // The same conv for filters [f0, f0 + half): its kernel columns (in_c, half), its bias, BN and outputs.
    auto half_case = [&](int f0) {
        ConvCase h = c;
        h.p.filters = half;
        h.kernel.resize(std::size_t(c.p.in_c) * half);
        for (int k = 0; k < c.p.in_c; ++k)
            std::copy_n(c.kernel.begin() + std::ptrdiff_t(k) * c.p.filters + f0, half,
                        h.kernel.begin() + std::ptrdiff_t(k) * half);
        h.bias.assign(c.bias.begin() + f0, c.bias.begin() + f0 + half);
        h.scale.assign(c.scale.begin() + f0, c.scale.begin() + f0 + half);
        h.shift.assign(c.shift.begin() + f0, c.shift.begin() + f0 + half);
        return h;
    };
    // Filters [f0, f0 + half) of a (pixels, filters) output, as a (pixels, half) one.
    auto columns = [&](const std::vector<float>& all, int f0) {
        std::vector<float> part(pixels * half);
        for (std::size_t i = 0; i < pixels; ++i)
            std::copy_n(all.begin() + std::ptrdiff_t(i * c.p.filters + f0), half,
                        part.begin() + std::ptrdiff_t(i * half));
        return part;
    };
    const Outputs want = reference_outputs(c);
    ThreadPool two(2);
    for (Isa isa : available_isas()) {
        INFO("isa " << to_string(isa) << ", " << c.describe());
        const OutputsByThreads o = run_fast_on_1_2_3_threads(c, isa);
        check_thread_invariant(o);
        CHECK(relative_error(o.two.conv, want.conv) <= 1e-4);
        for (int f0 : {0, half}) {
            const Outputs part = run_fast(half_case(f0), isa, Context{&two}, true);
            INFO("filters from " << f0);
            CHECK((bitwise_equal(columns(o.two.conv, f0), part.conv) &&
                   bitwise_equal(columns(o.two.bn, f0), part.bn) && bitwise_equal(columns(o.two.relu, f0), part.relu)));
        }
    }
}

// Outputs above the streaming threshold (4 MB in all) are written with non-temporal stores where a tile's columns are full and the
// buffers 64-byte aligned (as the engine's tensors are). The values must not change: compared with the reference,
// bitwise with the same conv into unaligned buffers (which take the ordinary stores), and across thread counts.
// Odd pixel counts (a part-filled last row tile) and filters that end in a part-filled panel.
TEST_CASE("conv2d_fast with outputs larger than the streaming threshold matches the ordinary stores bitwise",
          "[conv2d_fast]") {
    struct Shape { int h, w, c, k, filters, stride; Padding padding; };
    const Shape shapes[] = {
        {101, 97, 70, 1, 80, 1, Padding::valid},   // 1x1: 9797 pixels x 80 filters x 3 outputs = 9.4 MB
        {201, 199, 5, 3, 96, 2, Padding::same},    // the merged-row path (5 channels), 101 x 100 x 96 x 3 = 11.6 MB
    };
    ThreadPool one(1), two(2), three(3);
    std::uint32_t seed = 1200;
    for (Isa isa : available_isas())
        for (const Shape& s : shapes) {
            const ConvCase c = square_case_for(s, seed++);
            INFO("isa " << to_string(isa) << ", " << c.describe());
            const std::size_t n = c.out_size();
            REQUIRE(n * sizeof(float) * 3 > (std::size_t(8) << 20));
            const Outputs ref = reference_outputs(c);
            // (3, n) aligned outputs, and (3, n + 1) ones each starting one float past a 64-byte boundary.
            AlignedFloats aligned = AlignedFloats::allocate(3 * n), shifted = AlignedFloats::allocate(3 * (n + 1));
            auto run = [&](float* conv, float* bn, float* relu, ThreadPool& pool) {
                std::fill(conv, conv + n, -7.0f), std::fill(bn, bn + n, -7.0f), std::fill(relu, relu + n, -7.0f);
                const Context ctx{&pool};
                conv2d_fast_fused_isa(c.p, c.input.data(), c.kernel.data(), c.bias.data(), conv, c.scale.data(),
                                      c.shift.data(), bn, relu, isa, ctx);
                return std::vector<float>(conv, conv + n);
            };
            float* a = aligned.get();
            float* u = shifted.get() + 1;
            const std::vector<float> conv2 = run(a, a + n, a + 2 * n, two);
            const std::vector<float> bn2(a + n, a + 2 * n), relu2(a + 2 * n, a + 3 * n);
            const double err = relative_error(conv2, ref.conv);
            INFO("relative error " << err);
            CHECK(err <= 1e-4);
            CHECK(relative_error(bn2, ref.bn) <= 1e-4);
            CHECK(relative_error(relu2, ref.relu) <= 1e-4);
            CHECK(run(u, u + (n + 1), u + 2 * (n + 1), two) == conv2);
            CHECK(std::equal(bn2.begin(), bn2.end(), u + (n + 1)));
            CHECK(std::equal(relu2.begin(), relu2.end(), u + 2 * (n + 1)));
            CHECK(run(a, a + n, a + 2 * n, one) == conv2);
            CHECK(std::equal(relu2.begin(), relu2.end(), a + 2 * n));
            CHECK(run(a, a + n, a + 2 * n, three) == conv2);
            CHECK(std::equal(bn2.begin(), bn2.end(), a + n));
        }
}

// GEMMs with few rows (ResNet50 stage 5 at 224: 49 pixels for the 1x1s, 16 Winograd tiles for the 3x3s) run on
// narrower row tiles (AVX-512: 7 or 8 rows instead of 14; AVX2: 5 or 4 instead of 6). Every output element must
// still get the same FMA sequence: a 7x7 output equals bitwise the top half of the same conv on a 14x7 input whose
// bottom half is zeros (98 pixels, 28 Winograd tiles: the full-width tiles), for any thread count, and matches the
// reference.
TEST_CASE("conv2d_fast on few output rows (narrow row tiles) equals the full-width tiles bitwise", "[conv2d_fast]") {
    struct Shape { int c, k, filters; };
    const Shape shapes[] = {
        {600, 1, 70},  // 1x1, 49 pixels: channel-sliced K blocks, a part-filled last filter panel
        {40, 3, 70},   // 3x3 'same', 16 Winograd tiles
        {17, 1, 33},   // short K, odd channels
    };
    if (isa_supported(Isa::avx2)) {  // the narrow tiles are the ones meant (a 14x7 output keeps the 6-row tile)
        CHECK(detail::fit_rows(detail::microkernel_avx2(), 49).mr == 5);
        CHECK(detail::fit_rows(detail::microkernel_avx2(), 16).mr == 4);
        CHECK(detail::fit_rows(detail::microkernel_avx2(), 98).mr == 6);
    }
    ThreadPool two(2);
    std::uint32_t seed = 1500;
    for (Isa isa : available_isas())
        for (const Shape& s : shapes) {
            ConvCase small, tall;
            REQUIRE(make_case(small, 7, 7, s.c, s.k, s.k, s.filters, 1, 1, 1, 1, Padding::same, seed));
            REQUIRE(make_case(tall, 14, 7, s.c, s.k, s.k, s.filters, 1, 1, 1, 1, Padding::same, seed++));
            tall.kernel = small.kernel, tall.bias = small.bias, tall.scale = small.scale, tall.shift = small.shift;
            std::fill(tall.input.begin(), tall.input.end(), 0.0f);
            std::copy(small.input.begin(), small.input.end(), tall.input.begin());  // (7, 7, c) on top of zeros
            INFO("isa " << to_string(isa) << ", " << small.describe());
            std::vector<float> want(small.out_size());  // (7, 7, filters)
            conv2d_reference(small.p, small.input.data(), small.kernel.data(), small.bias.data(), want.data());
            const OutputsByThreads o = run_fast_on_1_2_3_threads(small, isa);
            const Outputs full = run_fast(tall, isa, Context{&two}, true);
            INFO("relative error " << relative_error(o.two.conv, want));
            CHECK(relative_error(o.two.conv, want) <= 1e-4);
            const std::size_t n = small.out_size();
            CHECK(std::vector<float>(full.conv.begin(), full.conv.begin() + n) == o.two.conv);
            CHECK(std::vector<float>(full.bn.begin(), full.bn.begin() + n) == o.two.bn);
            CHECK(std::vector<float>(full.relu.begin(), full.relu.begin() + n) == o.two.relu);
            check_thread_invariant(o);
        }
}

// Some 1x1 convs from 100 output pixels on run on AVX-512's wide tile (6 pixels x 64 filters): input rows a multiple
// of 4 KB apart, or 2048 filters and more. The same FMA sequence per element as the 14-row tiles: a 7 x 7 output
// (49 pixels, the main kernel's narrow rows) equals bitwise the top of the same conv on a 15 x 7 output (105
// pixels, the wide tile) whose extra input rows are zeros, on any thread count, and matches the reference. A kernel
// packed for one geometry serves the other (its panels have the other width: packed for the call).
TEST_CASE("1x1 convs on the wide AVX-512 tile equal the 14-row tiles bitwise", "[conv2d_fast]") {
    struct Shape { int c, filters, stride; };
    const Shape shapes[] = {
        {1024, 70, 1},  // 4 KB rows (the 14-row tiles copy them); filters end in a part-filled 64-wide panel
        {2048, 33, 1},  // 8 KB rows, two K blocks of 1024 channels
        {512, 45, 2},   // 512 channels x stride 2: 4 KB between the pixels read
        {24, 2050, 1},  // 2048 filters and more, short K; 2 columns in the last panel
    };
    ThreadPool two(2);
    const Context ctx{&two};
    std::uint32_t seed = 1800;
    for (Isa isa : available_isas())
        for (const Shape& s : shapes) {
            const int span = 1 + 6 * s.stride;  // input rows and columns that make 7 output ones
            ConvCase small, tall;
            REQUIRE(make_case(small, span, span, s.c, 1, 1, s.filters, s.stride, s.stride, 1, 1, Padding::valid, seed));
            REQUIRE(make_case(tall, span + 8 * s.stride, span, s.c, 1, 1, s.filters, s.stride, s.stride, 1, 1,
                              Padding::valid, seed++));
            REQUIRE(small.p.out_h * small.p.out_w == 49);
            REQUIRE(tall.p.out_h * tall.p.out_w == 105);
            tall.kernel = small.kernel, tall.bias = small.bias, tall.scale = small.scale, tall.shift = small.shift;
            std::fill(tall.input.begin(), tall.input.end(), 0.0f);
            std::copy(small.input.begin(), small.input.end(), tall.input.begin());  // small's rows on top of zeros
            INFO("isa " << to_string(isa) << ", " << tall.describe());
            if (isa == Isa::avx512) {  // the cases are the ones meant
                CHECK(detail::direct_microkernel(tall.p, isa).mr == 6);
                CHECK(detail::direct_microkernel(small.p, isa).mr == 14);
            }
            const Outputs want = reference_outputs(tall);
            const OutputsByThreads o = run_fast_on_1_2_3_threads(tall, isa);
            INFO("relative error " << relative_error(o.two.conv, want.conv));
            CHECK(relative_error(o.two.conv, want.conv) <= 1e-4);
            check_thread_invariant(o);
            const Outputs top = run_fast(small, isa, ctx, true);
            const std::size_t n = small.out_size();
            CHECK(std::vector<float>(o.two.conv.begin(), o.two.conv.begin() + n) == top.conv);
            CHECK(std::vector<float>(o.two.bn.begin(), o.two.bn.begin() + n) == top.bn);
            CHECK(std::vector<float>(o.two.relu.begin(), o.two.relu.begin() + n) == top.relu);

            const Conv2DPackedKernel packed = conv2d_pack_kernel(tall.p, tall.kernel.data(), isa, ctx);
            CHECK(conv2d_packed_kernel_fits(packed, tall.p));
            CHECK(conv2d_packed_kernel_fits(packed, small.p) == (isa != Isa::avx512));
            check_packed_equals_one_shot(tall, packed, isa, ctx);
            check_packed_equals_one_shot(small, packed, isa, ctx);
        }
}

// Every conv epilogue's ReLU (direct and Winograd, every ISA) is the reference's std::max(x, 0): a NaN stays NaN
// and -0 stays -0. Filter 3's bias is NaN (its whole map turns NaN); filter 5's BN is x * 0 + -0, a zero whose
// sign is the conv's. The fused conv, BN and ReLU outputs equal the reference's bit for bit.
TEST_CASE("conv2d_fast's fused ReLU keeps NaN and -0 as the reference does", "[conv2d_fast]") {
    ThreadPool two(2);
    std::uint32_t seed = 1900;
    for (Isa isa : available_isas())
        for (int k : {1, 3}) {  // 1x1: the direct path; 3x3 on 12x10 (3x3 tiles of F(4x4)): Winograd
            ConvCase c;
            REQUIRE(make_case(c, 12, 10, 20, k, k, 37, 1, 1, 1, 1, Padding::same, seed++));
            c.bias[3] = std::numeric_limits<float>::quiet_NaN();
            c.scale[5] = 0.0f;
            c.shift[5] = -0.0f;
            INFO("isa " << to_string(isa) << ", " << c.describe());
            const Outputs want = reference_outputs(c);
            const Outputs got = run_fast(c, isa, Context{&two}, true);
            // The fast conv sums in another order than the reference, so its values are compared within 1e-4 (NaN
            // ignored), and its ReLU against the reference's rule applied to its own BN output: bit for bit.
            CHECK(relative_error(got.conv, want.conv) <= 1e-4);
            const std::size_t f = std::size_t(c.p.filters);
            std::size_t nans = 0, negative_zeros = 0, mismatches = 0;
            for (std::size_t i = 0; i < got.relu.size(); ++i) {
                const float rule = std::max(got.bn[i], 0.0f);  // the reference layer's ReLU
                const bool equal = std::isnan(rule) ? std::isnan(got.relu[i])
                                                    : std::memcmp(&rule, &got.relu[i], sizeof(float)) == 0;
                mismatches += equal ? 0 : 1;
                nans += i % f == 3 && std::isnan(got.relu[i]) && std::isnan(want.relu[i]) ? 1 : 0;
                negative_zeros += i % f == 5 && got.relu[i] == 0.0f && std::signbit(got.relu[i]) ? 1 : 0;
            }
            CHECK(mismatches == 0);
            CHECK(nans == got.relu.size() / f);  // every pixel of filter 3, as in the reference
            CHECK(negative_zeros > 0);
        }
}

// Few tiles and many filters (ResNet50 stage 5 at 224: 16 tiles, 512 filters): every Winograd task runs over all
// the tiles and the tasks split the filters, so the input is transformed once, in a first pass, for all of them.
// That conv, and one whose tasks also split the tiles (each transforming its own), match the reference and are
// bitwise the same on 1, 2 and 3 threads.
TEST_CASE("Winograd with one input transform shared by all tasks", "[conv2d_fast]") {
    std::uint32_t seed = 1700;
    for (Isa isa : available_isas()) {
        const detail::MicroKernel uk = detail::microkernel_for(isa);
        ConvCase shared, own;
        REQUIRE(make_case(shared, 7, 7, 40, 3, 3, 300, 1, 1, 1, 1, Padding::same, seed++));  // 16 tiles
        REQUIRE(make_case(own, 14, 14, 40, 3, 3, 64, 1, 1, 1, 1, Padding::same, seed++));    // 49 tiles
        INFO("isa " << to_string(isa));
        CHECK(detail::winograd_tasks(shared.p, uk).shared_input);
        CHECK(detail::winograd_tasks(shared.p, uk).filter_blocks > 1);
        CHECK_FALSE(detail::winograd_tasks(own.p, uk).shared_input);
        for (const ConvCase* c : {&shared, &own}) {
            INFO(c->describe());
            const Outputs want = reference_outputs(*c);
            const OutputsByThreads o = run_fast_on_1_2_3_threads(*c, isa);
            INFO("relative error " << relative_error(o.two.conv, want.conv));
            CHECK(relative_error(o.two.conv, want.conv) <= 1e-4);
            CHECK(relative_error(o.two.relu, want.relu) <= 1e-4);
            check_thread_invariant(o);
        }
    }
}

// A residual block's join in the conv epilogue (Conv2DResidual): out_relu = relu(bn + shortcut term) must be
// bitwise what the conv into a buffer followed by affine_add_fast() gives (the engine's unfused path), with and
// without the shortcut's own BN, with and without the conv, BN and conv-BN outputs, on every ISA and 1 or 3
// threads. Shapes: odd pixel counts (part-filled row tiles), filters that are no multiple of 16 or 32 (masked
// columns), several K blocks, 2 KB-aliased rows, merged rows, and a 3x3 that goes the Winograd way (no residual
// epilogue there: the second pass). The shortcut carries NaN, infinities and -0 to pin down the ReLU of each path.
TEST_CASE("conv2d_fast_packed with a residual join equals the conv followed by affine_add_fast bitwise",
          "[conv2d_fast]") {
    struct Shape { int h, w, c, kh, kw, filters, stride, dilation; Padding padding; bool winograd; };
    const Shape shapes[] = {
        {13, 11, 64, 1, 1, 37, 1, 1, Padding::valid, false},   // ResNet50's branch2c shape, 143 pixels, 37 filters
        {15, 9, 300, 1, 1, 70, 2, 1, Padding::valid, false},   // strided 1x1, K in two channel slices
        {7, 7, 512, 1, 1, 45, 1, 1, Padding::valid, false},    // 49 pixels (narrow row tiles), 2 KB-aliased rows
        {16, 30, 1024, 1, 1, 250, 1, 1, Padding::valid, false},  // 1 MB kernel slices per task: panels outermost
        {9, 11, 5, 2, 5, 17, 2, 1, Padding::same, false},      // few channels: kernel rows merged
        {13, 10, 33, 3, 3, 70, 1, 2, Padding::same, false},    // dilated 3x3: direct path, 9 taps
        {17, 19, 20, 3, 3, 37, 1, 1, Padding::same, true},     // 3x3 stride 1 on 90 tiles: Winograd, second pass
    };
    ThreadPool one(1), three(3);
    std::uint32_t seed = 1700;
    for (Isa isa : available_isas())
        for (const Shape& s : shapes) {
            const ConvCase c = case_for(s, seed++);
            const std::size_t n = c.out_size();
            std::mt19937 rng(seed);
            std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
            std::vector<float> shortcut(n), s_scale(std::size_t(s.filters)), s_shift(std::size_t(s.filters));
            for (float& x : shortcut) x = uniform(rng);  // (out_h, out_w, filters)
            for (float& x : s_scale) x = uniform(rng);
            for (float& x : s_shift) x = uniform(rng);
            const float specials[] = {std::nanf(""), INFINITY, -INFINITY, -0.0f};
            for (std::size_t i = 0; i < 4; ++i) shortcut[(i * 977) % n] = specials[i];
            for (ThreadPool* pool : {&one, &three})
                for (int variant = 0; variant < 8; ++variant) {
                    const bool shortcut_bn = variant & 1, conv_bn = variant & 2, write_all = variant & 4;
                    INFO("isa " << to_string(isa) << ", " << c.describe() << ", " << pool->size() << " threads, "
                                << (shortcut_bn ? "shortcut BN" : "plain shortcut") << ", "
                                << (conv_bn ? "conv BN" : "no conv BN") << ", "
                                << (write_all ? "conv and BN written" : "only the join written"));
                    const Context ctx{pool};
                    const Conv2DPackedKernel packed = conv2d_pack_kernel(c.p, c.kernel.data(), isa, ctx);
                    CHECK(bool(packed.winograd) == s.winograd);
                    const float* scale = conv_bn ? c.scale.data() : nullptr;
                    const float* shift = conv_bn ? c.shift.data() : nullptr;
                    const float* ss = shortcut_bn ? s_scale.data() : nullptr;
                    const float* st = shortcut_bn ? s_shift.data() : nullptr;
                    // The unfused path: conv (+ BN) into buffers, then the join pass.
                    std::vector<float> conv_want(n), bn_want(n), relu_want(n);  // each (out_h, out_w, filters)
                    conv2d_fast_packed(c.p, c.input.data(), packed, c.bias.data(), conv_want.data(), scale, shift,
                                       conv_bn ? bn_want.data() : nullptr, nullptr, ctx);
                    affine_add_fast(conv_want.data(), scale, shift, shortcut.data(), ss, st, nullptr, relu_want.data(),
                                    std::size_t(c.p.out_h) * c.p.out_w, std::size_t(c.p.filters), ctx);
                    std::vector<float> conv(n, -7.0f), bn(n, -7.0f), relu(n, -7.0f);  // poison
                    const bool want_bn = write_all && conv_bn;
                    conv2d_fast_packed(c.p, c.input.data(), packed, c.bias.data(), write_all ? conv.data() : nullptr,
                                       scale, shift, want_bn ? bn.data() : nullptr, relu.data(), ctx,
                                       Conv2DResidual{shortcut.data(), ss, st});
                    CHECK(bitwise_equal(relu, relu_want));
                    if (write_all) CHECK(bitwise_equal(conv, conv_want));
                    if (want_bn) CHECK(bitwise_equal(bn, bn_want));
                }
        }
}

// The join with outputs above the streaming threshold: the AVX-512 epilogue then writes full, aligned tiles with
// non-temporal stores. Bitwise the same as into unaligned buffers (ordinary stores) and as the unfused path.
TEST_CASE("conv2d_fast_packed with a residual join and streamed outputs equals the ordinary stores bitwise",
          "[conv2d_fast]") {
    ConvCase c;
    REQUIRE(make_case(c, 75, 73, 64, 1, 1, 272, 1, 1, 1, 1, Padding::valid, 1800));  // 8.5 panels of 32
    const std::size_t n = c.out_size();
    REQUIRE(n * sizeof(float) * 2 > (std::size_t(8) << 20));
    std::vector<float> shortcut(n);  // (out_h, out_w, filters)
    const std::vector<float> s_scale(c.scale.rbegin(), c.scale.rend()), s_shift(c.shift.rbegin(), c.shift.rend());
    std::mt19937 rng(18);
    std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
    for (float& x : shortcut) x = uniform(rng);
    ThreadPool two(2);
    const Context ctx{&two};
    for (Isa isa : available_isas()) {
        INFO("isa " << to_string(isa));
        const Conv2DPackedKernel packed = conv2d_pack_kernel(c.p, c.kernel.data(), isa, ctx);
        std::vector<float> conv_want(n), relu_want(n);  // (out_h, out_w, filters)
        conv2d_fast_packed(c.p, c.input.data(), packed, c.bias.data(), conv_want.data(), nullptr, nullptr, nullptr,
                           nullptr, ctx);
        affine_add_fast(conv_want.data(), c.scale.data(), c.shift.data(), shortcut.data(), s_scale.data(),
                        s_shift.data(), nullptr, relu_want.data(), std::size_t(c.p.out_h) * c.p.out_w,
                        std::size_t(c.p.filters), ctx);
        // (2, n) aligned outputs, and (2, n + 1) ones each starting one float past a 64-byte boundary.
        AlignedFloats aligned = AlignedFloats::allocate(2 * n), shifted = AlignedFloats::allocate(2 * (n + 1));
        for (float* conv : {aligned.get(), shifted.get() + 1}) {
            float* relu = conv == aligned.get() ? conv + n : conv + n + 1;
            std::fill(conv, conv + n, -7.0f), std::fill(relu, relu + n, -7.0f);
            conv2d_fast_packed(c.p, c.input.data(), packed, c.bias.data(), conv, c.scale.data(), c.shift.data(),
                               nullptr, relu, ctx, Conv2DResidual{shortcut.data(), s_scale.data(), s_shift.data()});
            CHECK(std::memcmp(conv, conv_want.data(), n * sizeof(float)) == 0);
            CHECK(std::memcmp(relu, relu_want.data(), n * sizeof(float)) == 0);
        }
    }
}
