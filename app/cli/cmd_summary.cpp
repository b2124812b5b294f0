// convscope-cli summary: the layer table Keras' model.summary() prints, for the seed's ResNet50.

#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"

namespace convscope::cli {

int cmd_summary(Args& args) {
    const ResNet50Options o = parse_model_options(args, 600);
    args.finish();
    const Graph g = build_resnet50(o);
    const std::vector<Shape> shapes = g.shapes_or_throw();  // every node's; a ShapeError names the node

    const std::string rule(110, '_'), double_rule(110, '=');
    std::cout << "Model: \"resnet50\"\n" << rule << "\n";
    auto row = [](const std::string& layer, const std::string& shape, const std::string& params,
                  const std::string& connected) {
        std::cout << " " << std::left << std::setw(44) << layer << std::setw(24) << shape << std::setw(12) << params
                  << connected << "\n";
    };
    row("Layer (type)", "Output Shape", "Param #", "Connected to");
    std::cout << double_rule << "\n";
    for (int i = 0; i < g.size(); ++i) {
        const Node& n = g.node(i);
        std::string shape = keras_shape(shapes[std::size_t(i)]);
        if (n.inputs.empty()) shape = "[" + shape + "]";
        std::ostringstream connected;
        connected << "[";
        for (std::size_t k = 0; k < n.inputs.size(); ++k)
            connected << (k ? ", " : "") << "'" << g.node(n.inputs[k]).name << "[0][0]'";
        connected << "]";
        row(n.name + " (" + n.layer->type_name() + ")", shape, with_thousands(n.layer->param_count()), connected.str());
        std::cout << "\n";
    }
    std::cout << double_rule << "\n";
    const std::int64_t total = g.param_count(), trainable = g.trainable_param_count();
    std::cout << "Total params: " << with_thousands(total) << "\n";
    std::cout << "Trainable params: " << with_thousands(trainable) << "\n";
    std::cout << "Non-trainable params: " << with_thousands(total - trainable) << "\n";
    std::cout << rule << "\n";
    return 0;
}

}  // namespace convscope::cli
