#include "core/layers/layer.hpp"

#include <atomic>

#include "core/errors.hpp"

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

bool resize_weight(Weight& w, const std::vector<std::size_t>& shape) {
    std::vector<std::size_t> have(w.values.shape().begin(), w.values.shape().end());
    if (have == shape) return false;
    w.values = xt::zeros<float>(shape);
    return true;
}

}  // namespace convscope
