#include "core/model/resnet50.hpp"

#include "core/errors.hpp"
#include "core/layers/activation.hpp"
#include "core/layers/add.hpp"
#include "core/layers/batch_normalization.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/dense.hpp"
#include "core/layers/global_average_pooling2d.hpp"
#include "core/layers/input_layer.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"

namespace convscope {

void validate(const ResNet50Options& o) {
    if (o.height < 1 || o.width < 1)
        throw ConfigError("input size " + std::to_string(o.height) + "x" + std::to_string(o.width) +
                          ": height and width must be at least 1");
    if (o.last_stage != 4 && o.last_stage != 5)
        throw ConfigError("stages=" + std::to_string(o.last_stage) + ": the backbone ends after stage 4 or 5");
    if (o.include_top && o.last_stage != 5)
        throw ConfigError("include_top needs stage 5: the classifier reads res5c's 2048 channels");
}

namespace {

std::unique_ptr<Layer> conv(int filters, int kernel, int strides = 1, Padding padding = Padding::valid) {
    Conv2DConfig c;
    c.filters = filters;
    c.kernel_size = kernel;
    c.strides = strides;
    c.padding = padding;
    return std::make_unique<Conv2D>(c);
}
std::unique_ptr<Layer> bn() { return std::make_unique<BatchNormalization>(); }
std::unique_ptr<Layer> relu() { return std::make_unique<Activation>(ActivationConfig{ActivationKind::relu}); }

// Keras' conv_block (strides on 2a and on the projection shortcut 1) or identity_block.
std::string add_block(Graph& g, const std::string& input, int stage, char letter, const int (&filters)[3],
                      BlockKind kind, int strides, bool seed_typo) {
    const std::string id = std::to_string(stage) + letter;
    const std::string res = "res" + id, bn_name = "bn" + id;
    Block b;
    b.name = res;
    b.kind = kind;
    b.stage = stage;
    b.input = g.find(input);
    b.main_path.push_back(g.add(res + "_branch2a", conv(filters[0], 1, strides), {input}));
    b.main_path.push_back(g.add(bn_name + "_branch2a", bn(), {res + "_branch2a"}));
    b.main_path.push_back(g.add(res + "_branch2a_relu", relu(), {bn_name + "_branch2a"}));
    // The seed's identity_block text passes input_tensor where x was meant, to 2b and to 2c.
    const bool typo = seed_typo && kind == BlockKind::identity_block;
    b.main_path.push_back(
        g.add(res + "_branch2b", conv(filters[1], 3, 1, Padding::same), {typo ? input : res + "_branch2a_relu"}));
    b.main_path.push_back(g.add(bn_name + "_branch2b", bn(), {res + "_branch2b"}));
    b.main_path.push_back(g.add(res + "_branch2b_relu", relu(), {bn_name + "_branch2b"}));
    b.main_path.push_back(g.add(res + "_branch2c", conv(filters[2], 1), {typo ? input : res + "_branch2b_relu"}));
    b.main_path.push_back(g.add(bn_name + "_branch2c", bn(), {res + "_branch2c"}));
    std::string shortcut = input;
    if (kind == BlockKind::conv_block) {
        b.shortcut.push_back(g.add(res + "_branch1", conv(filters[2], 1, strides), {input}));
        b.shortcut.push_back(g.add(bn_name + "_branch1", bn(), {res + "_branch1"}));
        shortcut = bn_name + "_branch1";
    }
    b.add = g.add(res + "_add", std::make_unique<Add>(), {bn_name + "_branch2c", shortcut});
    b.output = g.add(res + "_relu", relu(), {res + "_add"});
    g.blocks.push_back(b);
    return res + "_relu";
}

}  // namespace

Graph build_resnet50(const ResNet50Options& o, bool with_weights) {
    validate(o);
    Graph g;
    g.add("input", std::make_unique<InputLayer>(Shape::image(o.height, o.width, 3)), {});
    g.add("conv1_pad", std::make_unique<ZeroPadding2D>(ZeroPadding2DConfig::symmetric(3, 3)), {"input"});
    g.add("conv1", conv(64, 7, 2), {"conv1_pad"});
    g.add("bn_conv1", bn(), {"conv1"});
    g.add("conv1_relu", relu(), {"bn_conv1"});
    MaxPooling2DConfig pool;
    pool.pool_size = 3;
    pool.strides = IntPair(2);
    pool.padding = Padding::same;
    g.add("pool1", std::make_unique<MaxPooling2D>(pool), {"conv1_relu"});

    struct Stage {
        int number;
        int blocks;
        int filters[3];
        int strides;
    };
    const Stage stages[] = {{2, 3, {64, 64, 256}, 1},
                            {3, 4, {128, 128, 512}, 2},
                            {4, 6, {256, 256, 1024}, 2},
                            {5, 3, {512, 512, 2048}, 2}};
    std::string x = "pool1";
    for (const Stage& s : stages) {
        if (s.number > o.last_stage) break;
        for (int i = 0; i < s.blocks; ++i) {
            const BlockKind kind = i == 0 ? BlockKind::conv_block : BlockKind::identity_block;
            x = add_block(g, x, s.number, char('a' + i), s.filters, kind, i == 0 ? s.strides : 1, o.seed_identity_typo);
        }
    }
    if (o.include_top) {
        g.add("avg_pool", std::make_unique<GlobalAveragePooling2D>(), {x});
        g.add("fc1000", std::make_unique<Dense>(DenseConfig{1000, true, ActivationKind::softmax}), {"avg_pool"});
    }
    // Allocate weights where shapes allow it, so parameter counts are right from the start. An input
    // too small for the network is not an error here: infer_shapes() tells the user at which node.
    if (with_weights) g.build_weights();
    return g;
}

}  // namespace convscope
