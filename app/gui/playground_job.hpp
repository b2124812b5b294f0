#pragma once
// The playground's job: one Conv2D (input -> conv2d) on the current image, with the kernel from the chosen
// source. Runs only when the parameters or the image changed since its last result.

#include <cstdint>
#include <memory>
#include <optional>

#include "app/gui/classic_kernels.hpp"
#include "app/gui/job_context.hpp"
#include "core/engine/engine.hpp"
#include "core/layers/conv2d.hpp"

namespace convscope::gui {

struct PlaygroundParams {
    int input_height = 600;
    int input_width = 600;
    Conv2DConfig conv = [] {  // 16 filters of 3x3, 'same'; every other argument at Keras' default
        Conv2DConfig c;
        c.filters = 16;
        c.padding = Padding::same;
        return c;
    }();
    KernelSource kernel_source = KernelSource::glorot_uniform;  // Keras' default; classic filters are one click away
    std::uint64_t seed = 1;
    bool operator==(const PlaygroundParams& o) const;
    bool operator!=(const PlaygroundParams& o) const { return !(*this == o); }
};

class PlaygroundJob {
public:
    // pinned: this job computes the Compare window's pinned setting A; its events say so.
    explicit PlaygroundJob(bool pinned = false) : pinned_(pinned) {}
    // Emits PlaygroundDone or PlaygroundFailed (nothing when the last result still holds); throws Cancelled.
    void run(const PlaygroundParams& params, const InputImage& image, const JobContext& ctx);

private:
    bool pinned_ = false;
    std::unique_ptr<Engine> engine_;
    int height_ = 0, width_ = 0;       // the engine's input size
    int image_version_ = -1;           // of the image the engine's input was made from
    std::optional<PlaygroundParams> done_;  // what the last result (or failure) was for
};

}  // namespace convscope::gui
