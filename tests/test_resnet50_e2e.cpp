// The seed ResNet50 end to end against an independent implementation (PyTorch, float64), every node.
//
// Fixtures (tests/fixtures/resnet50/<size>/, made by tests/fixtures/make_fixtures.py):
//   45x45_top  odd size, stages 2-5 + avg_pool + fc1000: reference and fast kernels
//   64x56      even, non-square size (TensorFlow's bottom/right 'same' split in pool1), stages 2-4: fast kernels
// Weights come from the formula in fixture_weights.hpp (no weights file is committed). Per node we check
// the stored sample (the whole tensor when it is small) with |ours - torch| <= 1e-4 * max|torch| of that
// node, and the whole tensor's sum, sum|x| (both to 1e-4 of sum|x|) and max|x| (1e-4 relative).
// Set CONVSCOPE_TEST_VERBOSE=1 to print the worst errors.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <xtensor/xnpy.hpp>

#include "core/engine/engine.hpp"
#include "core/kernels/fast/conv2d_fast.hpp"
#include "core/kernels/fast/cpu_isa.hpp"
#include "core/export/npy.hpp"
#include "core/model/resnet50.hpp"
#include "fixture_weights.hpp"

using namespace convscope;
namespace fs = std::filesystem;

namespace {

const fs::path kResnetDir = fs::path(CONVSCOPE_FIXTURES_DIR) / "resnet50";
constexpr double kTolerance = 1e-4;

struct NodeFixture {
    std::string name;
    int h = 0, w = 0, c = 0;
    std::size_t count = 0;
    double sum = 0, sum_abs = 0, max_abs = 0;
    std::uint64_t start = 0, step = 1;
    std::size_t offset = 0;  // into values.npy
};

std::vector<NodeFixture> read_nodes(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::vector<NodeFixture> nodes;
    std::string line;
    std::size_t offset = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        NodeFixture n;
        s >> n.name >> n.h >> n.w >> n.c >> n.count >> n.sum >> n.sum_abs >> n.max_abs >> n.start >> n.step;
        if (!s) throw std::runtime_error(file.string() + ": bad line \"" + line + "\"");
        n.offset = offset;
        offset += n.count;
        nodes.push_back(n);
    }
    return nodes;
}

// Runs the whole graph through the Engine and compares every node; the worst errors are printed when verbose.
void run_and_compare(const std::string& tag, ResNet50Options options, Kernels kernels) {
    const fs::path dir = kResnetDir / tag;
    const std::vector<NodeFixture> nodes = read_nodes(dir / "nodes.txt");
    const xt::xarray<float> values = xt::load_npy<float>((dir / "values.npy").string());
    REQUIRE(nodes.size() > 0);
    REQUIRE(values.size() == nodes.back().offset + nodes.back().count);

    Graph graph = build_resnet50(options);
    REQUIRE(graph.size() == int(nodes.size()));
    convscope_test::fill_formula_weights(graph);
    EngineOptions eo;
    eo.threads = 2;
    eo.kernels = kernels;
    eo.keep = KeepPolicy::all_nodes;
    Engine engine(std::move(graph), eo);
    engine.set_input(load_npy_hwc((dir / "input.npy").string()));  // (H, W, 3)
    engine.run();

    const char* kname = kernels == Kernels::reference ? "reference" : "fast";
    double worst_sample = 0;  // max over nodes of max|ours - torch| / max|torch|
    std::string worst_node;
    double worst_stat = 0;    // max over nodes of the checksum errors
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const NodeFixture& n = nodes[i];
        INFO(tag << ", " << kname << " kernels: node " << i << " \"" << n.name << "\" (first failing node in graph order)");
        REQUIRE(engine.graph().node(int(i)).name == n.name);
        const auto out = engine.output(int(i));
        REQUIRE(out);
        REQUIRE(plain_shape(shape_of(*out)) == plain_shape(Shape::image(n.h, n.w, n.c)));

        const std::size_t size = out->size();
        const float* data = out->data();
        const double scale = std::max(n.max_abs, 1e-30);
        double worst = 0;
        std::size_t worst_index = 0;
        for (std::size_t k = 0; k < n.count; ++k) {
            const std::size_t index = std::size_t((n.start + k * n.step) % size);
            double d = std::fabs(double(data[index]) - double(values.data()[n.offset + k]));
            if (std::isnan(d)) d = INFINITY;
            if (d > worst) {
                worst = d;
                worst_index = index;
            }
        }
        double sum = 0, sum_abs = 0, max_abs = 0;
        for (std::size_t k = 0; k < size; ++k) {
            sum += data[k];
            sum_abs += std::fabs(data[k]);
            max_abs = std::max(max_abs, double(std::fabs(data[k])));
        }
        const double sample_error = worst / scale;
        const double sum_error = std::fabs(sum - n.sum) / std::max(n.sum_abs, 1e-30);
        const double sum_abs_error = std::fabs(sum_abs - n.sum_abs) / std::max(n.sum_abs, 1e-30);
        const double max_abs_error = std::fabs(max_abs - n.max_abs) / scale;
        INFO("worst sampled element: flat index " << worst_index << " ours " << data[worst_index]
                                                  << ", relative error " << sample_error);
        INFO("sum " << sum << " vs " << n.sum << ", sum|x| " << sum_abs << " vs " << n.sum_abs << ", max|x| " << max_abs
                    << " vs " << n.max_abs);
        REQUIRE(sample_error <= kTolerance);
        REQUIRE(sum_error <= kTolerance);
        REQUIRE(sum_abs_error <= kTolerance);
        REQUIRE(max_abs_error <= kTolerance);
        if (sample_error > worst_sample) {
            worst_sample = sample_error;
            worst_node = n.name;
        }
        worst_stat = std::max({worst_stat, sum_error, sum_abs_error, max_abs_error});
    }
    if (std::getenv("CONVSCOPE_TEST_VERBOSE"))
        std::printf("resnet50 %-10s %-9s %zu nodes: worst sampled error %.3g (%s), worst checksum error %.3g\n",
                    tag.c_str(), kname, nodes.size(), worst_sample, worst_node.c_str(), worst_stat);
}

