// tf.keras' ResNet50 weights files (TensorFlow 2 layer names) load into the seed's network: the same weights
// written under tf.keras' names and under the seed's give the network identical weights; files with a
// layer missing, a layer ResNet50 lacks, or a broken body are refused with one line naming it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/keras_h5.hpp"
#include "core/weights/known_weights.hpp"
#include "core/weights/tf_keras_names.hpp"
#include "fixture_weights.hpp"
#include "test_util.hpp"
#include "tf_keras_file.hpp"

using namespace convscope;
using convscope_test::TempDir;

namespace {

// Every weight of every node, equal element for element (and in shape).
void check_same_weights(const Graph& a, const Graph& b) {
    REQUIRE(a.size() == b.size());
    int weighted = 0;
    for (int i = 0; i < a.size(); ++i) {
        const auto& wa = a.node(i).layer->weights();
        const auto& wb = b.node(i).layer->weights();
        REQUIRE(wa.size() == wb.size());
        weighted += wa.empty() ? 0 : 1;
        for (std::size_t k = 0; k < wa.size(); ++k) {
            INFO(a.node(i).name << " " << wa[k].name);
            CHECK(wa[k].values.shape() == wb[k].values.shape());
            CHECK(std::equal(wa[k].values.begin(), wa[k].values.end(), wb[k].values.begin(), wb[k].values.end()));
        }
    }
    CHECK(weighted > 0);
}

std::string load_error(Graph& g, const std::string& path) {
    try {
        load_keras_weights(g, path);
    } catch (const WeightsError& e) {
        return e.what();
    }
    return "(no error)";
}

// A network whose every weight is 42, to tell whether a refused file changed anything.
Graph sentinel_graph(const ResNet50Options& o) {
    Graph g = build_resnet50(o);
    for (int i = 0; i < g.size(); ++i)
        for (auto& w : g.node(i).layer->mutable_weights()) w.values.fill(42.0f);
    return g;
}
bool all_sentinel(const Graph& g) {
    for (const Node& n : g.nodes())
        for (const auto& w : n.layer->weights())
            for (float v : w.values)
                if (v != 42.0f) return false;
    return true;
}

const ResNet50Options kWithTop{224, 224, 5, true};
const ResNet50Options kBackbone{64, 64, 4, false};  // the default stages; weights do not depend on the input size

}  // namespace

TEST_CASE("tf.keras ResNet50 names translate to the seed's", "[weights][tf_keras]") {
    // Worked out by hand from keras.applications.resnet (stack1/block1) and the seed's conv_block/identity_block.
    CHECK(seed_name_for_tf_keras("conv1_conv") == "conv1");
    CHECK(seed_name_for_tf_keras("conv1_bn") == "bn_conv1");
    CHECK(seed_name_for_tf_keras("conv2_block1_0_conv") == "res2a_branch1");
    CHECK(seed_name_for_tf_keras("conv2_block1_0_bn") == "bn2a_branch1");
    CHECK(seed_name_for_tf_keras("conv2_block1_1_conv") == "res2a_branch2a");
    CHECK(seed_name_for_tf_keras("conv3_block4_2_conv") == "res3d_branch2b");
    CHECK(seed_name_for_tf_keras("conv4_block6_3_bn") == "bn4f_branch2c");
    CHECK(seed_name_for_tf_keras("conv5_block3_1_conv") == "res5c_branch2a");
    CHECK(seed_name_for_tf_keras("predictions") == "fc1000");
    CHECK(tf_keras_name_for_seed("bn5a_branch1") == "conv5_block1_0_bn");
    // Not ResNet50's: identity blocks have no shortcut; ResNet101's fifth stage-3 block; weightless layers.
    CHECK(seed_name_for_tf_keras("conv2_block2_0_conv").empty());
    CHECK(seed_name_for_tf_keras("conv3_block5_1_conv").empty());
    CHECK(seed_name_for_tf_keras("conv6_block1_1_conv").empty());
    CHECK(seed_name_for_tf_keras("conv1_relu").empty());
    CHECK(looks_tf_keras_named("conv3_block5_1_conv"));
    CHECK(!looks_tf_keras_named("res2a_branch2a"));
    CHECK(!looks_tf_keras_named("conv1_relu"));
    CHECK(!looks_tf_keras_named("conv2_block1_out"));

    // One tf.keras name for each weighted layer of the seed's full network, and no other.
    const Graph full = build_resnet50(kWithTop, false);
    std::vector<std::string> seed_weighted;
    for (const Node& n : full.nodes())
        if (n.name != "input" && convscope_test::tf_keras_name_of(n.name) != "" &&
            !seed_name_for_tf_keras(convscope_test::tf_keras_name_of(n.name)).empty())
            seed_weighted.push_back(n.name);
    CHECK(tf_keras_resnet50_layers().size() == 107);  // 53 Conv2D, 53 BatchNormalization, 1 Dense
    CHECK(seed_weighted.size() == 107);
    for (const std::string& name : seed_weighted) {
        INFO(name);
        CHECK(seed_name_for_tf_keras(convscope_test::tf_keras_name_of(name)) == name);
    }
}

