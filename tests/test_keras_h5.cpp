// Keras HDF5 weights: files written by h5py the way Keras writes them (tests/fixtures/h5/, made by
// tests/fixtures/make_h5_fixtures.py), our own writer read back, and every kind of bad file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/layers/activation.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/dense.hpp"
#include "core/layers/global_average_pooling2d.hpp"
#include "core/layers/input_layer.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/h5_file.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(CONVSCOPE_FIXTURES_DIR) + "/h5/" + name; }

// The network the fixtures fit: input (5, 5, 2) -> conv1 -> bn_conv1 -> conv1_relu -> avg_pool -> fc.
Graph small_graph() {
    Graph g;
    g.add("input", std::make_unique<InputLayer>(Shape::image(5, 5, 2)), {});
    Conv2DConfig conv;
    conv.filters = 3;
    conv.kernel_size = 3;
    g.add("conv1", std::make_unique<Conv2D>(conv), {"input"});
    g.add("bn_conv1", std::make_unique<BatchNormalization>(), {"conv1"});
    g.add("conv1_relu", std::make_unique<Activation>(), {"bn_conv1"});
    g.add("avg_pool", std::make_unique<GlobalAveragePooling2D>(), {"conv1_relu"});
    DenseConfig dense;
    dense.units = 4;
    g.add("fc", std::make_unique<Dense>(dense), {"avg_pool"});
    g.build_weights();
    return g;
}

const WeightArray& weight(const Graph& g, const std::string& node, std::size_t i) {
    return g.node(g.find(node)).layer->weights().at(i).values;
}

std::string load_error(Graph& g, const std::string& path) {
    try {
        load_keras_weights(g, path);
    } catch (const WeightsError& e) {
        return e.what();
    }
    return "(no error)";
}

// The values make_h5_fixtures.py writes, checked at a few positions worked out by hand.
void check_fixture_values(const Graph& g) {
    const auto& kernel = weight(g, "conv1", 0);  // (3, 3, 2, 3) = arange(54) * 0.25 - 6
    REQUIRE(kernel.shape() == std::vector<std::size_t>{3, 3, 2, 3});
    CHECK(kernel(0, 0, 0, 0) == -6.0f);
    CHECK(kernel(1, 2, 0, 2) == 2.0f);   // flat index 32
    CHECK(kernel(2, 2, 1, 2) == 7.25f);  // flat index 53, the last
    CHECK(weight(g, "conv1", 1)(1) == -1.5f);
    CHECK(weight(g, "bn_conv1", 0)(2) == 3.0f);   // gamma
    CHECK(weight(g, "bn_conv1", 1)(0) == 0.1f);   // beta
    CHECK(weight(g, "bn_conv1", 2)(0) == -1.0f);  // moving_mean
    CHECK(weight(g, "bn_conv1", 3)(2) == 16.0f);  // moving_variance (Keras 1: running_std)
    const auto& fc = weight(g, "fc", 0);          // (3, 4) = arange(12) / 8
    REQUIRE(fc.shape() == std::vector<std::size_t>{3, 4});
    CHECK(fc(2, 1) == 1.125f);  // flat index 9
    CHECK(weight(g, "fc", 1)(3) == 4.0f);
}

// Marks every weight so a test can tell whether a failed load changed anything.
void fill_sentinel(Graph& g) {
    for (int i = 0; i < g.size(); ++i)
        for (auto& w : g.node(i).layer->mutable_weights()) w.values.fill(42.0f);
}
bool all_sentinel(const Graph& g) {
    for (const Node& n : g.nodes())
        for (const auto& w : n.layer->weights())
            for (float v : w.values)
                if (v != 42.0f) return false;
    return true;
}

}  // namespace

