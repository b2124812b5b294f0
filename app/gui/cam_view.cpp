#include "app/gui/cam_view.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

#include "core/errors.hpp"

namespace convscope::gui {

namespace {

std::string lower(std::string s) {
    for (char& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// Every class's logit z = W^T * mean_ij(A) + b, in double: the softmax needs all of them.
std::vector<double> all_logits(const Tensor3& features, const ClassifierWeights& fc) {
    const std::size_t cells = features.shape()[0] * features.shape()[1], k_count = features.shape()[2];
    const std::size_t classes = fc.kernel.shape()[1];
    std::vector<double> pooled(k_count, 0.0);  // GlobalAveragePooling2D
    const float* a = features.data();
    for (std::size_t p = 0; p < cells; ++p)
        for (std::size_t k = 0; k < k_count; ++k) pooled[k] += a[p * k_count + k];
    for (double& v : pooled) v /= double(cells);
    std::vector<double> z(classes, 0.0);
    const float* w = fc.kernel.data();  // (K, classes)
    for (std::size_t k = 0; k < k_count; ++k)
        for (std::size_t c = 0; c < classes; ++c) z[c] += double(w[k * classes + c]) * pooled[k];
    for (std::size_t c = 0; c < classes; ++c) z[c] += double(fc.bias.data()[c]);
    return z;
}

}  // namespace

CamResult compute_cam(const CamInputs& in, int class_index) {
    if (!in.complete()) throw ConfigError("class activation map: the network has not finished a run with its top yet");
    const ClassifierWeights& fc = *in.classifier;
    CamResult r;
    r.class_index = class_index;
    r.map = class_activation_map(*in.features, fc.kernel, class_index);  // checks shapes and the class
    r.feature_channels = int(in.features->shape()[2]);
    const auto [lo, hi] = std::minmax_element(r.map.begin(), r.map.end());
    r.min = *lo;
    r.max = *hi;
    r.mean = float(std::accumulate(r.map.begin(), r.map.end(), 0.0) / double(r.map.size()));
    if (fc.bias.size() != fc.kernel.shape()[1])
        throw ShapeError("class activation map: fc1000's bias has " + std::to_string(fc.bias.size()) + " values for " +
                         std::to_string(fc.kernel.shape()[1]) + " classes");
    r.bias = fc.bias.data()[class_index];
    r.logit = r.mean + r.bias;
    const std::vector<double> z = all_logits(*in.features, fc);
    const double z_max = *std::max_element(z.begin(), z.end());  // subtracted: exp() of a large logit overflows
    double sum = 0.0;
    for (double v : z) sum += std::exp(v - z_max);
    r.softmax = float(std::exp(z[std::size_t(class_index)] - z_max) / sum);
    if (in.probabilities && std::size_t(class_index) < in.probabilities->size())
        r.network_probability = in.probabilities->data()[class_index];
    r.picture = resize_image(*in.image, in.input_height, in.input_width);  // as the network job resizes it
    r.heat = render_cam_overlay(r.map, r.picture, 1.0f, Colormap::magma);
    return r;
}

std::vector<int> top_classes(const Tensor3& probabilities, int k) {
    std::vector<int> order(probabilities.size());
    std::iota(order.begin(), order.end(), 0);
    const std::size_t n = std::min(order.size(), std::size_t(std::max(k, 0)));
    const float* p = probabilities.data();
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(n), order.end(),
                      [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    order.resize(n);
    return order;
}

std::vector<int> find_classes(const std::vector<std::string>& names, const std::string& query, int limit) {
    std::vector<int> found;
    std::string q = query;
    q.erase(0, q.find_first_not_of(' '));
    q.erase(q.find_last_not_of(' ') + 1);
    if (q.empty() || limit <= 0) return found;
    if (std::all_of(q.begin(), q.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
        if (q.size() <= 4) {
            const int index = std::stoi(q);
            if (index < int(names.size())) found.push_back(index);
        }
        return found;
    }
    q = lower(q);
    std::vector<int> starts, contains;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string name = lower(names[i]);
        const std::size_t at = name.find(q);
        if (at == std::string::npos) continue;
        // "Starts" also counts a synonym after a comma: "tabby, tabby cat".
        const bool word_start = at == 0 || name[at - 1] == ' ' || name[at - 1] == ',';
        (word_start ? starts : contains).push_back(int(i));
    }
    for (int i : starts)
        if (int(found.size()) < limit) found.push_back(i);
    for (int i : contains)
        if (int(found.size()) < limit) found.push_back(i);
    return found;
}

int cam_features_node(const Graph& graph) {
    const int pool = graph.find("avg_pool");
    if (pool < 0 || graph.find("fc1000") < 0) return -1;
    return graph.node(pool).inputs.at(0);
}

CamCell cam_cell_at(const CamResult& r, float x, float y) {
    const int h = int(r.map.shape()[0]), w = int(r.map.shape()[1]);
    const int ph = std::max(1, r.picture.height), pw = std::max(1, r.picture.width);
    CamCell c;
    c.row = std::clamp(int(std::floor(y * float(h) / float(ph))), 0, h - 1);
    c.col = std::clamp(int(std::floor(x * float(w) / float(pw))), 0, w - 1);
    return c;
}

}  // namespace convscope::gui