TEST_CASE("a full-size tf.keras file gives the seed's network the same weights as the seed-named file",
          "[weights][tf_keras][resnet50]") {
    TempDir dir;
    Graph source = build_resnet50(kWithTop);
    convscope_test::fill_formula_weights(source);  // a different value in every place, so a mix-up shows
    const std::string seed_path = dir / "seed.h5", tf_path = dir / "tf.h5";
    save_keras_weights(source, seed_path);
    convscope_test::write_tf_keras_weights(source, tf_path);

    // One pair of files (about 100 MB each) for every check below, so no SECTIONs re-writing them.
    {  // with the classifier
        Graph from_seed = build_resnet50(kWithTop), from_tf = build_resnet50(kWithTop);
        const LoadReport seed_report = load_keras_weights(from_seed, seed_path);
        const LoadReport tf_report = load_keras_weights(from_tf, tf_path);
        check_same_weights(from_seed, from_tf);
        check_same_weights(source, from_tf);
        CHECK(seed_report.layer_naming == WeightsNaming::seed);
        CHECK(tf_report.layer_naming == WeightsNaming::tf_keras);
        CHECK(tf_report.naming == WeightNaming::keras2);
        CHECK(tf_report.loaded.size() == 107);
        CHECK(tf_report.skipped.empty());
        CHECK(tf_report.keras_version == "2.4.0");

        // What a user reads: the renaming and both differences, on the lines every front end prints.
        const std::string text = describe(tf_report);
        CHECK_THAT(text, Catch::Contains("tf.keras ResNet50's (conv1_conv"));
        CHECK_THAT(text, Catch::Contains("epsilon 1.001e-5"));
        CHECK_THAT(text, Catch::Contains("default 1e-3"));
        CHECK_THAT(text, Catch::Contains("pool1"));
        CHECK(describe(seed_report).find("tf.keras") == std::string::npos);
        CHECK(short_label(tf_report) == tf_path + " (" + kTfKerasShortNote + ")");
        CHECK(short_label(seed_report) == seed_path);
    }
    {  // into the default backbone: stage 5 and predictions are skipped under their tf.keras names
        Graph g = build_resnet50(kBackbone);
        const LoadReport r = load_keras_weights(g, tf_path);
        CHECK(r.skipped.size() == 8 + 6 + 6 + 1);
        CHECK(r.skipped.front() == "conv5_block1_1_conv");
        CHECK(r.skipped.back() == "predictions");
        Graph expected = build_resnet50(kBackbone);
        load_keras_weights(expected, seed_path);
        check_same_weights(expected, g);
    }
    {  // each file says which ResNet50 names it has
        CHECK(resnet50_layer_naming(tf_path) == WeightsNaming::tf_keras);
        CHECK(resnet50_layer_naming(seed_path) == WeightsNaming::seed);
        CHECK(resnet50_layer_naming(dir / "missing.h5") == std::nullopt);
    }
}

TEST_CASE("tf.keras files that do not fit are refused with one line naming the layer", "[weights][tf_keras]") {
    TempDir dir;
    Graph source = build_resnet50(kBackbone);
    convscope_test::fill_formula_weights(source);
    const std::string path = dir / "tf.h5";

    SECTION("a layer missing: named by its tf.keras name and the seed's") {
        convscope_test::write_tf_keras_weights(source, path, {"conv3_block2_2_bn", {}});
        Graph g = sentinel_graph(kBackbone);
        const std::string e = load_error(g, path);
        CHECK_THAT(e, Catch::Contains("has no weights for layer \"conv3_block2_2_bn\" (tf.keras' name for "
                                      "bn3b_branch2b, BatchNormalization)"));
        CHECK(e.find('\n') == std::string::npos);
        CHECK(all_sentinel(g));
    }
    SECTION("an extra layer that tf.keras' ResNet50 does not have (ResNet101's fifth stage-3 block)") {
        convscope_test::write_tf_keras_weights(source, path, {"", {{"conv3_block5_1_conv", {1, 1, 512, 128}}}});
        Graph g = sentinel_graph(kBackbone);
        const std::string e = load_error(g, path);
        CHECK_THAT(e, Catch::Contains("its layer \"conv3_block5_1_conv\" is not one of tf.keras' ResNet50 layers"));
        CHECK(e.find('\n') == std::string::npos);
        CHECK(all_sentinel(g));
    }
    SECTION("a seed-named layer mixed into a tf.keras file") {
        convscope_test::write_tf_keras_weights(source, path, {"", {{"res2a_branch2a", {1, 1, 64, 64}}}});
        Graph g = sentinel_graph(kBackbone);
        CHECK_THAT(load_error(g, path), Catch::Contains("its layer \"res2a_branch2a\" is not one of tf.keras'"));
        CHECK(all_sentinel(g));
    }
    SECTION("a kernel of the wrong shape: named by its tf.keras name and the seed's") {
        Graph wrong = build_resnet50(kBackbone);
        convscope_test::fill_formula_weights(wrong);
        auto& k = wrong.node(wrong.find("res2a_branch2b")).layer->mutable_weights()[0].values;
        k = WeightArray::from_shape({3, 3, 64, 32});
        convscope_test::write_tf_keras_weights(wrong, path);
        Graph g = sentinel_graph(kBackbone);
        CHECK_THAT(load_error(g, path), Catch::Contains("layer \"conv2_block1_2_conv\" (res2a_branch2b here) kernel has "
                                                        "shape (3, 3, 64, 32), the graph expects (3, 3, 64, 64)"));
        CHECK(all_sentinel(g));
    }
    SECTION("a truncated file") {
        convscope_test::write_tf_keras_weights(source, path);
        std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
        Graph g = sentinel_graph(kBackbone);
        const std::string e = load_error(g, path);
        CHECK_THAT(e, Catch::StartsWith("weights file " + path));
        CHECK(e.find('\n') == std::string::npos);
        CHECK(all_sentinel(g));
    }
}