// The seed backbone (stages 1-4) at height x width.
ResNet50Options backbone(int height, int width) {
    ResNet50Options o;
    o.height = height;
    o.width = width;
    o.last_stage = 4;
    return o;
}

// A stage 2 3x3 conv (64 -> 64 channels, 'same') on an h x w output: which Winograd tile it takes.
int stage2_winograd_tile(int h, int w) {
    return detail::winograd_tile(Conv2DParams{h, w, 64, 3, 3, 64, 1, 1, 1, 1, 1, 1, h, w}, best_isa());
}

}  // namespace

TEST_CASE("the C++ formula weights match the generator's", "[resnet50][fixtures]") {
    // formula_check.txt holds u for a few (layer, weight, element) triples, computed by numpy.
    std::ifstream in(kResnetDir / "formula_check.txt");
    REQUIRE(in);
    std::string line;
    int checked = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        std::string name;
        std::uint64_t widx = 0, element = 0;
        double u = 0;
        s >> name >> widx >> element >> u;
        INFO(line);
        CHECK(convscope_test::formula_uniform(name, widx, element) == u);
        ++checked;
    }
    CHECK(checked >= 5);
}

TEST_CASE("ResNet50 45x45 with stage 5 and the top matches PyTorch at every node", "[resnet50][fixtures][e2e]") {
    ResNet50Options o;
    o.height = 45;
    o.width = 45;
    o.last_stage = 5;
    o.include_top = true;
    SECTION("reference kernels") { run_and_compare("45x45_top", o, Kernels::reference); }
    SECTION("fast kernels") { run_and_compare("45x45_top", o, Kernels::fast); }
}

TEST_CASE("ResNet50 backbone 64x56 (even, non-square) matches PyTorch at every node", "[resnet50][fixtures][e2e]") {
    run_and_compare("64x56", backbone(64, 56), Kernels::fast);
}

TEST_CASE("ResNet50 backbone 104x96 (F(4x4, 3x3) Winograd in stage 2) matches PyTorch at every node",
          "[resnet50][fixtures][e2e]") {
    REQUIRE(stage2_winograd_tile(26, 24) == 4);
    run_and_compare("104x96", backbone(104, 96), Kernels::fast);
}

// F(6x6) needs a microkernel whose one-row-tile task fits the Winograd scratch: AVX2's and AVX-512's do here.
TEST_CASE("ResNet50 backbone 144x144 (F(6x6, 3x3) Winograd in stage 2) matches PyTorch at every node",
          "[resnet50][fixtures][e2e]") {
    if (best_isa() == Isa::avx2 || best_isa() == Isa::avx512) REQUIRE(stage2_winograd_tile(35, 35) == 6);
    run_and_compare("144x144", backbone(144, 144), Kernels::fast);
}
