// make_test_weights: writes a Keras HDF5 weights file for the seed backbone (seeded glorot_uniform), so the
// GUI smoke test can load a file that fits, or (STAGES 5) the whole ResNet50 without the top, 94 MB, for timing
// the weights loader.   make_test_weights OUT.h5 [SEED] [STAGES]
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: make_test_weights OUT.h5 [SEED] [STAGES]\n");
        return 2;
    }
    try {
        convscope::ResNet50Options o;
        if (argc > 3) o.last_stage = std::atoi(argv[3]);
        convscope::Graph g = convscope::build_resnet50(o);
        convscope::initialize_graph(g, argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 42);
        convscope::save_keras_weights(g, argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_test_weights: %s\n", e.what());
        return 2;
    }
    return 0;
}
