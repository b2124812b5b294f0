// The class activation map view's numbers, each recomputed here another way: the map (sum over channels of
// w[k, c] * A_k, summed in the other loop order), the logit (pool first, then the Dense layer), the softmax, and
// the classifier weights the worker hands the UI (against a network built and seeded here).

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include "app/gui/cam_view.hpp"
#include "app/gui/worker.hpp"
#include "core/weights/initializers.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

Tensor3 random_features(std::size_t h, std::size_t w, std::size_t k, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(0.0f, 2.0f);  // after a ReLU: non-negative
    Tensor3 t = Tensor3::from_shape({h, w, k});
    for (float& v : t) v = u(rng);
    return t;
}

WeightArray random_array(std::vector<std::size_t> shape, std::mt19937& rng) {
    std::normal_distribution<float> n(0.0f, 0.1f);
    WeightArray a = WeightArray::from_shape(shape);
    for (float& v : a) v = n(rng);
    return a;
}

}  // namespace

TEST_CASE("class activation map view: map, logit and softmax match an independent computation", "[gui][cam]") {
    std::mt19937 rng(7);
    const std::size_t h = 5, w = 3, k = 37, classes = 11;  // odd sizes, H != W
    auto features = std::make_shared<const Tensor3>(random_features(h, w, k, rng));
    auto fc = std::make_shared<const ClassifierWeights>(
        ClassifierWeights{random_array({k, classes}, rng), random_array({classes}, rng)});
    auto image = std::make_shared<RgbImage>();
    image->height = 13;
    image->width = 9;
    image->pixels.assign(13 * 9 * 3, 100);

    // The network's softmax output, made here the long way round: pool, Dense, softmax.
    std::vector<double> pooled(k, 0.0), logits(classes, 0.0);
    for (std::size_t ch = 0; ch < k; ++ch) {
        for (std::size_t i = 0; i < h; ++i)
            for (std::size_t j = 0; j < w; ++j) pooled[ch] += double((*features)(i, j, ch));
        pooled[ch] /= double(h * w);
    }
    for (std::size_t c = 0; c < classes; ++c) {
        logits[c] = double(fc->bias(c));
        for (std::size_t ch = 0; ch < k; ++ch) logits[c] += double(fc->kernel(ch, c)) * pooled[ch];
    }
    double total = 0.0;
    for (double z : logits) total += std::exp(z);
    auto probabilities = std::make_shared<Tensor3>(Tensor3::from_shape({1, 1, classes}));
    for (std::size_t c = 0; c < classes; ++c) (*probabilities)(0, 0, c) = float(std::exp(logits[c]) / total);

    CamInputs in{features, fc, probabilities, image, 13, 9};
    for (int c : {0, 4, 10}) {
        const CamResult r = compute_cam(in, c);
        REQUIRE(r.map.shape()[0] == h);
        REQUIRE(r.map.shape()[1] == w);
        double mean = 0.0;
        for (std::size_t i = 0; i < h; ++i)
            for (std::size_t j = 0; j < w; ++j) {
                double expected = 0.0;
                for (std::size_t ch = k; ch-- > 0;) expected += double(fc->kernel(ch, std::size_t(c))) * double((*features)(i, j, ch));
                CHECK(r.map(i, j) == Approx(expected).epsilon(1e-5));
                mean += expected / double(h * w);
            }
        CHECK(r.mean == Approx(mean).epsilon(1e-5));
        CHECK(r.bias == fc->bias(std::size_t(c)));
        CHECK(r.logit == Approx(logits[std::size_t(c)]).epsilon(1e-5));
        CHECK(r.softmax == Approx((*probabilities)(0, 0, std::size_t(c))).epsilon(1e-5));
        CHECK(r.network_probability == (*probabilities)(0, 0, std::size_t(c)));
        CHECK(r.picture.height == 13);
        CHECK(r.picture.width == 9);
        CHECK(r.heat.height == 13);
        CHECK(r.heat.width == 9);
        CHECK(r.feature_channels == int(k));
    }
    CHECK_THROWS(compute_cam(in, int(classes)));
    CHECK_THROWS(compute_cam(CamInputs{}, 0));
}

TEST_CASE("class activation map view: the top classes, a class found by name or index, the cell under the mouse",
          "[gui][cam]") {
    Tensor3 p = Tensor3::from_shape({1, 1, 6});
    const float values[6] = {0.1f, 0.3f, 0.05f, 0.3f, 0.2f, 0.05f};
    std::copy(values, values + 6, p.begin());
    CHECK(top_classes(p, 3) == std::vector<int>{1, 3, 4});  // ties: the lower index first
    CHECK(top_classes(p, 10).size() == 6);

    const std::vector<std::string> names = {"tench, Tinca tinca", "goldfish, Carassius auratus", "polecat",
                                            "tabby, tabby cat", "tiger cat", "Persian cat"};
    CHECK(find_classes(names, "cat", 10) == std::vector<int>{3, 4, 5, 2});  // a word starting with it, then within
    CHECK(find_classes(names, "  GOLD ", 10) == std::vector<int>{1});
    CHECK(find_classes(names, "4", 10) == std::vector<int>{4});
    CHECK(find_classes(names, "6", 10).empty());  // no such index
    CHECK(find_classes(names, "cat", 2).size() == 2);
    CHECK(find_classes(names, "zebra", 10).empty());

    CamResult r;
    r.map = Map2::from_shape({7, 7});
    r.picture.height = r.picture.width = 224;
    CHECK(cam_cell_at(r, 0.0f, 0.0f).row == 0);
    CHECK(cam_cell_at(r, 223.9f, 31.9f).col == 6);
    CHECK(cam_cell_at(r, 223.9f, 31.9f).row == 0);
    CHECK(cam_cell_at(r, 32.0f, 64.0f).row == 2);
    CHECK(cam_cell_at(r, 32.0f, 64.0f).col == 1);
    CHECK(cam_cell_at(r, 999.0f, -5.0f).col == 6);
}

TEST_CASE("the worker hands the UI fc1000's weights as the run used them, and the map's features node", "[gui][cam]") {
    JobRequest request;
    request.image_source = sample_source("chelsea");
    request.priority = Job::network;
    request.network.options.height = request.network.options.width = 64;
    request.network.options.last_stage = 5;
    request.network.options.include_top = true;
    request.network.seed = 3;

    Worker worker;
    worker.start(CONVSCOPE_ASSETS_DIR, [] {}, 2);
    worker.post(request);
    std::shared_ptr<const ClassifierWeights> classifier;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!classifier && std::chrono::steady_clock::now() < deadline) {
        for (WorkerEvent& e : worker.drain())
            if (auto* d = std::get_if<event::NetworkDone>(&e.data)) classifier = d->classifier;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    worker.stop();
    REQUIRE(classifier);

    Graph g = build_resnet50(request.network.options);
    g.build_weights();
    initialize_graph(g, 3);
    const int fc = g.find("fc1000");
    REQUIRE(fc >= 0);
    CHECK(classifier->kernel == g.node(fc).layer->weights().at(0).values);
    CHECK(classifier->bias == g.node(fc).layer->weights().at(1).values);
    CHECK(g.node(cam_features_node(g)).name == "res5c_relu");
    CHECK(cam_features_node(build_resnet50(ResNet50Options{})) == -1);  // stage 4, no top
}