TEST_CASE("keras_h5: weight names are classified by naming style and role", "[weights][h5]") {
    CHECK(classify_weight_name("conv1/kernel:0").naming == WeightNaming::keras2);
    CHECK(classify_weight_name("conv1/kernel:0").role == "kernel");
    CHECK(classify_weight_name("bn_conv1/moving_variance:0").role == "moving_variance");
    CHECK(classify_weight_name("conv1_W:0").naming == WeightNaming::keras1);
    CHECK(classify_weight_name("conv1_W:0").role == "kernel");
    CHECK(classify_weight_name("conv1_b:0").role == "bias");
    CHECK(classify_weight_name("bn_conv1_beta:0").role == "beta");
    CHECK(classify_weight_name("bn_conv1_running_mean:0").role == "moving_mean");
    CHECK(classify_weight_name("bn_conv1_running_std:0").role == "moving_variance");
    CHECK(classify_weight_name("something/else:0").naming == WeightNaming::other);
    CHECK(classify_weight_name("something/else:0").role.empty());
}

TEST_CASE("keras_h5: a Keras 2 save_weights file loads by layer name", "[weights][h5]") {
    Graph g = small_graph();
    const LoadReport r = load_keras_weights(g, fixture("keras2.h5"));
    check_fixture_values(g);
    CHECK(r.naming == WeightNaming::keras2);
    CHECK(r.loaded == std::vector<std::string>{"conv1", "bn_conv1", "fc"});
    CHECK(r.skipped.empty());  // input_1, conv1_relu, avg_pool have no weights: ignored, not "skipped"
    CHECK(r.keras_version == "2.11.0");
    CHECK(r.backend == "tensorflow");
    CHECK_FALSE(r.model_weights_group);
}

TEST_CASE("keras_h5: Keras 1 names (conv1_W:0, bn_conv1_running_std:0) load", "[weights][h5]") {
    Graph g = small_graph();
    const LoadReport r = load_keras_weights(g, fixture("keras1.h5"));
    check_fixture_values(g);
    CHECK(r.naming == WeightNaming::keras1);
    CHECK(r.loaded.size() == 3);
}

TEST_CASE("keras_h5: layer_names and weight_names split into numbered chunks load", "[weights][h5]") {
    Graph g = small_graph();
    const LoadReport r = load_keras_weights(g, fixture("split_names.h5"));
    check_fixture_values(g);
    CHECK(r.loaded == std::vector<std::string>{"conv1", "bn_conv1", "fc"});
}

TEST_CASE("keras_h5: variable-length string attributes load", "[weights][h5]") {
    Graph g = small_graph();
    const LoadReport r = load_keras_weights(g, fixture("vlen_strings.h5"));
    check_fixture_values(g);
    CHECK(r.keras_version == "2.11.0");
}

TEST_CASE("keras_h5: float64 datasets are converted to float32", "[weights][h5]") {
    Graph g = small_graph();
    load_keras_weights(g, fixture("float64.h5"));
    check_fixture_values(g);  // beta 0.1 stored as a double arrives as the nearest float
}

TEST_CASE("keras_h5: a model.save() file loads from its model_weights group", "[weights][h5]") {
    Graph g = small_graph();
    const LoadReport r = load_keras_weights(g, fixture("full_model.h5"));
    check_fixture_values(g);
    CHECK(r.model_weights_group);
    CHECK(r.loaded.size() == 3);
}

TEST_CASE("keras_h5: a file layer the graph lacks is skipped and reported", "[weights][h5]") {
    Graph g = small_graph();
    const LoadReport r = load_keras_weights(g, fixture("extra_layer.h5"));
    check_fixture_values(g);
    CHECK(r.skipped == std::vector<std::string>{"fc_extra"});  // dropout_1 has no weights: not reported
    CHECK(describe(r).find("fc_extra") != std::string::npos);
}

