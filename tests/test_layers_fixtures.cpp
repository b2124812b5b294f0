// Every layer against fixtures from an independent implementation (PyTorch, tests/fixtures/make_fixtures.py):
// odd sizes, non-square kernels, TensorFlow's 'same' split on even and odd inputs, asymmetric strides,
// dilation, each activation, BatchNormalization epsilons, ZeroPadding2D, MaxPooling2D on all-negative
// inputs, Add, GlobalAveragePooling2D, Dense + softmax. Each case runs with the reference and the fast
// kernels; the error is max|ours - torch| / max|torch| over the whole output.
// Set CONVSCOPE_TEST_VERBOSE=1 to print every case's error.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <xtensor/xnpy.hpp>

#include "core/layers/activation.hpp"
#include "core/layers/add.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/dense.hpp"
#include "core/layers/global_average_pooling2d.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"

using namespace convscope;
namespace fs = std::filesystem;

namespace {

const fs::path kLayersDir = fs::path(CONVSCOPE_FIXTURES_DIR) / "layers";

std::map<std::string, std::string> read_case(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::map<std::string, std::string> keys;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
        keys[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return keys;
}

std::vector<int> ints(const std::string& s) {
    std::vector<int> v;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) v.push_back(std::stoi(item));
    return v;
}

IntPair pair_of(const std::string& s) {
    const std::vector<int> v = ints(s);
    if (v.size() == 1) return IntPair(v[0]);
    if (v.size() != 2) throw std::runtime_error("expected \"rows,cols\", got \"" + s + "\"");
    return IntPair(v[0], v[1]);
}

bool flag(const std::string& s) { return s == "true"; }

std::unique_ptr<Layer> make_layer(std::map<std::string, std::string>& k) {
    const std::string type = k.at("layer");
    if (type == "Conv2D") {
        Conv2DConfig c;
        c.filters = std::stoi(k.at("filters"));
        c.kernel_size = pair_of(k.at("kernel_size"));
        c.strides = pair_of(k.at("strides"));
        c.padding = parse_padding(k.at("padding"));
        c.dilation_rate = pair_of(k.at("dilation_rate"));
        c.use_bias = flag(k.at("use_bias"));
        c.activation = parse_activation(k.at("activation"));
        return std::make_unique<Conv2D>(c);
    }
    if (type == "BatchNormalization") return std::make_unique<BatchNormalization>(
        BatchNormalizationConfig{std::stof(k.at("epsilon"))});
    if (type == "ZeroPadding2D") {
        const std::vector<int> p = ints(k.at("padding"));  // top, bottom, left, right
        return std::make_unique<ZeroPadding2D>(ZeroPadding2DConfig{p.at(0), p.at(1), p.at(2), p.at(3)});
    }
    if (type == "MaxPooling2D") {
        MaxPooling2DConfig c;
        c.pool_size = pair_of(k.at("pool_size"));
        if (k.at("strides") != "None") c.strides = pair_of(k.at("strides"));
        c.padding = parse_padding(k.at("padding"));
        return std::make_unique<MaxPooling2D>(c);
    }
    if (type == "Add") return std::make_unique<Add>(std::stoi(k.at("inputs")));
    if (type == "GlobalAveragePooling2D") return std::make_unique<GlobalAveragePooling2D>();
    if (type == "Activation") return std::make_unique<Activation>(ActivationConfig{parse_activation(k.at("activation"))});
    if (type == "Dense") {
        DenseConfig c;
        c.units = std::stoi(k.at("units"));
        c.use_bias = flag(k.at("use_bias"));
        c.activation = parse_activation(k.at("activation"));
        return std::make_unique<Dense>(c);
    }
    throw std::runtime_error("unknown layer type in fixture: " + type);
}

// An .npy of rank 3 (H, W, C) or rank 1 (C,) as our tensor; `flat` says which.
Tensor3 load_tensor(const fs::path& file, bool& flat) {
    xt::xarray<float> a = xt::load_npy<float>(file.string());
    flat = a.dimension() == 1;
    if (!flat && a.dimension() != 3) throw std::runtime_error(file.string() + ": expected rank 1 or 3");
    Tensor3 t = flat ? Tensor3::from_shape({1, 1, a.size()})
                     : Tensor3::from_shape({a.shape()[0], a.shape()[1], a.shape()[2]});
    std::copy(a.begin(), a.end(), t.begin());
    return t;
}

struct Worst {
    double error = 0;       // max|ours - expected| / max|expected|
    std::size_t index = 0;  // flat index of the worst element
    float ours = 0, expected = 0;
};

Worst compare(const Tensor3& ours, const Tensor3& expected) {
    double scale = 0, worst_diff = -1;
    Worst w;
    for (std::size_t i = 0; i < expected.size(); ++i) scale = std::max(scale, double(std::fabs(expected.data()[i])));
    scale = std::max(scale, 1e-30);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        double d = std::fabs(double(ours.data()[i]) - double(expected.data()[i]));
        if (std::isnan(d)) d = INFINITY;
        if (d > worst_diff) {
            worst_diff = d;
            w.index = i;
            w.ours = ours.data()[i];
            w.expected = expected.data()[i];
        }
    }
    w.error = worst_diff / scale;
    return w;
}

