#include "app/gui/playground_job.hpp"

#include <chrono>

#include "core/errors.hpp"
#include "core/layers/input_layer.hpp"
#include "core/weights/initializers.hpp"

namespace convscope::gui {

bool PlaygroundParams::operator==(const PlaygroundParams& o) const {
    return input_height == o.input_height && input_width == o.input_width && conv == o.conv &&
           kernel_source == o.kernel_source && seed == o.seed;
}

void PlaygroundJob::run(const PlaygroundParams& p, const InputImage& image, const JobContext& ctx) {
    if (!image.image) return;
    if (done_ && *done_ == p && image_version_ == image.version) return;
    const auto start = std::chrono::steady_clock::now();
    ctx.progress(pinned_ ? "playground Conv2D (pinned A)" : "playground Conv2D", 0, 1);
    try {
        if (!engine_ || height_ != p.input_height || width_ != p.input_width) {
            Graph g;
            g.add("input", std::make_unique<InputLayer>(Shape::image(p.input_height, p.input_width, 3)), {});
            g.add("conv2d", std::make_unique<Conv2D>(p.conv), {"input"});
            g.build_weights();
            engine_ = std::make_unique<Engine>(std::move(g), ctx.engine_options);
            height_ = p.input_height;
            width_ = p.input_width;
            image_version_ = -1;
        }
        if (image_version_ != image.version) {
            engine_->set_input(unit_preprocess(resize_image(*image.image, p.input_height, p.input_width)));
            image_version_ = image.version;
        }
        auto* conv = dynamic_cast<Conv2D*>(engine_->mutable_graph().node(1).layer.get());
        if (conv->config() != p.conv) engine_->set_conv_config(1, p.conv, p.seed);
        engine_->mutable_graph().build_weights();
        // The kernel always comes from the chosen source, so a seed or source change shows at once.
        if (p.kernel_source == KernelSource::glorot_uniform) {
            initialize_layer(*conv, p.seed, "conv2d");
        } else {
            for (auto& weight : conv->mutable_weights()) {
                if (weight.name == "kernel") fill_classic_kernel(p.kernel_source, weight.values);
                else weight.values.fill(0.0f);
            }
        }
        engine_->invalidate(1);
        engine_->run(ctx.cancel);
        done_ = p;
        ctx.send(event::PlaygroundDone{engine_->output(1),
                                       std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                                           .count(),
                                       engine_->output(0), std::shared_ptr<const Layer>(conv->clone()), pinned_});
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& ex) {
        done_ = p;
        ctx.send(event::PlaygroundFailed{ex.what(), pinned_});
    }
}

}  // namespace convscope::gui