TEST_CASE("a graph built with tf.keras' names loads a tf.keras file as it is", "[weights][tf_keras]") {
    // Only a file whose names the graph lacks is translated: a user's own network keeps its names.
    TempDir dir;
    Graph source = build_resnet50(kBackbone);
    convscope_test::fill_formula_weights(source);
    const std::string path = dir / "tf.h5";
    convscope_test::write_tf_keras_weights(source, path);
    Graph renamed;
    for (const Node& n : source.nodes()) {
        std::vector<std::string> inputs;
        for (int in : n.inputs) inputs.push_back(convscope_test::tf_keras_name_of(source.node(in).name));
        renamed.add(convscope_test::tf_keras_name_of(n.name), n.layer->clone(), inputs);
    }
    renamed.build_weights();
    for (int i = 0; i < renamed.size(); ++i)
        for (auto& w : renamed.node(i).layer->mutable_weights()) w.values.fill(42.0f);
    const LoadReport r = load_keras_weights(renamed, path);
    CHECK(r.layer_naming == WeightsNaming::seed);
    CHECK(r.loaded.front() == "conv1_conv");
    CHECK(renamed.node(renamed.find("conv1_conv")).layer->weights()[0].values ==
          source.node(source.find("conv1")).layer->weights()[0].values);
}

TEST_CASE("a known tf.keras file is described as loading renamed, with what differs", "[weights][tf_keras][known]") {
    // What `weights list` and `weights verify` print for the published files (whose md5 no test can make).
    WeightsCheck tf;
    tf.path = "/k/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5";
    tf.md5 = "4d473c1dd8becc155b73f8504c6f6626";
    tf.known = known_by_md5(tf.md5);
    const std::string line = describe_check(tf);
    CHECK_THAT(line, Catch::StartsWith("verified: tf.keras ResNet50, backbone only (TensorFlow 2 layer names); loads "
                                       "into the seed's network under the seed's layer names; differs: "));
    CHECK_THAT(line, Catch::Contains("epsilon 1.001e-5 (the seed's layers: Keras' default 1e-3)"));
    CHECK_THAT(line, Catch::Contains("pads pool1 by 1 before a 'valid' 3x3/2 max-pooling"));
    CHECK(line.find('\n') == std::string::npos);
    WeightsCheck seed = tf;
    seed.md5 = "a268eb855778b3df3c7506639542a6af";
    seed.known = known_by_md5(seed.md5);
    CHECK(describe_check(seed) == "verified: keras-applications ResNet50, backbone only (the seed's layer names)");
}

TEST_CASE("weights found in the caches: the seed's own files before tf.keras'", "[weights][tf_keras][known]") {
    const KnownWeightsFile* seed_top = known_by_md5("a7b3fe01876f51b976af0dea6bc144eb");
    const KnownWeightsFile* tf_top = known_by_md5("2cb95161c43110f7111970584f804107");
    const KnownWeightsFile* tf_notop = known_by_md5("4d473c1dd8becc155b73f8504c6f6626");
    REQUIRE((seed_top && tf_top && tf_notop));
    auto found = [](const std::string& path, const KnownWeightsFile* known) {
        FoundWeights f{"/cache", "Keras cache", {}, false};
        f.check.path = path;
        f.check.known = known;
        return f;
    };
    SECTION("only tf.keras files: they are used") {
        const std::vector<FoundWeights> v = {found("/a/notop.h5", tf_notop), found("/a/top.h5", tf_top)};
        REQUIRE(pick_weights(v, false) != nullptr);
        CHECK(pick_weights(v, false)->check.path == "/a/notop.h5");
        REQUIRE(pick_weights(v, true) != nullptr);
        CHECK(pick_weights(v, true)->check.path == "/a/top.h5");
    }
    SECTION("both kinds: the seed's file, even when found later") {
        const std::vector<FoundWeights> v = {found("/a/tf_top.h5", tf_top), found("/b/seed_top.h5", seed_top)};
        CHECK(pick_weights(v, false)->check.path == "/b/seed_top.h5");
        CHECK(pick_weights(v, true)->check.path == "/b/seed_top.h5");
    }
}