std::string where(const Tensor3& t, std::size_t flat_index) {
    const std::size_t w = t.shape()[1], c = t.shape()[2];
    return "(" + std::to_string(flat_index / (w * c)) + ", " + std::to_string(flat_index / c % w) + ", " +
           std::to_string(flat_index % c) + ")";
}

bool verbose() { return std::getenv("CONVSCOPE_TEST_VERBOSE") != nullptr; }

}  // namespace

TEST_CASE("every layer matches the independent fixtures, reference and fast kernels", "[layers][fixtures]") {
    REQUIRE(fs::is_directory(kLayersDir));
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(kLayersDir))
        if (fs::exists(entry.path() / "case.txt")) cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() >= 40);

    ThreadPool pool(2);
    std::map<std::string, double> worst_by_type;
    for (const fs::path& dir : cases) {
        const std::string name = dir.filename().string();
        auto keys = read_case(dir / "case.txt");
        const double tolerance = std::stod(keys.at("tolerance"));
        std::unique_ptr<Layer> layer = make_layer(keys);
        INFO("case " << name << ": " << layer->keras_line());

        std::vector<Tensor3> inputs;
        std::vector<Shape> shapes;
        for (int i = 0; i < std::stoi(keys.at("inputs")); ++i) {
            bool flat = false;
            inputs.push_back(load_tensor(dir / ("input" + std::to_string(i) + ".npy"), flat));
            shapes.push_back(shape_of(inputs.back(), flat));
        }
        bool out_flat = false;
        const Tensor3 expected = load_tensor(dir / "output.npy", out_flat);

        // The shape arithmetic alone must already agree with the independent output.
        layer->validate();
        const Shape out_shape = layer->output_shape(shapes);
        REQUIRE(plain_shape(out_shape) == plain_shape(shape_of(expected, out_flat)));
        REQUIRE(out_shape.flat == out_flat);

        layer->build(shapes);
        std::vector<std::string> weight_names;
        if (!keys.at("weights").empty()) {
            std::stringstream in(keys.at("weights"));
            std::string w;
            while (std::getline(in, w, ',')) weight_names.push_back(w);
        }
        auto& weights = layer->mutable_weights();
        REQUIRE(weights.size() == weight_names.size());
        for (std::size_t i = 0; i < weights.size(); ++i) {
            xt::xarray<float> values = xt::load_npy<float>((dir / ("weight" + std::to_string(i) + ".npy")).string());
            INFO("weight " << weight_names[i]);
            REQUIRE(weights[i].name == weight_names[i]);
            REQUIRE(std::vector<std::size_t>(weights[i].values.shape().begin(), weights[i].values.shape().end()) ==
                    std::vector<std::size_t>(values.shape().begin(), values.shape().end()));
            weights[i].values = values;
        }

        std::vector<const Tensor3*> input_ptrs;
        for (const auto& t : inputs) input_ptrs.push_back(&t);
        for (Kernels kernels : {Kernels::reference, Kernels::fast}) {
            const char* kname = kernels == Kernels::reference ? "reference" : "fast";
            const Context ctx{kernels == Kernels::fast ? &pool : nullptr, nullptr, kernels};
            Tensor3 ours = make_tensor(out_shape);
            ours.fill(std::nanf(""));  // every output element must be written
            layer->forward(input_ptrs, ours, ctx);
            const Worst w = compare(ours, expected);
            INFO(kname << " kernels: worst element " << where(expected, w.index) << " ours " << w.ours << " torch "
                       << w.expected << ", relative error " << w.error << " (tolerance " << tolerance << ")");
            CHECK(w.error <= tolerance);
            worst_by_type[keys.at("layer") + " " + kname] = std::max(worst_by_type[keys.at("layer") + " " + kname], w.error);
            if (verbose()) std::printf("%-36s %-9s relative error %.3g\n", name.c_str(), kname, w.error);
        }
    }
    if (verbose())
        for (const auto& [type, error] : worst_by_type) std::printf("worst %-32s %.3g\n", type.c_str(), error);
}
