// convscope-cli summary: the layer table Keras' model.summary() prints, for the seed's ResNet50, with two
// columns Keras lacks (multiply-accumulates of one forward pass, the float32 output's size); optionally
// with each node's receptive field, and with the seed's identity_block typo and its dead layers marked.

#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/model/receptive_field.hpp"

namespace convscope::cli {

namespace {

std::string pair_text(int rows, int cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

}  // namespace

int cmd_summary(Args& args) {
    const ResNet50Options o = parse_model_options(args, 600);
    const bool fields = args.has("receptive-field");
    args.finish();
    const Graph g = build_resnet50(o);
    const std::vector<Shape> shapes = g.shapes_or_throw();  // every node's; a ShapeError names the node
    const std::vector<NodeField> rf = fields ? receptive_fields(g) : std::vector<NodeField>{};
    const std::vector<int> dead_list = g.dead_nodes();
    const std::set<int> dead(dead_list.begin(), dead_list.end());

    const std::vector<std::int64_t> macs = g.node_macs();
    const std::size_t width = fields ? 180 : 140;
    const std::string rule(width, '_'), double_rule(width, '=');
    std::cout << "Model: \"resnet50\"" << (o.seed_identity_typo ? " (identity blocks as the seed's text wrote them)" : "")
              << "\n" << rule << "\n";
    auto row = [&](const std::string& layer, const std::string& shape, const std::string& params,
                   const std::string& mac, const std::string& memory, const std::vector<std::string>& field,
                   const std::string& connected) {
        std::cout << " " << std::left << std::setw(44) << layer << std::setw(24) << shape << std::setw(12) << params
                  << std::setw(16) << mac << std::setw(14) << memory;
        if (fields) std::cout << std::setw(11) << field[0] << std::setw(8) << field[1] << std::setw(21) << field[2];
        std::cout << connected << "\n";
    };
    row("Layer (type)", "Output Shape", "Param #", "MACs", "Output bytes", {"RF size", "Jump", "Start (row, col)"},
        "Connected to");
    std::int64_t total_macs = 0, total_bytes = 0;
    std::cout << double_rule << "\n";
    std::int64_t dead_params = 0;
    for (int i = 0; i < g.size(); ++i) {
        const Node& n = g.node(i);
        std::string shape = keras_shape(shapes[std::size_t(i)]);
        if (n.inputs.empty()) shape = "[" + shape + "]";
        std::ostringstream connected;
        connected << "[";
        for (std::size_t k = 0; k < n.inputs.size(); ++k)
            connected << (k ? ", " : "") << "'" << g.node(n.inputs[k]).name << "[0][0]'";
        connected << "]";
        if (dead.count(i)) {
            connected << "   DEAD: no path to the output";
            dead_params += n.layer->param_count();
        }
        std::vector<std::string> field{"", "", ""};
        if (fields) {
            const NodeField& f = rf[std::size_t(i)];
            if (f.global) field = {"all", "-", "-"};
            else
                field = {pair_text(f.rows.size(), f.cols.size()), pair_text(f.rows.jump, f.cols.jump),
                         "(" + std::to_string(f.rows.first) + ", " + std::to_string(f.cols.first) + ")"};
        }
        const std::int64_t bytes = shapes[std::size_t(i)].size() * std::int64_t(sizeof(float));
        total_macs += macs[std::size_t(i)];
        total_bytes += bytes;
        row(n.name + " (" + n.layer->type_name() + ")", shape, with_thousands(n.layer->param_count()),
            with_thousands(macs[std::size_t(i)]), with_thousands(bytes), field, connected.str());
        std::cout << "\n";
    }
    std::cout << double_rule << "\n";
    const std::int64_t total = g.param_count(), trainable = g.trainable_param_count();
    std::cout << "Total params: " << with_thousands(total) << "\n";
    std::cout << "Trainable params: " << with_thousands(trainable) << "\n";
    std::cout << "Non-trainable params: " << with_thousands(total - trainable) << "\n";
    std::cout << "Total MACs: " << with_thousands(total_macs) << "\n";
    std::cout << "Total output bytes: " << with_thousands(total_bytes) << " (float32, every node's output)\n";
    std::cout << rule << "\n";
    if (fields)
        std::cout << "RF size: input pixels (rows x cols) one activation depends on; Jump: input pixels between\n"
                     "neighbouring activations (the product of strides so far); Start: the input row and column\n"
                     "where the field of activation (0, 0) begins (negative: it reaches into the zero padding).\n"
                     "Activation (r, c) reads rows start_row + r * jump .. + size - 1, likewise columns.\n";
    if (!dead.empty()) {
        std::cout << dead.size() << " layers are dead (no path to the output), holding " << with_thousands(dead_params)
                  << " of the parameters above.\n";
        if (o.seed_identity_typo)
            std::cout << "The seed's identity_block feeds input_tensor instead of x into branch2b and branch2c. Every\n"
                         "shape still fits (2c still gives the block's channel count, so the Add works), which is why\n"
                         "the typo goes unnoticed; but branches 2a and 2b, with their BN and ReLU, are computed and\n"
                         "never used, and each identity block is reduced to relu(input + bn(conv1x1(input))). Keras'\n"
                         "Model() would leave the dead layers out of the model altogether.\n";
    }
    return 0;
}

}  // namespace convscope::cli
