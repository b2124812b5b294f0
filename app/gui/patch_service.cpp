#include "app/gui/patch_service.hpp"

#include <chrono>

#include "core/errors.hpp"
#include "core/image/image.hpp"
#include "core/model/receptive_field.hpp"
#include "core/weights/initializers.hpp"
#include "core/weights/keras_h5.hpp"
#include "core/weights/md5.hpp"

namespace convscope::gui {

bool PatchRequest::operator==(const PatchRequest& o) const {
    return options == o.options && seed == o.seed && weights_path == o.weights_path && node == o.node &&
           channel == o.channel && count == o.count && folder == o.folder;
}

PatchService::PatchService(std::string assets_dir, EngineOptions engine_options, std::function<void()> wake)
    : assets_dir_(std::move(assets_dir)), engine_options_(std::move(engine_options)), wake_ui_(std::move(wake)) {
    // Only the block outputs stay cached: the finder reads one node per image, and a whole network's outputs at
    // 600 x 600 would hold half a gigabyte for nothing.
    engine_options_.keep = KeepPolicy::block_outputs;
    thread_ = std::thread([this] { loop(); });
}

PatchService::~PatchService() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        cancel_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void PatchService::request(const PatchRequest& r) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (newest_ && *newest_ == r) return;
        newest_ = r;
        pending_ = r;
        cancel_ = true;  // the running one, if any; the loop clears it before starting the next
        state_.cancelled = false;
    }
    wake_.notify_all();
}

void PatchService::cancel() {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.reset();  // newest_ stays: the UI asks for the same thing every frame, and that must not restart it
    cancel_ = true;
    state_.cancelled = true;
}

void PatchService::restart() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!newest_) return;
        pending_ = newest_;
        cancel_ = true;
        state_.cancelled = false;
    }
    wake_.notify_all();
}

PatchSnapshot PatchService::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return state_;
}

void PatchService::loop() {
    for (;;) {
        PatchRequest r;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || pending_.has_value(); });
            if (stopping_) return;
            r = *pending_;
            pending_.reset();
            cancel_ = false;
            state_.running = true;
            state_.working_on = r;
            state_.done = 0;
            state_.total = 0;
        }
        answer(r);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.running = pending_.has_value();
            if (!state_.running) state_.working_on.reset();
        }
        if (wake_ui_) wake_ui_();
    }
}

void PatchService::prepare_network(const PatchRequest& r) {
    if (engine_ && network_of_ && network_of_->options == r.options && network_of_->seed == r.seed &&
        network_of_->weights_path == r.weights_path)
        return;
    finder_.reset();
    engine_.reset();
    network_of_.reset();
    Graph graph = build_resnet50(r.options);
    graph.shapes_or_throw();
    std::string weights_id;
    if (r.weights_path.empty()) {
        initialize_graph(graph, r.seed);
        weights_id = "seed " + std::to_string(r.seed);
    } else {
        load_keras_weights(graph, r.weights_path);  // decoded in the sandboxed helper, like every weights file
        weights_id = "md5 " + md5_file(r.weights_path);
    }
    engine_ = std::make_unique<Engine>(std::move(graph), engine_options_);
    finder_ = std::make_unique<ChannelPatchFinder>(*engine_, weights_id);
    network_of_ = r;
}

void PatchService::answer(const PatchRequest& r) {
    const auto start = std::chrono::steady_clock::now();
    PatchSnapshot answer;
    try {
        std::vector<std::string> images;
        if (r.folder.empty()) {
            for (const std::string& name : sample_names()) images.push_back(sample_path(name, assets_dir_));
        } else {
            images = list_images(r.folder);
            if (images.empty()) throw InputError(r.folder + ": no image files (.png, .jpg, .bmp, .gif) in this folder");
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.total = int(images.size());
        }
        prepare_network(r);
        const int node = engine_->graph().find(r.node);
        if (node < 0) throw ConfigError("no node named " + r.node + " in this network");
        answer.patches = finder_->strongest(images, node, r.channel, r.count, [&](const PatchProgress& p) {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.done = p.done;
            state_.total = p.total;
            if (wake_ui_) wake_ui_();
        }, &cancel_);
        const NodeField field = receptive_fields(engine_->graph())[std::size_t(node)];
        answer.receptive_field = "receptive field " + std::to_string(field.rows.size()) + " x " +
                                 std::to_string(field.cols.size()) + " input pixels, " + std::to_string(field.rows.jump) +
                                 " between neighbouring positions";
        answer.skipped = finder_->skipped();
        answer.images = int(images.size());
    } catch (const Cancelled&) {
        return;  // a newer request follows, or the user cancelled: the last answer stays
    } catch (const std::exception& ex) {
        answer.error = ex.what();
        answer.patches.clear();
    }
    answer.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard<std::mutex> lock(mutex_);
    answer.network_runs = finder_ ? finder_->network_runs() : 0;
    answer.answered = r;
    answer.cancelled = state_.cancelled;
    answer.version = state_.version + 1;
    answer.running = state_.running;
    answer.working_on = state_.working_on;
    answer.done = state_.done;
    answer.total = state_.total;
    state_ = std::move(answer);
}

}  // namespace convscope::gui