TEST_CASE("keras_h5: files that do not fit the graph are refused and change nothing", "[weights][h5]") {
    Graph g = small_graph();
    fill_sentinel(g);

    SECTION("a graph layer the file lacks") {
        const std::string path = fixture("missing_layer.h5");
        CHECK(load_error(g, path) == "weights file " + path +
                                         " has no weights for layer \"bn_conv1\" (BatchNormalization), which the "
                                         "graph needs");
    }
    SECTION("a weight whose shape differs") {
        const std::string path = fixture("wrong_shape.h5");
        CHECK(load_error(g, path) ==
              "weights file " + path + ": layer \"conv1\" kernel has shape (3, 3, 4, 3), the graph expects (3, 3, 2, 3)");
    }
    SECTION("a layer with fewer weights than the graph's") {
        const std::string msg = load_error(g, fixture("wrong_count.h5"));
        CHECK_THAT(msg, Catch::Contains("layer \"conv1\" has 1 weights in the file (conv1/kernel:0)"));
        CHECK_THAT(msg, Catch::Contains("expects 2 (kernel, bias)"));
    }
    SECTION("a graph of another size") {
        Graph other;
        other.add("input", std::make_unique<InputLayer>(Shape::image(5, 5, 2)), {});
        Conv2DConfig conv;
        conv.filters = 8;
        other.add("conv1", std::make_unique<Conv2D>(conv), {"input"});
        const std::string msg = load_error(other, fixture("keras2.h5"));
        CHECK_THAT(msg, Catch::Contains("layer \"conv1\" kernel has shape (3, 3, 2, 3), the graph expects (3, 3, 2, 8)"));
    }
    CHECK(all_sentinel(g));
}

TEST_CASE("keras_h5: files that are not Keras weights are refused with what was expected", "[weights][h5]") {
    Graph g = small_graph();
    fill_sentinel(g);

    SECTION("a text file") {
        const std::string msg = load_error(g, fixture("not_hdf5.h5"));
        CHECK_THAT(msg, Catch::StartsWith("weights file " + fixture("not_hdf5.h5") + " is not an HDF5 file"));
        CHECK_THAT(msg, Catch::Contains("expected a Keras HDF5 weights file"));
    }
    SECTION("a truncated HDF5 file") {
        const std::string msg = load_error(g, fixture("truncated.h5"));
        CHECK_THAT(msg, Catch::Contains("could not be opened as HDF5"));
        CHECK_THAT(msg, Catch::Contains("truncated"));
    }
    SECTION("an HDF5 file without layer_names") {
        const std::string msg = load_error(g, fixture("no_layer_names.h5"));
        CHECK_THAT(msg, Catch::Contains("is not a Keras HDF5 weights file (no layer_names attribute"));
    }
    SECTION("a file that does not exist") {
        const std::string msg = load_error(g, fixture("no_such_file.h5"));
        CHECK_THAT(msg, Catch::Contains("cannot be read: No such file or directory"));
    }
    SECTION("a directory") {
        CHECK_THAT(load_error(g, CONVSCOPE_FIXTURES_DIR), Catch::Contains("is a directory"));
    }
    CHECK(all_sentinel(g));
}

