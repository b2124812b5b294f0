// The microkernels' prefetch hint (MicroArgs::prefetch): a call that also asks for other memory ahead computes
// bitwise what the same call without it does, on every microkernel this CPU runs (each ISA's main tile and its
// narrower-row variants), with full and partial row tiles, partial columns, several panels, a later K block
// (load_c) and hint ranges shorter and longer than the call's K loop, and the hint's memory is left unchanged.

#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/fast/cpu_isa.hpp"
#include "core/kernels/fast/gemm_microkernel.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::bitwise_equal;

namespace {

struct NamedKernel {
    const char* name;
    int mr, nr;
    void (*run)(const detail::MicroArgs&);
};

// Every microkernel (and narrower-row variant) of the ISAs this CPU runs.
std::vector<NamedKernel> runnable_kernels() {
    std::vector<NamedKernel> out;
    for (Isa isa : all_isas()) {
        if (!isa_supported(isa)) continue;
        const detail::MicroKernel uk = detail::microkernel_for(isa);
        out.push_back({to_string(isa), uk.mr, uk.nr, uk.run});
        for (const auto& fewer : uk.fewer_rows)
            if (fewer.run) out.push_back({to_string(isa), fewer.mr, uk.nr, fewer.run});
    }
    return out;
}

}  // namespace

TEST_CASE("a microkernel call with a prefetch hint equals the call without it bitwise", "[conv2d_fast]") {
    std::mt19937 rng(4242);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    const std::vector<NamedKernel> kernels = runnable_kernels();
    REQUIRE_FALSE(kernels.empty());
    for (const NamedKernel& k : kernels) {
        const int taps = 2, cin = 37, panels = 3, ldc = panels * k.nr + 5;  // K = 74 steps per panel
        // The input rows each tap reads (MR pointers per tap), and B packed as (panels, taps * cin, NR).
        std::vector<float> input(std::size_t(taps) * k.mr * cin);
        for (float& x : input) x = value(rng);
        std::vector<const float*> a(std::size_t(taps) * k.mr);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = input.data() + i * cin;
        const std::size_t panel_floats = std::size_t(taps) * cin * k.nr;
        AlignedFloats b = AlignedFloats::allocate(panels * panel_floats);
        for (std::size_t i = 0; i < panels * panel_floats; ++i) b.get()[i] = value(rng);
        std::vector<float> bias(std::size_t(panels) * k.nr);
        for (float& x : bias) x = value(rng);
        std::vector<float> start(std::size_t(k.mr) * ldc);  // what a later K block accumulates onto
        for (float& x : start) x = value(rng);
        // The hint's memory: 3 lines per panel (fewer than the K steps) and 300 (more: several lines per step),
        // and 5 floats more than the panels share evenly (the last one takes them).
        const std::size_t ahead_floats = std::size_t(300) * 16 * panels + 5;
        AlignedFloats ahead = AlignedFloats::allocate(ahead_floats);
        for (std::size_t i = 0; i < ahead_floats; ++i) ahead.get()[i] = float(i);
        const std::vector<float> ahead_before(ahead.get(), ahead.get() + ahead_floats);

        for (const int rows : {k.mr, k.mr > 1 ? k.mr - 1 : 1})
            for (const int cols : {panels * k.nr, panels * k.nr - 5})
                for (const bool load_c : {false, true})
                    for (const int lines_per_panel : {3, 300}) {
                        INFO(k.name << " " << k.mr << "x" << k.nr << ", rows " << rows << ", cols " << cols
                                    << (load_c ? ", accumulating" : "") << ", " << lines_per_panel
                                    << " lines ahead per panel");
                        detail::MicroArgs g{};
                        g.a = a.data();
                        g.a_offset = 0;
                        g.taps = taps;
                        g.cin = cin;
                        g.b = b.get();
                        g.panels = panels;
                        g.b_panel_stride = std::ptrdiff_t(panel_floats);
                        g.ldc = ldc;
                        g.rows = rows;
                        g.cols = cols;
                        g.load_c = load_c;
                        g.bias = bias.data();
                        std::vector<float> plain = start, hinted = start;
                        g.c = plain.data();
                        k.run(g);
                        g.c = hinted.data();
                        g.prefetch = ahead.get();
                        g.prefetch_floats = std::ptrdiff_t(lines_per_panel) * 16 * panels + 5;
                        k.run(g);
                        CHECK(bitwise_equal(plain, hinted));
                        CHECK(bitwise_equal(std::vector<float>(ahead.get(), ahead.get() + ahead_floats), ahead_before));
                        bool moved = false;  // the call wrote something: the comparison above is not vacuous
                        for (std::size_t i = 0; i < start.size(); ++i) moved |= plain[i] != start[i];
                        CHECK(moved);
                    }
    }
}
