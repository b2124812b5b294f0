#pragma once
// Exceptions that carry a message a user can act on: what was wrong and what is expected.
//
//   ConfigError  a layer argument Keras would reject ("strides=(2, 2) with dilation_rate=(2, 2): ...")
//   BudgetError  a ConfigError: weights or outputs over the memory budget, sizes named
//   ShapeError   shapes that do not fit (an output dimension < 1, an Add of different shapes)
//   InputError   a file or array the user gave us that we cannot use (corrupt image, wrong .npy dtype)
//   WeightsError a weights file that is not Keras HDF5 or does not fit the graph
//   Cancelled    a run stopped because a newer request arrived; not an error to show

#include <stdexcept>
#include <string>

namespace convscope {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A configuration refused because its weights or outputs would exceed convscope's memory budget (limits.hpp).
struct BudgetError : ConfigError {
    using ConfigError::ConfigError;
};
struct ShapeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct WeightsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace convscope