TEST_CASE("keras_h5: save then load gives back every weight exactly", "[weights][h5]") {
    TempDir dir;
    Graph a = small_graph();
    initialize_graph(a, 7);
    a.node(a.find("bn_conv1")).layer->mutable_weights()[3].values(1) = 0.123456789f;  // not a default value
    const std::string path = dir / "small.h5";
    save_keras_weights(a, path);

    Graph b = small_graph();
    const LoadReport r = load_keras_weights(b, path);
    CHECK(r.naming == WeightNaming::keras2);
    CHECK(r.loaded == std::vector<std::string>{"conv1", "bn_conv1", "fc"});
    for (const std::string name : {"conv1", "bn_conv1", "fc"}) {
        const auto& wa = a.node(a.find(name)).layer->weights();
        const auto& wb = b.node(b.find(name)).layer->weights();
        REQUIRE(wa.size() == wb.size());
        for (std::size_t i = 0; i < wa.size(); ++i) CHECK(wa[i].values == wb[i].values);
    }
    CHECK(weight(b, "bn_conv1", 3)(1) == 0.123456789f);
    CHECK(weight(b, "conv1", 0) != xt::zeros<float>({3, 3, 2, 3}));  // the initialiser really ran

    // The layout Keras' loader expects, read here through the plain HDF5 API.
    h5::Lock lock;
    h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    REQUIRE(file.valid());
    CHECK(h5::read_strings(file.get(), "layer_names") ==
          std::vector<std::string>{"conv1", "bn_conv1", "conv1_relu", "avg_pool", "fc"});
    CHECK(h5::read_strings(file.get(), "backend") == std::vector<std::string>{"tensorflow"});
    h5::Id conv1(H5Gopen2(file.get(), "conv1", H5P_DEFAULT), H5Gclose);
    CHECK(h5::read_strings(conv1.get(), "weight_names") ==
          std::vector<std::string>{"conv1/kernel:0", "conv1/bias:0"});
    CHECK(h5::dataset_shape(file.get(), "conv1/conv1/kernel:0") == std::vector<std::size_t>{3, 3, 2, 3});
    h5::Id relu(H5Gopen2(file.get(), "conv1_relu", H5P_DEFAULT), H5Gclose);
    CHECK(h5::read_strings(relu.get(), "weight_names").empty());
}

// A graph of an input layer alone has no layer to list: the file holds an empty layer_names, as Keras writes it
// for a model without layers, and loads back into such a graph with nothing loaded.
TEST_CASE("keras_h5: a graph with no weighted layer saves and loads back", "[weights][h5]") {
    TempDir dir;
    Graph a;
    a.add("input", std::make_unique<InputLayer>(Shape::image(5, 5, 2)), {});
    const std::string path = dir / "input_only.h5";
    save_keras_weights(a, path);
    {
        h5::Lock lock;
        h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        REQUIRE(file.valid());
        CHECK(h5::read_strings(file.get(), "layer_names").empty());
    }
    Graph b;
    b.add("input", std::make_unique<InputLayer>(Shape::image(5, 5, 2)), {});
    const LoadReport r = load_keras_weights(b, path);
    CHECK(r.loaded.empty());
}

TEST_CASE("keras_h5: a failed save names the path and the reason and leaves no file", "[weights][h5]") {
    TempDir dir;
    Graph g = small_graph();

    SECTION("a folder that does not exist") {
        const std::string path = dir / "no/such/folder/w.h5";
        try {
            save_keras_weights(g, path);
            FAIL("no error");
        } catch (const WeightsError& e) {
            CHECK_THAT(e.what(), Catch::Contains(path));
            CHECK_THAT(e.what(), Catch::Contains("No such file or directory"));
        }
    }
    SECTION("a target that is a folder") {
        fs::create_directory(dir / "taken.h5");
        CHECK_THROWS_AS(save_keras_weights(g, dir / "taken.h5"), WeightsError);
        CHECK(fs::is_directory(dir / "taken.h5"));
    }
    std::vector<std::string> left;
    for (const auto& e : fs::recursive_directory_iterator(dir.path))
        if (e.is_regular_file()) left.push_back(e.path().string());
    CHECK(left.empty());  // no temporary file stays behind
}

TEST_CASE("keras_h5: saving over an existing file replaces it whole", "[weights][h5]") {
    TempDir dir;
    const std::string path = dir / "w.h5";
    { std::ofstream(path) << "old contents"; }
    Graph g = small_graph();
    initialize_graph(g, 3);
    save_keras_weights(g, path);
    Graph back = small_graph();
    load_keras_weights(back, path);
    CHECK(weight(back, "fc", 0) == weight(g, "fc", 0));
}

