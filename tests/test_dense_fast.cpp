// The fast Dense kernel against the reference layer (double sums, column by column) on odd sizes and fixed
// seeds, with and without bias; bitwise thread-count invariance; cancellation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <vector>

#include "core/errors.hpp"
#include "core/kernels/fast/dense_fast.hpp"
#include "core/layers/dense.hpp"
#include "core/tensor.hpp"

using namespace convscope;

namespace {

// The Dense layer's output for x, with the given kernels. x (1, 1, in); weights filled from `seed`.
std::vector<float> dense_output(int in, int units, bool use_bias, unsigned seed, Kernels kernels, ThreadPool* pool) {
    Dense dense(DenseConfig{units, use_bias, ActivationKind::linear});
    dense.build({Shape::vector(in)});
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (Weight& w : dense.mutable_weights())
        for (float& v : w.values) v = uniform(rng);
    Tensor3 x = make_tensor(Shape::vector(in));  // (1, 1, in)
    for (float& v : x) v = uniform(rng) * 4.0f;
    Tensor3 out = make_tensor(Shape::vector(units));  // (1, 1, units)
    const Context ctx{pool, nullptr, kernels};
    std::vector<const Tensor3*> inputs{&x};
    dense.forward(inputs, out, ctx);
    return std::vector<float>(out.begin(), out.end());
}

}  // namespace

TEST_CASE("dense_fast matches the reference Dense on odd sizes", "[dense_fast]") {
    ThreadPool pool(2);
    double worst = 0.0;
    int worst_in = 0, worst_units = 0;
    unsigned seed = 1;
    for (int in : {1, 3, 17, 64, 333, 2048})
        for (int units : {1, 5, 63, 64, 65, 130, 1000})
            for (bool bias : {false, true}) {
                const std::vector<float> want = dense_output(in, units, bias, seed, Kernels::reference, &pool);
                const std::vector<float> got = dense_output(in, units, bias, seed, Kernels::fast, &pool);
                ++seed;
                // Relative to the output's scale: a single output near zero may come from cancellation.
                double scale = 1e-6, diff = 0.0;
                for (std::size_t i = 0; i < want.size(); ++i) {
                    scale = std::max(scale, double(std::fabs(want[i])));
                    diff = std::max(diff, double(std::fabs(got[i] - want[i])));
                }
                if (diff / scale > worst) worst = diff / scale, worst_in = in, worst_units = units;
            }
    INFO("worst relative error " << worst << " at in " << worst_in << ", units " << worst_units);
    CHECK(worst <= 1e-5);
}

TEST_CASE("dense_fast: thread-count invariance and cancellation", "[dense_fast]") {
    ThreadPool one(1), two(2), three(3);
    const std::vector<float> r1 = dense_output(2048, 1000, true, 7, Kernels::fast, &one);
    CHECK(dense_output(2048, 1000, true, 7, Kernels::fast, &two) == r1);
    CHECK(dense_output(2048, 1000, true, 7, Kernels::fast, &three) == r1);
    CHECK(dense_output(2048, 1000, true, 7, Kernels::fast, nullptr) == r1);

    std::atomic<bool> cancel{true};
    const Context ctx{&two, &cancel};
    std::vector<float> x(100, 1.0f), kernel(100 * 300, 0.5f), y(300);  // (in), (in, units), (units)
    CHECK_THROWS_AS(dense_fast(x.data(), kernel.data(), nullptr, y.data(), 100, 300, ctx), Cancelled);
}
