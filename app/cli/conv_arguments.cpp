#include "app/cli/conv_arguments.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace convscope::cli {

namespace {

void print_statistics(const char* what, const WeightArray& w) {
    if (w.size() == 0) return;
    double sum = 0.0, squares = 0.0;
    float low = w.data()[0], high = w.data()[0];
    for (float v : w) {
        sum += v;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    const double mean = sum / double(w.size());
    for (float v : w) squares += (v - mean) * (v - mean);
    std::printf("  drawn %s: min %.7g, max %.7g, mean %.7g, std %.7g over %zu values\n", what, double(low), double(high),
                mean, std::sqrt(squares / double(w.size())), std::size_t(w.size()));
}

}  // namespace

std::int64_t kernel_value_count(const std::vector<std::vector<std::size_t>>& weight_shapes) {
    return *weight_bytes({weight_shapes[0]}) / std::int64_t(sizeof(float));  // within the budget output_shape() checked
}

void print_initializers(const Conv2D& conv, const Shape& input, std::uint64_t seed, bool drawn) {
    const Conv2DConfig& c = conv.config();
    const std::vector<std::vector<std::size_t>> shapes = conv.weight_shapes({input});  // (kh, kw, in, filters), (filters,)
    std::cout << "kernel_initializer: " << initializer_formula(c.kernel_initializer, shapes[0]).text << "\n";
    if (drawn) print_statistics("kernel", conv.weights()[0].values);
    if (c.use_bias) {
        std::cout << "bias_initializer: " << initializer_formula(c.bias_initializer, shapes[1]).text << "\n";
        if (drawn) print_statistics("bias", conv.weights()[1].values);
    }
    if (drawn)
        std::cout << "  (seed " << seed << ": the same seed draws the same values)\n";
    else
        std::cout << "  (not drawn: " << with_thousands(kernel_value_count(shapes))
                  << " kernel values are more than shape draws, " << with_thousands(kShapeDrawLimit) << ")\n";
}

void print_training_arguments(const Conv2D& conv, const Tensor3* output, bool drawn) {
    const Conv2DConfig& c = conv.config();
    const bool any = c.kernel_regularizer.active() || c.bias_regularizer.active() || c.activity_regularizer.active() ||
                     c.kernel_constraint.active() || c.bias_constraint.active();
    if (!any) return;
    std::cout << "in training only (the forward pass, shapes and maps do not change):\n";
    if (!drawn) {  // shape on a kernel too large to draw: the penalties need the values
        std::cout << "  the penalties and constraint effects depend on the drawn values; this kernel was not drawn\n";
        return;
    }
    const WeightArray& kernel = conv.weights()[0].values;
    if (c.kernel_regularizer.active())
        std::cout << "  kernel_regularizer " << to_string(c.kernel_regularizer) << " adds "
                  << regularizer_penalty(c.kernel_regularizer, kernel.data(), kernel.size(), "w").formula
                  << " to the loss\n";
    if (c.bias_regularizer.active()) {
        if (c.use_bias) {
            const WeightArray& bias = conv.weights()[1].values;
            std::cout << "  bias_regularizer " << to_string(c.bias_regularizer) << " adds "
                      << regularizer_penalty(c.bias_regularizer, bias.data(), bias.size(), "b").formula << " to the loss\n";
        } else {
            std::cout << "  bias_regularizer " << to_string(c.bias_regularizer) << ": no bias (use_bias=False), nothing\n";
        }
    }
    if (c.activity_regularizer.active()) {
        if (output)
            std::cout << "  activity_regularizer " << to_string(c.activity_regularizer) << " adds "
                      << regularizer_penalty(c.activity_regularizer, output->data(), output->size(), "y").formula
                      << " to the loss (on this output; tf.keras divides it by the batch size, 1 here)\n";
        else
            std::cout << "  activity_regularizer " << to_string(c.activity_regularizer)
                      << " acts on the layer's output: run convscope-cli conv on an input to see its value\n";
    }
    if (c.kernel_constraint.active())
        std::cout << "  kernel_constraint: " << constraint_effect(c.kernel_constraint, kernel, "kernel").text << "\n";
    if (c.bias_constraint.active()) {
        if (c.use_bias)
            std::cout << "  bias_constraint: " << constraint_effect(c.bias_constraint, conv.weights()[1].values, "bias").text
                      << "\n";
        else
            std::cout << "  bias_constraint " << to_string(c.bias_constraint) << ": no bias (use_bias=False), nothing\n";
    }
}

}  // namespace convscope::cli