TEST_CASE("keras_h5: weights listed in another order than Keras' are refused, not mixed up", "[weights][h5]") {
    TempDir dir;
    Graph a = small_graph();
    initialize_graph(a, 1);
    const std::string path = dir / "swapped.h5";
    save_keras_weights(a, path);
    {
        // Same shapes, so only the names can tell moving_mean from moving_variance.
        h5::Lock lock;
        h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
        h5::Id bn(H5Gopen2(file.get(), "bn_conv1", H5P_DEFAULT), H5Gclose);
        REQUIRE(H5Adelete(bn.get(), "weight_names") >= 0);
        h5::write_fixed_strings(bn.get(), "weight_names",
                                {"bn_conv1/gamma:0", "bn_conv1/beta:0", "bn_conv1/moving_variance:0",
                                 "bn_conv1/moving_mean:0"});
    }
    Graph b = small_graph();
    fill_sentinel(b);
    CHECK_THAT(load_error(b, path), Catch::Contains("layer \"bn_conv1\" weight 3 is \"bn_conv1/moving_variance:0\" "
                                                    "(moving_variance), the graph expects moving_mean"));
    CHECK(all_sentinel(b));
}

TEST_CASE("keras_h5: a layer list past HDF5's 64 KB attribute limit is split like Keras splits it",
          "[weights][h5]") {
    TempDir dir;
    Graph g;
    g.add("input", std::make_unique<InputLayer>(Shape::image(2, 2, 1)), {});
    std::vector<std::string> names;
    std::string previous = "input";
    for (int i = 0; i < 700; ++i) {  // 700 names of 100 characters: 70,000 bytes, two chunks
        std::string name = "relu_" + std::to_string(1000 + i);
        name += std::string(100 - name.size(), 'x');
        g.add(name, std::make_unique<Activation>(), {previous});
        names.push_back(name);
        previous = name;
    }
    g.build_weights();
    const std::string path = dir / "long.h5";
    save_keras_weights(g, path);
    {
        h5::Lock lock;
        h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        CHECK_FALSE(h5::has_attribute(file.get(), "layer_names"));
        CHECK_FALSE(h5::has_attribute(file.get(), "layer_names2"));
        const auto first = h5::read_strings(file.get(), "layer_names0");
        const auto second = h5::read_strings(file.get(), "layer_names1");
        CHECK(first.size() == 350);  // numpy.array_split: equal halves
        CHECK(second.size() == 350);
        CHECK(first.front() == names.front());
        CHECK(second.back() == names.back());
    }
    const LoadReport r = load_keras_weights(g, path);  // no weights at all: nothing to load, nothing missing
    CHECK(r.naming == WeightNaming::none);
    CHECK(r.loaded.empty());
}

// ---- ResNet50 ---------------------------------------------------------------------------------------------

