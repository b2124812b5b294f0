// Undoing an edit gives the layers their original values back (a loaded file's, or the seed's), and
// loading a file while edits are in place fills every layer the edits did not re-size.

#include <catch2/catch.hpp>

#include <algorithm>

#include "core/engine/engine.hpp"
#include "core/errors.hpp"
#include "core/layers/conv2d.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"
#include "core/weights/restore_weights.hpp"
#include "test_util.hpp"

using namespace convscope;

namespace {

Graph built_network() {
    Graph g = build_resnet50({32, 32, 4, false});
    g.build_weights();
    return g;
}

bool same_weights(const Layer& a, const Layer& b) {
    if (a.weights().size() != b.weights().size()) return false;
    for (std::size_t k = 0; k < a.weights().size(); ++k)
        if (a.weights()[k].values != b.weights()[k].values) return false;
    return true;
}

std::vector<std::string> names(const Graph& g, const std::vector<int>& nodes) {
    std::vector<std::string> out;
    for (int i : nodes) out.push_back(g.node(i).name);
    return out;
}

}  // namespace

TEST_CASE("Resetting an edit restores the loaded weights and clears the re-initialised marks", "[restore]") {
    Graph file = built_network();
    initialize_graph(file, 77);  // stands for the values of a loaded Keras file
    const WeightShapes original = weight_shapes(file);
    Engine engine(file.clone());
    const int node = engine.graph().find("res3a_branch2b");
    const Conv2DConfig seed_config = dynamic_cast<const Conv2D&>(*engine.graph().node(node).layer).config();

    Conv2DConfig edited = seed_config;
    edited.filters = 96;
    engine.set_conv_config(node, edited, 1);
    CHECK(names(engine.graph(), resized_nodes(engine.graph(), original)) ==
          std::vector<std::string>{"res3a_branch2b", "bn3a_branch2b", "res3a_branch2c"});

    // Reset: the shapes are the file's again, but set_conv_config alone leaves seeded random values there.
    const std::vector<int> rebuilt = engine.set_conv_config(node, seed_config, 1);
    CHECK(resized_nodes(engine.graph(), original).empty());
    const int conv = engine.graph().find("res3a_branch2c");
    CHECK_FALSE(same_weights(*engine.graph().node(conv).layer, *file.node(conv).layer));

    const std::vector<int> copied = copy_matching_weights(engine.mutable_graph(), file, &rebuilt);
    CHECK(copied == rebuilt);
    for (int i = 0; i < file.size(); ++i) {
        INFO(file.node(i).name);
        CHECK(same_weights(*engine.graph().node(i).layer, *file.node(i).layer));
    }
}

TEST_CASE("With seeded weights a reset gives back exactly the seed's values", "[restore]") {
    Graph seeded = built_network();
    initialize_graph(seeded, 1);
    const WeightShapes original = weight_shapes(seeded);
    Engine engine(seeded.clone());
    const int node = engine.graph().find("res2a_branch2a");
    const Conv2DConfig seed_config = dynamic_cast<const Conv2D&>(*engine.graph().node(node).layer).config();
    Conv2DConfig edited = seed_config;
    edited.kernel_size = {5, 5};
    engine.set_conv_config(node, edited, 1);
    CHECK(names(engine.graph(), resized_nodes(engine.graph(), original)) == std::vector<std::string>{"res2a_branch2a"});
    engine.set_conv_config(node, seed_config, 1);
    CHECK(resized_nodes(engine.graph(), original).empty());
    CHECK(same_weights(*engine.graph().node(node).layer, *seeded.node(node).layer));
}

TEST_CASE("A Keras file loaded while an edit is in place fills every layer the edit did not re-size", "[restore]") {
    convscope_test::TempDir dir;
    Graph file = built_network();
    initialize_graph(file, 77);
    const std::string path = dir / "weights.h5";
    save_keras_weights(file, path);

    Graph edited = built_network();
    initialize_graph(edited, 1);
    const WeightShapes original = weight_shapes(edited);
    const int node = edited.find("res3a_branch2b");
    Conv2DConfig c = dynamic_cast<const Conv2D&>(*edited.node(node).layer).config();
    c.filters = 96;
    dynamic_cast<Conv2D&>(*edited.node(node).layer).set_config(c);
    for (int i : edited.build_weights()) initialize_layer(*edited.node(i).layer, 1, edited.node(i).name);

    // Straight into the edited graph, the file does not fit (this is what an edit used to make fail).
    CHECK_THROWS_AS(load_keras_weights(edited, path), WeightsError);

    Graph unedited = built_network();
    load_keras_weights(unedited, path);
    copy_matching_weights(edited, unedited);
    const std::vector<int> left = resized_nodes(edited, original);
    CHECK(names(edited, left) == std::vector<std::string>{"res3a_branch2b", "bn3a_branch2b", "res3a_branch2c"});
    for (int i = 0; i < edited.size(); ++i) {
        if (std::find(left.begin(), left.end(), i) != left.end()) continue;
        INFO(edited.node(i).name);
        CHECK(same_weights(*edited.node(i).layer, *file.node(i).layer));
    }
}
