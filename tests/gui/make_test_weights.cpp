// make_test_weights: writes a Keras HDF5 weights file for the seed backbone (seeded glorot_uniform), so the
// GUI smoke test can load a file that fits.   make_test_weights OUT.h5 [SEED]
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "core/model/resnet50.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: make_test_weights OUT.h5 [SEED]\n");
        return 2;
    }
    try {
        convscope::Graph g = convscope::build_resnet50({});
        convscope::initialize_graph(g, argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 42);
        convscope::save_keras_weights(g, argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_test_weights: %s\n", e.what());
        return 2;
    }
    return 0;
}
