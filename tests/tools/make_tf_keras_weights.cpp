// make_tf_keras_weights: the same ResNet50 weights (fixture_weights.hpp's formula, a different value in every
// place) written twice, under the seed's layer names and under tf.keras' (tf_keras_file.hpp), for the CLI
// tests of tf.keras files.   make_tf_keras_weights SEED_NAMED.h5 TF_KERAS.h5 [--top]
// Without --top: the default backbone (stages 2-4, about 34 MB each); with it: all stages and fc1000.
#include <cstdio>
#include <cstring>
#include <exception>

#include "core/model/resnet50.hpp"
#include "core/weights/keras_h5.hpp"
#include "fixture_weights.hpp"
#include "tf_keras_file.hpp"

int main(int argc, char** argv) {
    const bool top = argc == 4 && std::strcmp(argv[3], "--top") == 0;
    if (argc != 3 && !top) {
        std::fprintf(stderr, "usage: make_tf_keras_weights SEED_NAMED.h5 TF_KERAS.h5 [--top]\n");
        return 2;
    }
    try {
        convscope::ResNet50Options o;
        if (top) o = {224, 224, 5, true};
        convscope::Graph g = convscope::build_resnet50(o);
        convscope_test::fill_formula_weights(g);
        convscope::save_keras_weights(g, argv[1]);
        convscope_test::write_tf_keras_weights(g, argv[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_tf_keras_weights: %s\n", e.what());
        return 2;
    }
    return 0;
}