namespace {

// Writes `graph` the way Keras 1 saved the official ResNet50 weights: names like conv1_W:0 and
// bn_conv1_running_std:0 stored directly in each layer's group, weightless layers under Keras 1's
// automatic names (activation_1, ...), no keras_version attribute.
void write_keras1_file(const Graph& graph, const std::string& path) {
    static const std::map<std::string, std::string> suffix = {
        {"kernel", "W"},    {"bias", "b"},
        {"gamma", "gamma"}, {"beta", "beta"},
        {"moving_mean", "running_mean"}, {"moving_variance", "running_std"}};
    h5::Lock lock;
    h5::Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    REQUIRE(file.valid());
    std::vector<std::string> layer_names = {"input_1"};
    {
        h5::Id input(H5Gcreate2(file.get(), "input_1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        h5::write_empty_list(input.get(), "weight_names");
    }
    int weightless = 0;
    for (const Node& n : graph.nodes()) {
        if (std::string(n.layer->type_name()) == "InputLayer") continue;
        const auto& weights = n.layer->weights();
        const std::string layer = weights.empty() ? "activation_" + std::to_string(++weightless) : n.name;
        layer_names.push_back(layer);
        h5::Id group(H5Gcreate2(file.get(), layer.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        std::vector<std::string> names;
        for (const Weight& w : weights) names.push_back(n.name + "_" + suffix.at(w.name) + ":0");
        if (names.empty()) {
            h5::write_empty_list(group.get(), "weight_names");
            continue;
        }
        h5::write_fixed_strings(group.get(), "weight_names", names);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            std::vector<std::size_t> shape(weights[i].values.shape().begin(), weights[i].values.shape().end());
            h5::write_float_array(group.get(), names[i], shape, weights[i].values.data());
        }
    }
    h5::write_fixed_strings(file.get(), "layer_names", layer_names);
    REQUIRE(file.close());
}

int weighted_nodes(const Graph& g) {
    int n = 0;
    for (const Node& node : g.nodes()) n += node.layer->weights().empty() ? 0 : 1;
    return n;
}

}  // namespace

TEST_CASE("keras_h5: ResNet50 with the top saves and loads back exactly", "[weights][h5][resnet50]") {
    TempDir dir;
    Graph a = build_resnet50({224, 224, 5, true});
    initialize_graph(a, 11);
    const std::string path = dir / "resnet50.h5";
    save_keras_weights(a, path);

    Graph b = build_resnet50({224, 224, 5, true});
    const LoadReport r = load_keras_weights(b, path);
    CHECK(int(r.loaded.size()) == weighted_nodes(a));
    CHECK(r.skipped.empty());
    CHECK(weight(b, "conv1", 0) == weight(a, "conv1", 0));
    CHECK(weight(b, "res4f_branch2b", 0) == weight(a, "res4f_branch2b", 0));
    CHECK(weight(b, "bn5c_branch2c", 3) == weight(a, "bn5c_branch2c", 3));
    CHECK(weight(b, "fc1000", 0) == weight(a, "fc1000", 0));
    CHECK(weight(b, "fc1000", 0).shape() == std::vector<std::size_t>{2048, 1000});
}

TEST_CASE("keras_h5: a Keras 1 ResNet50 file with the top loads into the backbone, skipping fc1000",
          "[weights][h5][resnet50]") {
    TempDir dir;
    Graph source = build_resnet50({224, 224, 5, true});
    initialize_graph(source, 5);
    // Distinct BatchNormalization statistics, so a running_std/moving_variance mix-up would show.
    auto& bn = source.node(source.find("bn_conv1")).layer->mutable_weights();
    for (std::size_t c = 0; c < 64; ++c) {
        bn[2].values(c) = 0.25f * float(c);
        bn[3].values(c) = 1.0f + 0.5f * float(c);
    }
    const std::string path = dir / "resnet50_weights_tf_dim_ordering_tf_kernels.h5";
    write_keras1_file(source, path);

    SECTION("without the top, as the seed's backbone to stage 5") {
        Graph g = build_resnet50({224, 224, 5, false});
        const LoadReport r = load_keras_weights(g, path);
        CHECK(r.naming == WeightNaming::keras1);
        CHECK(r.skipped == std::vector<std::string>{"fc1000"});
        CHECK(int(r.loaded.size()) == weighted_nodes(g));
        CHECK(weight(g, "bn_conv1", 3)(63) == 32.5f);
        CHECK(weight(g, "bn_conv1", 2)(10) == 2.5f);
        CHECK(weight(g, "res5c_branch2c", 0) == weight(source, "res5c_branch2c", 0));
        CHECK(weight(g, "res3a_branch1", 1) == weight(source, "res3a_branch1", 1));
    }
    SECTION("the default view (stage 4 at 600x600) also loads, skipping stage 5 and fc1000") {
        Graph g = build_resnet50({});
        const LoadReport r = load_keras_weights(g, path);
        CHECK(r.skipped.size() == 8 + 6 + 6 + 1);  // res5a (with its shortcut), res5b, res5c convs + BNs; fc1000
        CHECK(weight(g, "res4f_branch2c", 0) == weight(source, "res4f_branch2c", 0));
    }
    SECTION("with the top") {
        Graph g = build_resnet50({224, 224, 5, true});
        const LoadReport r = load_keras_weights(g, path);
        CHECK(r.skipped.empty());
        CHECK(weight(g, "fc1000", 1) == weight(source, "fc1000", 1));
    }
}
