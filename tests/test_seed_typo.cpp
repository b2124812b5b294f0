// The seed's identity_block as written (input_tensor into 2b and 2c): the shapes still fit, 2a and 2b are dead,
// and the output does not depend on them, bit for bit.

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "test_util.hpp"

using namespace convscope;

namespace {

std::set<std::string> dead_names(const Graph& g) {
    std::set<std::string> names;
    for (int i : g.dead_nodes()) names.insert(g.node(i).name);
    return names;
}

// Every node's output, node by node, with the layers' own forward() (no engine caching or fusion involved).
std::vector<Tensor3> forward_all(const Graph& g, const Tensor3& input, const Context& ctx) {
    const std::vector<Shape> shapes = g.shapes_or_throw();
    std::vector<Tensor3> values(std::size_t(g.size()));
    values[0] = input;
    for (int i = 1; i < g.size(); ++i) {
        std::vector<const Tensor3*> in;
        for (int j : g.node(i).inputs) in.push_back(&values[std::size_t(j)]);
        values[std::size_t(i)] = make_tensor(shapes[std::size_t(i)]);
        g.node(i).layer->forward(in, values[std::size_t(i)], ctx);
    }
    return values;
}

}  // namespace

TEST_CASE("the correct network has no dead nodes", "[seed_typo]") {
    CHECK(build_resnet50({}).dead_nodes().empty());
}

TEST_CASE("the seed's identity_block typo: shapes fit, 2a and 2b of every identity block are dead", "[seed_typo]") {
    ResNet50Options o;
    o.seed_identity_typo = true;
    o.last_stage = 5;
    o.include_top = true;
    o.height = o.width = 224;
    const Graph g = build_resnet50(o);
    for (const NodeShape& s : g.infer_shapes()) REQUIRE(s.ok());
    CHECK(plain_shape(g.shapes_or_throw()[std::size_t(g.find("res4f_relu"))]) == "(14, 14, 1024)");

    // Written out from the seed's block list: identity blocks are b, c (stage 2), b-d (3), b-f (4), b, c (5).
    std::set<std::string> expected;
    const std::vector<std::pair<int, std::string>> identity = {{2, "bc"}, {3, "bcd"}, {4, "bcdef"}, {5, "bc"}};
    for (const auto& stage : identity)
        for (char letter : stage.second) {
            const std::string id = std::to_string(stage.first) + letter;
            for (const char* branch : {"2a", "2b"}) {
                expected.insert("res" + id + "_branch" + branch);
                expected.insert("bn" + id + "_branch" + branch);
                expected.insert("res" + id + "_branch" + branch + "_relu");
            }
        }
    CHECK(expected.size() == 12 * 6);
    CHECK(dead_names(g) == expected);

    // 2b and 2c now read the block input (256, 512, 1024 or 2048 channels), so their kernels are larger:
    // 2b (3, 3, 256, 64) instead of (3, 3, 64, 64) in res2b.
    const auto& k2b = g.node(g.find("res2b_branch2b")).layer->weights()[0].values;
    CHECK(python_tuple({k2b.shape().begin(), k2b.shape().end()}) == "(3, 3, 256, 64)");
    const auto& k2c = g.node(g.find("res2b_branch2c")).layer->weights()[0].values;
    CHECK(python_tuple({k2c.shape().begin(), k2c.shape().end()}) == "(1, 1, 256, 256)");
    CHECK(g.node(g.find("res2b_branch2c")).inputs == std::vector<int>{g.find("res2a_relu")});
}

TEST_CASE("with the typo, the output does not depend on the dead branches (bitwise)", "[seed_typo]") {
    ResNet50Options o;
    o.seed_identity_typo = true;
    o.height = 45;
    o.width = 37;
    Graph g = build_resnet50(o);
    initialize_graph(g, 7);
    for (int i = 0; i < g.size(); ++i)  // non-trivial biases, so a dead branch's values are not all zero
        for (Weight& w : g.node(i).layer->mutable_weights())
            if (w.name == "beta") w.values.fill(0.1f);
    Tensor3 x = make_tensor(Shape::image(45, 37, 3));  // (H, W, 3)
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = float((i * 37) % 101) - 50.0f;
    ThreadPool pool(2);
    const Context ctx{&pool, nullptr, Kernels::fast};
    const std::vector<Tensor3> before = forward_all(g, x, ctx);

    // Perturb every weight of every dead node.
    const std::vector<int> dead = g.dead_nodes();
    REQUIRE(!dead.empty());
    for (int i : dead)
        for (Weight& w : g.node(i).layer->mutable_weights())
            for (float& v : w.values) v = v * 3.0f + 0.5f;
    const std::vector<Tensor3> after = forward_all(g, x, ctx);
    CHECK(convscope_test::bitwise_equal(before.back(), after.back()));
    // The dead nodes themselves did change (so the perturbation was real) ...
    CHECK_FALSE(convscope_test::bitwise_equal(before[std::size_t(g.find("res3b_branch2b"))],
                                              after[std::size_t(g.find("res3b_branch2b"))]));
    // ... and perturbing a live node of the same block does change the output.
    for (Weight& w : g.node(g.find("res3b_branch2c")).layer->mutable_weights())
        for (float& v : w.values) v = v * 3.0f + 0.5f;
    CHECK_FALSE(convscope_test::bitwise_equal(before.back(), forward_all(g, x, ctx).back()));
}
