// convscope-cli conv: one Keras Conv2D on .npy arrays, for checking the engine against anything else.

#include <iostream>

#include "app/cli/commands.hpp"
#include "app/cli/model_options.hpp"
#include "core/errors.hpp"
#include "core/export/npy.hpp"
#include "core/layers/conv2d.hpp"

namespace convscope::cli {

int cmd_conv(Args& args) {
    const std::string input_path = args.get("input"), kernel_path = args.get("kernel"), out_path = args.get("out");
    Conv2DConfig c = parse_conv_config(args, "valid");  // kernel size and filters come from the kernel file
    c.activation = parse_activation(args.get_or("activation", "None"));
    const bool has_bias = args.has("bias");
    const std::string bias_path = has_bias ? args.get("bias") : "";
    const bool reference = args.has("reference");
    args.finish();

    const Tensor3 x = load_npy_hwc(input_path);                    // (H, W, Cin)
    const xt::xtensor<float, 4> w = load_npy_kernel(kernel_path);  // (kh, kw, Cin, F)
    if (w.shape()[2] != x.shape()[2])
        throw InputError(kernel_path + ": kernel has " + std::to_string(w.shape()[2]) + " input channels (axis 2 of " +
                         "(kh, kw, in, out)), but " + input_path + " has " + std::to_string(x.shape()[2]) + " channels");
    c.kernel_size = IntPair(int(w.shape()[0]), int(w.shape()[1]));
    c.filters = int(w.shape()[3]);
    c.use_bias = has_bias;
    Conv2D conv(c);
    const Shape out_shape = conv.output_shape({shape_of(x)});
    conv.build({shape_of(x)});
    conv.mutable_weights()[0].values = w;
    if (has_bias) {
        const xt::xtensor<float, 1> b = load_npy_vector(bias_path);  // (F,)
        if (int(b.size()) != c.filters)
            throw InputError(bias_path + ": bias has " + std::to_string(b.size()) + " values, the kernel has " +
                             std::to_string(c.filters) + " filters");
        conv.mutable_weights()[1].values = b;
    }
    ThreadPool pool;
    const Context ctx{&pool, nullptr, reference ? Kernels::reference : Kernels::fast};
    Tensor3 y = make_tensor(out_shape);  // (OH, OW, F)
    conv.forward({&x}, y, ctx);
    save_npy(out_path, y);
    std::cout << conv.keras_line() << ": " << plain_shape(shape_of(x)) << " -> " << plain_shape(out_shape) << ", wrote "
              << out_path << "\n";
    return 0;
}

}  // namespace convscope::cli
