#pragma once
// What a channel responds to (as DeepVis shows it): run the network over a set of images, find in each the
// strongest activation of one channel of one node, and crop the input patch that activation sees (its
// receptive field, core/model/receptive_field.hpp), strongest first.
//
//   ChannelPatch           one image's strongest activation: value, position in the node's output, the input
//                          region (inclusive, in the network input's pixels; may reach into the padding) and
//                          the cropped patch, where padding shows as the ImageNet mean colour (what a zero of
//                          the caffe-preprocessed input is)
//   ChannelPatchFinder     owns the answers it has computed: per image and node, the maximum and its position
//                          for every channel, so another channel of a node already seen needs no network run
//     strongest()          the top k patches of (node, channel) over the images, with progress and cancel
//                          (Cancelled is thrown between images; images already done stay cached)
//     network_runs()       how many images the network has run on so far
//   list_images(folder)    the image files in a folder (by extension), sorted by name
//
// The cache key is the weights' identity (given by the caller: a file's md5, or "seed N"), the input size, the
// node, and each image's path, size and modification time, so a changed file or other weights are re-run.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/image/image.hpp"
#include "core/model/receptive_field.hpp"

namespace convscope {

struct ChannelPatch {
    std::string image;     // the image file
    float activation = 0;  // the channel's largest value in that image
    int row = 0, col = 0;  // where, in the node's output (the first in row-major order on ties)
    FieldRegion region;    // the input pixels that value depends on (inclusive)
    RgbImage patch;        // those pixels of the resized input image
};

struct PatchProgress {
    int done = 0;   // images finished (cached ones count at once)
    int total = 0;
    std::string image;  // the image just finished
};
using PatchProgressFn = std::function<void(const PatchProgress&)>;

class ChannelPatchFinder {
public:
    // The engine's graph and weights are used as they are; its input is replaced image by image.
    ChannelPatchFinder(Engine& engine, std::string weights_id);

    // Images that cannot be read are skipped and listed in skipped() ("path: reason").
    std::vector<ChannelPatch> strongest(const std::vector<std::string>& images, int node, int channel, int k,
                                        const PatchProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr);
    const std::vector<std::string>& skipped() const { return skipped_; }
    int network_runs() const { return network_runs_; }

private:
    struct ChannelMax {
        float value;
        int row, col;
    };
    std::string key(const std::string& image, int node, const Shape& input) const;

    Engine& engine_;
    std::string weights_id_;
    std::map<std::string, std::vector<ChannelMax>> cache_;  // key -> one entry per channel
    std::vector<std::string> skipped_;
    int network_runs_ = 0;
};

// The input patch of a region: pixels of `image` inside it, the ImageNet mean colour outside.
RgbImage crop_patch(const RgbImage& image, const FieldRegion& region);

std::vector<std::string> list_images(const std::string& folder);

}  // namespace convscope
