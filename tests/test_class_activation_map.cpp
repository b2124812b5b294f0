// Predictions and class activation maps. The CAM is checked against the classifier itself: the mean of
// CAM_c over the map plus fc1000's bias is class c's logit, so softmax over those must be the fc1000 output
// the engine computed through GlobalAveragePooling2D and its own Dense kernel.

#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "core/analysis/class_activation_map.hpp"
#include "core/analysis/predictions.hpp"
#include "core/errors.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "test_util.hpp"

using namespace convscope;

namespace {

EngineOptions threads(int n) {
    EngineOptions o;
    o.threads = n;
    return o;
}

}  // namespace

TEST_CASE("top predictions: most probable first, ties to the lower index, names by index", "[predictions]") {
    Tensor3 p = Tensor3::from_shape({1, 1, 6});  // (1, 1, classes)
    const float values[6] = {0.1f, 0.3f, 0.05f, 0.3f, 0.2f, 0.05f};
    std::copy(values, values + 6, p.data());
    const std::vector<std::string> names = {"zero", "one", "two", "three", "four"};
    const std::vector<Prediction> top = top_predictions(p, 4, names);
    REQUIRE(top.size() == 4);
    CHECK(top[0].rank == 1);
    CHECK(top[0].index == 1);
    CHECK(top[0].name == "one");
    CHECK(top[1].index == 3);
    CHECK(top[2].index == 4);
    CHECK(top[2].probability == 0.2f);
    CHECK(top[3].index == 0);
    CHECK(top_predictions(p, 10, names).back().name == "class 5");  // no name for it: said plainly
}

TEST_CASE("the bundled class names are ImageNet's 1000, in index order", "[predictions]") {
    const std::vector<std::string> names = load_class_names(std::string(CONVSCOPE_ASSETS_DIR) + "/imagenet_classes.txt");
    REQUIRE(names.size() == 1000);
    CHECK(names[0] == "tench, Tinca tinca");
    CHECK(names[285] == "Egyptian cat");
    convscope_test::TempDir dir;
    CHECK_THROWS_WITH(load_class_names(dir.write("short.txt", {'a', '\n', 'b', '\n'})),
                      Catch::Contains("2 lines, expected 1000"));
}

TEST_CASE("CAM on a hand-sized example", "[cam]") {
    Tensor3 a = Tensor3::from_shape({2, 2, 3});  // (H, W, K)
    for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = float(i);  // pixel p holds 3p, 3p+1, 3p+2
    WeightArray kernel = WeightArray::from_shape({3, 2});  // (K, classes)
    const float w[6] = {1, 0, -1, 2, 0.5f, 0};            // class 0: (1, -1, 0.5); class 1: (0, 2, 0)
    std::copy(w, w + 6, kernel.data());
    const Map2 cam0 = class_activation_map(a, kernel, 0);
    REQUIRE(cam0.shape()[0] == 2);
    REQUIRE(cam0.shape()[1] == 2);
    // pixel p: 3p - (3p + 1) + 0.5 (3p + 2) = 1.5p
    CHECK(cam0(0, 0) == 0.0f);
    CHECK(cam0(0, 1) == 1.5f);
    CHECK(cam0(1, 0) == 3.0f);
    CHECK(cam0(1, 1) == 4.5f);
    const Map2 cam1 = class_activation_map(a, kernel, 1);
    CHECK(cam1(1, 1) == 20.0f);  // 2 * (3 * 3 + 1)
    CHECK_THROWS_WITH(class_activation_map(a, kernel, 2), Catch::Contains("class 2: expected 0 to 1"));
    WeightArray wrong = WeightArray::from_shape({4, 2});
    CHECK_THROWS_AS(class_activation_map(a, wrong, 0), ShapeError);
}

