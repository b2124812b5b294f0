#include "core/layers/layer.hpp"

#include <atomic>
#include <cassert>
#include <climits>

#include "core/errors.hpp"
#include "core/limits.hpp"

namespace convscope {

std::uint64_t Layer::next_version() {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::int64_t Layer::param_count() const {
    std::int64_t n = 0;
    for (const auto& w : weights()) n += std::int64_t(w.values.size());
    return n;
}

std::int64_t Layer::trainable_param_count() const {
    std::int64_t n = 0;
    for (const auto& w : weights())
        if (w.trainable) n += std::int64_t(w.values.size());
    return n;
}

void Layer::expect_inputs(std::size_t given) const {
    if (given != std::size_t(input_count()))
        throw ShapeError(std::string(type_name()) + " takes " + std::to_string(input_count()) + " input(s), got " +
                         std::to_string(given));
}

bool Layer::build(const std::vector<Shape>& inputs) {
    const std::vector<std::vector<std::size_t>> shapes = weight_shapes(inputs);
    check_weights_budget(shapes);
    assert(shapes.size() == weights_.size());
    bool resized = false;
    for (std::size_t k = 0; k < shapes.size(); ++k) resized = resize_weight(weights_[k], shapes[k]) || resized;
    if (resized) changed();
    return resized;
}

std::optional<std::int64_t> weight_bytes(const std::vector<std::vector<std::size_t>>& shapes) {
    std::int64_t total = 0;
    for (const auto& shape : shapes) {
        std::optional<std::int64_t> n = std::int64_t(sizeof(float));
        for (std::size_t d : shape) n = n && d <= std::size_t(INT64_MAX) ? checked_mul(*n, std::int64_t(d)) : std::nullopt;
        const auto sum = n ? checked_add(total, *n) : std::nullopt;
        if (!sum) return std::nullopt;
        total = *sum;
    }
    return total;
}

void check_weights_budget(const std::vector<std::vector<std::size_t>>& shapes) {
    const auto bytes = weight_bytes(shapes);
    if (bytes && *bytes <= kWeightsBudgetBytes) return;
    std::string names;
    for (const auto& s : shapes) names += (names.empty() ? "" : " + ") + python_tuple(s);
    throw BudgetError("the weights " + names + " would take " + byte_size_text(bytes) +
                      "; convscope's weights budget is " + byte_size_text(kWeightsBudgetBytes));
}

void check_output_budget(std::int64_t h, std::int64_t w, std::int64_t c) {
    const auto bytes = checked_product({h, w, c, std::int64_t(sizeof(float))});
    if (bytes && *bytes <= kActivationsBudgetBytes) return;
    throw BudgetError("the output (" + std::to_string(h) + ", " + std::to_string(w) + ", " + std::to_string(c) +
                      ") would take " + byte_size_text(bytes) + "; convscope's activations budget is " +
                      byte_size_text(kActivationsBudgetBytes));
}

bool resize_weight(Weight& w, const std::vector<std::size_t>& shape) {
    std::vector<std::size_t> have(w.values.shape().begin(), w.values.shape().end());
    if (have == shape) return false;
    w.values = xt::zeros<float>(shape);
    return true;
}

}  // namespace convscope
