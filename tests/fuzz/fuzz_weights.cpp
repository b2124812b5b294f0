// libFuzzer: a Keras weights file from anywhere, through load_keras_weights (libhdf5 in the sandboxed
// decoder, the mapping onto a graph here), and the same bytes as a decoder's reply (the program must not
// trust what a subverted decoder sends back). The graph must end with its weights complete or untouched.
#include <cstdint>
#include <memory>

#include "core/errors.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/input_layer.hpp"
#include "core/sandbox/decode_protocol.hpp"
#include "core/weights/keras_h5.hpp"
#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/temp_input.hpp"

namespace {

convscope::Graph small_graph() {  // the network of tests/fixtures/h5 (conv1 -> bn_conv1)
    using namespace convscope;
    Graph g;
    g.add("input", std::make_unique<InputLayer>(Shape::image(5, 5, 2)), {});
    Conv2DConfig conv;
    conv.filters = 3;
    conv.kernel_size = 3;
    g.add("conv1", std::make_unique<Conv2D>(conv), {"input"});
    g.add("bn_conv1", std::make_unique<BatchNormalization>(), {"conv1"});
    g.build_weights();
    return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace convscope;
    try {
        sandbox::decode_weights_structure(data, size);
    } catch (const std::runtime_error&) {
    }
    Graph g = small_graph();
    try {
        load_keras_weights(g, fuzz::temp_input(data, size, ".h5"));
    } catch (const WeightsError& e) {
        fuzz::check_message(e.what());
        // Refused: the weights are the built ones, untouched (zeros for the kernel).
        for (float v : g.node(1).layer->weights()[0].values)
            if (v != 0.0f) __builtin_trap();
    }
    return 0;
}
