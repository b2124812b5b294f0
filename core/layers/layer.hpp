#pragma once
// The interface every layer kind implements (Conv2D, BatchNormalization, Activation, ZeroPadding2D,
// MaxPooling2D, Add, GlobalAveragePooling2D, Dense, and InputLayer for the graph's input).
//
//   type_name()      the Keras class name, as model.summary() prints it
//   validate()       throws ConfigError naming the bad argument and the rule it breaks
//   output_shape()   from input shapes alone, no data; throws ConfigError or ShapeError
//   build()          (re)allocates the weights for these input shapes, as Keras does on first call;
//                    returns true if the weight shapes changed (the old values are then gone, zeroed)
//   weight_shapes()  the shapes build() gives the weights, computed without allocating anything; a layer
//                    with weights overrides it, and build() sizes weights() to it
//   weights()        Keras order (kernel, bias / gamma, beta, moving_mean, moving_variance), read-only
//   mutable_weights() the same, for changing them: marks the layer changed (a new version())
//   version()        changes whenever the weights or arguments may have changed, so a cache of anything
//                    computed from them (an Engine's packed kernels and outputs) knows it is stale; unique
//                    across all layers, a copy included, so a replaced layer is never taken for the old one
//   macs()           multiply-accumulates of one forward pass, for the shape panel and GFLOPS
//   forward()        inputs -> output; `output` is already sized to output_shape()
//   keras_line()     the equivalent Keras constructor call, e.g. Conv2D(64, (3, 3), padding="same")

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "core/tensor.hpp"
#include "core/thread_pool.hpp"

namespace convscope {

struct Weight {
    std::string name;            // Keras 2 short name: "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"
    WeightArray values;          // Keras layout: Conv2D kernel (kh, kw, in, out), Dense kernel (in, out), vectors (n,)
    bool trainable = true;       // BatchNormalization's moving statistics are not
};

class Layer {
public:
    virtual ~Layer() = default;

    virtual const char* type_name() const = 0;
    virtual int input_count() const { return 1; }
    virtual void validate() const {}
    virtual Shape output_shape(const std::vector<Shape>& inputs) const = 0;
    // Checks the weights budget, then gives weights()[k] the shape weight_shapes()[k], zeroed when it changes.
    virtual bool build(const std::vector<Shape>& inputs);
    virtual std::vector<std::vector<std::size_t>> weight_shapes(const std::vector<Shape>& /*inputs*/) const { return {}; }
    const std::vector<Weight>& weights() const { return weights_; }
    // Hold the reference only for the change: the layer counts as changed when this is called, not later.
    std::vector<Weight>& mutable_weights() {
        changed();
        return weights_;
    }
    std::uint64_t version() const { return version_; }
    virtual std::int64_t macs(const std::vector<Shape>& /*inputs*/) const { return 0; }
    virtual void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const = 0;
    virtual std::string keras_line() const = 0;
    virtual std::unique_ptr<Layer> clone() const = 0;

    std::int64_t param_count() const;            // every weight's element count
    std::int64_t trainable_param_count() const;  // excluding non-trainable weights

protected:
    Layer() = default;
    Layer(const Layer& other) : weights_(other.weights_) {}  // a copy is another layer: a version of its own
    Layer& operator=(const Layer&) = delete;
    // Throws ShapeError unless exactly input_count() inputs were given.
    void expect_inputs(std::size_t given) const;
    // Subclasses call it whenever their weights or arguments change.
    void changed() { version_ = next_version(); }

    std::vector<Weight> weights_;  // Keras order; empty for layers without weights

private:
    static std::uint64_t next_version();
    std::uint64_t version_ = next_version();
};

// The bytes of float32 weights of these shapes, or nullopt when the count does not fit in 64 bits.
std::optional<std::int64_t> weight_bytes(const std::vector<std::vector<std::size_t>>& shapes);
// Throws ConfigError when one layer's weights alone would exceed kWeightsBudgetBytes, naming the shapes.
void check_weights_budget(const std::vector<std::vector<std::size_t>>& shapes);
// Throws ConfigError when an output would exceed kActivationsBudgetBytes, naming its shape and size.
void check_output_budget(std::int64_t h, std::int64_t w, std::int64_t c);

// Sets a weight to `shape` (zero-filled) unless it already has it; returns true if it changed.
bool resize_weight(Weight& w, const std::vector<std::size_t>& shape);

}  // namespace convscope