TEST_CASE("CAM: mean over the map plus the bias is the logit behind fc1000's softmax", "[cam]") {
    ResNet50Options o;
    o.height = o.width = 67;  // odd, small: res5c is 3x3
    o.last_stage = 5;
    o.include_top = true;
    Graph graph = build_resnet50(o);
    graph.shapes_or_throw();
    initialize_graph(graph, 7);
    const int fc = graph.find("fc1000");
    // A bias that is not zero, so that leaving it out of the map (as CAM does) is seen by the check.
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
    WeightArray& bias = graph.node(fc).layer->mutable_weights().at(1).values;  // (1000,)
    for (float& b : bias) b = uniform(rng);
    const WeightArray bias_copy = bias;

    Engine engine(std::move(graph), threads(2));
    Tensor3 input = Tensor3::from_shape({67, 67, 3});  // (H, W, 3)
    for (float& v : input) v = uniform(rng) * 200.0f;
    engine.set_input(input);
    engine.run();
    const Tensor3& softmax = *engine.output(fc);  // (1, 1, 1000)
    REQUIRE(find_cam_source(engine.graph()).features == engine.graph().find("res5c_relu"));

    std::vector<double> logits(1000);
    for (int c = 0; c < 1000; ++c) {
        const Map2 cam = class_activation_map(engine, c);
        REQUIRE(cam.shape()[0] == 3);
        double sum = 0;
        for (float v : cam) sum += v;
        logits[std::size_t(c)] = sum / double(cam.size()) + bias_copy(c);
    }
    double top = logits[0], total = 0;
    for (double l : logits) top = std::max(top, l);
    for (double l : logits) total += std::exp(l - top);
    double worst = 0;
    for (int c = 0; c < 1000; ++c) {
        const double p = std::exp(logits[std::size_t(c)] - top) / total;
        worst = std::max(worst, std::abs(p - double(softmax.data()[c])) / double(softmax.data()[c]));
    }
    INFO("largest relative difference " << worst);
    CHECK(worst < 1e-4);
}

TEST_CASE("CAM needs the classifier top", "[cam]") {
    Graph graph = build_resnet50(ResNet50Options{64, 64, 5, false});
    CHECK_THROWS_WITH(find_cam_source(graph), Catch::Contains("--include-top"));
}

TEST_CASE("CAM picture: bilinear at pixel centres, blended over the image", "[cam]") {
    Map2 map = Map2::from_shape({2, 2});  // (H, W)
    map(0, 0) = 0;
    map(0, 1) = 4;
    map(1, 0) = 8;
    map(1, 1) = 12;
    const Map2 up = upsample_bilinear(map, 4, 4);
    CHECK(up(0, 0) == 0.0f);  // the edge pixels are clamped to the corner cells
    CHECK(up(0, 1) == 1.0f);  // a quarter of the way from 0 to 4
    CHECK(up(0, 2) == 3.0f);
    CHECK(up(0, 3) == 4.0f);
    CHECK(up(1, 0) == 2.0f);  // a quarter of the way from 0 to 8
    CHECK(up(3, 3) == 12.0f);

    RgbImage image;
    image.height = image.width = 4;
    image.pixels.assign(4 * 4 * 3, 100);
    const RgbaImage none = render_cam_overlay(map, image, 0.0f);
    CHECK(none.at(2, 1)[0] == 100);
    const RgbaImage full = render_cam_overlay(map, image, 1.0f, Colormap::gray);
    CHECK(full.at(0, 0)[0] == 0);    // the map's minimum
    CHECK(full.at(3, 3)[0] == 255);  // its maximum
    CHECK(full.at(3, 3)[3] == 255);
}

TEST_CASE("the picture behind a caffe input is the image it was made from", "[cam]") {
    RgbImage image;
    image.height = 3;
    image.width = 5;
    for (int i = 0; i < 45; ++i) image.pixels.push_back(std::uint8_t(i * 37 % 256));
    const RgbImage back = caffe_unpreprocess(caffe_preprocess(image));
    CHECK(back.pixels == image.pixels);
}
