#include "app/gui/worker.hpp"

#include <algorithm>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/errors.hpp"

namespace convscope::gui {

bool JobRequest::operator==(const JobRequest& o) const {
    return image_source == o.image_source && playground == o.playground && playground_valid == o.playground_valid &&
           network == o.network && network_valid == o.network_valid && priority == o.priority &&
           want_network == o.want_network && pinned == o.pinned;
}

constexpr std::string_view kSamplePrefix = "sample:";

std::string sample_source(const std::string& sample) { return std::string(kSamplePrefix) + sample; }

std::optional<std::string> sample_name(const std::string& source) {
    if (source.rfind(kSamplePrefix, 0) != 0) return std::nullopt;
    return source.substr(kSamplePrefix.size());
}

Worker::~Worker() { stop(); }

void Worker::start(std::string assets_dir, std::function<void()> wake_ui, int threads) {
    assets_dir_ = std::move(assets_dir);
    if (threads > 0) engine_options_.threads = threads;
    // One pool for both engines, made once: rebuilding an engine (new input size, new network options) no
    // longer starts new threads, and the two engines, driven by the one engine thread, take turns on it.
    engine_options_.pool = std::make_shared<ThreadPool>(engine_options_.threads);
    wake_ui_ = std::move(wake_ui);
    stopping_ = false;
    engine_thread_ = std::thread([this] { engine_loop(); });
    render_thread_ = std::thread([this] { render_loop(); });
}

void Worker::stop() {
    if (!engine_thread_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        cancel_ = true;
    }
    wake_.notify_all();
    {
        std::lock_guard<std::mutex> lock(render_mutex_);  // the render thread is waiting, or sees stopping_ next
    }
    render_wake_.notify_all();
    engine_thread_.join();
    render_thread_.join();
}

std::uint64_t Worker::post(const JobRequest& request) {
    std::uint64_t id;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = request;
        id = pending_id_ = next_id_++;
        cancel_ = true;  // a newer request cancels the running one; the engine keeps what is complete
    }
    wake_.notify_all();
    return id;
}

void Worker::request_node(int node) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        node_requests_.push_back(NodeRequest{node, false});
        busy_ = true;  // until the engine thread has answered (or queued) it
    }
    wake_.notify_all();
}

void Worker::request_layer(int node) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        node_requests_.push_back(NodeRequest{node, true});
        busy_ = true;
    }
    wake_.notify_all();
}

void Worker::show_nodes(std::vector<int> nodes) {
    std::lock_guard<std::mutex> lock(mutex_);
    shown_nodes_ = std::move(nodes);
}

std::vector<NodeRequest> Worker::take_node_requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<NodeRequest> out;
    out.swap(node_requests_);
    return out;
}

std::vector<WorkerEvent> Worker::drain() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<WorkerEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
    events_.clear();
    return out;
}

bool Worker::busy() const {
    std::lock_guard<std::mutex> lock(mutex_);
    // Events the UI has not drained yet are work in flight too: otherwise a job that finishes between the
    // UI's drain() and its "are results complete?" check looks done before its result has arrived (an
    // automated --export or --screenshot then saw no output).
    return busy_ || pending_.has_value() || !node_requests_.empty() || !events_.empty();
}

void Worker::emit(WorkerEvent event) {
    const bool is_progress = std::holds_alternative<Progress>(event.data);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // Progress events replace each other: the UI only ever shows the newest one.
        if (is_progress && !events_.empty() && std::holds_alternative<Progress>(events_.back().data))
            events_.back() = std::move(event);
        else
            events_.push_back(std::move(event));
    }
    // Progress alone does not wake the UI: it looks every so often while a job runs. Results wake it at once,
    // but for those sent with wake = false (see WorkerEvent).
    if (wake_ui_ && !is_progress && event.wake) wake_ui_();
}

// Lowers this thread's priority; threads it creates later (the engines' pools) inherit it on Linux.
static void lower_priority(int nice_value) {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice_value);
#else
    (void)nice_value;
#endif
}

void Worker::update_image(const std::string& source, const JobContext& ctx) {
    // A failed source is not retried while the request still names it; once the UI has moved on (it
    // reverts to the previous image at once), the same file may be tried again later.
    if (source != failed_image_source_) failed_image_source_.clear();
    if (source == image_source_ || source == failed_image_source_) return;
    ctx.progress("loading image", 0, 1);
    try {
        const std::optional<std::string> sample = sample_name(source);
        auto image = std::make_shared<const RgbImage>(convscope::load_image(sample ? sample_path(*sample, assets_dir_) : source));
        image_ = InputImage{image, image_.version + 1};
        image_source_ = source;
        event::ImageLoaded e;
        e.source = source;
        e.image = image;
        // The UI only shows a thumbnail: a huge photo must not become a huge texture.
        const int longest = std::max(image->width, image->height);
        const RgbImage thumb = longest > 1024 ? resize_image(*image, std::max(1, image->height * 1024 / longest),
                                                             std::max(1, image->width * 1024 / longest),
                                                             ResizeFilter::smooth)
                                              : *image;
        e.thumb_width = thumb.width;
        e.thumb_height = thumb.height;
        e.rgba.resize(std::size_t(thumb.width) * std::size_t(thumb.height) * 4);
        for (std::size_t i = 0, n = e.rgba.size() / 4; i < n; ++i) {
            e.rgba[i * 4 + 0] = thumb.pixels[i * 3 + 0];
            e.rgba[i * 4 + 1] = thumb.pixels[i * 3 + 1];
            e.rgba[i * 4 + 2] = thumb.pixels[i * 3 + 2];
            e.rgba[i * 4 + 3] = 255;
        }
        ctx.send(std::move(e));
    } catch (const std::exception& ex) {
        failed_image_source_ = source;
        ctx.send(event::ImageFailed{source, ex.what()});
    }
}

void Worker::engine_loop() {
    // The engine runs at the UI's priority: the UI draws only when something changed (a few frames a second
    // during a run), and a lowered engine lost every turn to the display server and a software GL driver's
    // threads (a 600x600 network run took 10-20 times as long as convscope-cli bench).
    std::uint64_t id = 0;  // the request being worked on (or last finished)
    JobContext ctx;
    ctx.cancel = &cancel_;
    ctx.engine_options = engine_options_;
    ctx.emit = [this](WorkerEvent e) { emit(std::move(e)); };
    ctx.take_node_requests = [this] { return take_node_requests(); };
    ctx.shown_nodes = [this] {
        std::lock_guard<std::mutex> lock(mutex_);
        return shown_nodes_;
    };
    JobRequest req;
    for (;;) {
        bool new_request = false;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || pending_.has_value() || !node_requests_.empty(); });
            if (stopping_) return;
            if (pending_) {
                req = std::move(*pending_);
                pending_.reset();
                id = pending_id_;
                new_request = true;
                cancel_ = false;
            }
            busy_ = true;
        }
        ctx.request = id;
        try {
            if (new_request) {
                update_image(req.image_source, ctx);
                const bool network = req.want_network && req.network_valid;
                auto run_playground = [&] {
                    if (req.playground_valid) playground_.run(req.playground, image_, ctx);
                    if (req.pinned) pinned_.run(*req.pinned, image_, ctx);  // does nothing while it holds
                };
                auto run_network = [&] {
                    if (network) network_.run(req.network, image_, ctx);
                };
                if (req.priority == Job::network) {
                    run_network();
                    run_playground();
                } else {
                    run_playground();
                    run_network();
                }
            }
            network_.serve_node_requests(ctx, true);
        } catch (const Cancelled&) {
            // A newer request is pending; the loop picks it up and the engines resume from their caches.
        } catch (const std::exception& ex) {
            ctx.send(event::NetworkFailed{ex.what()});
        }
        bool idle;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            idle = !pending_.has_value() && node_requests_.empty();
            if (idle) busy_ = false;
        }
        if (idle) ctx.send(event::Idle{});
    }
}

void Worker::post_render(RenderRequest request) {
    {
        std::lock_guard<std::mutex> lock(render_mutex_);
        render_pending_ = std::move(request);  // latest wins: an older view nobody looks at is dropped
    }
    render_wake_.notify_all();
}

void Worker::post_task(std::function<TaskResult()> task) {
    {
        std::lock_guard<std::mutex> lock(render_mutex_);
        tasks_.push_back(std::move(task));
    }
    render_wake_.notify_all();
}

std::optional<Worker::TaskResult> Worker::take_task_result() {
    std::lock_guard<std::mutex> lock(render_mutex_);
    if (task_results_.empty()) return std::nullopt;
    TaskResult r = std::move(task_results_.front());
    task_results_.pop_front();
    return r;
}

std::optional<RenderResult> Worker::take_render() {
    std::lock_guard<std::mutex> lock(render_mutex_);
    std::optional<RenderResult> out = std::move(render_done_);
    render_done_.reset();
    return out;
}

bool Worker::render_busy() const {
    std::lock_guard<std::mutex> lock(render_mutex_);
    return render_busy_ || render_pending_.has_value() || render_done_.has_value() || !tasks_.empty() ||
           !task_results_.empty();
}

void Worker::render_loop() {
    lower_priority(5);
    for (;;) {
        std::optional<RenderRequest> req;
        std::function<TaskResult()> task;
        {
            std::unique_lock<std::mutex> lock(render_mutex_);
            render_wake_.wait(lock, [this] { return stopping_.load() || render_pending_.has_value() || !tasks_.empty(); });
            if (stopping_) return;
            if (!tasks_.empty()) {
                task = std::move(tasks_.front());
                tasks_.pop_front();
            } else {
                req = std::move(render_pending_);
                render_pending_.reset();
            }
            render_busy_ = true;
        }
        if (task) {
            TaskResult result;
            try {
                result = task();
            } catch (const std::exception& ex) {
                result = TaskResult{false, ex.what(), ""};
            }
            std::lock_guard<std::mutex> lock(render_mutex_);
            task_results_.push_back(std::move(result));
            render_busy_ = false;
        } else {
            RenderResult result;
            try {
                result = render_view(*req);
            } catch (const std::exception& ex) {
                result.key = req->key;
                result.signature = req->signature;
                result.error = ex.what();
            }
            std::lock_guard<std::mutex> lock(render_mutex_);
            render_done_ = std::move(result);
            render_busy_ = false;
        }
        if (wake_ui_) wake_ui_();
    }
}

}  // namespace convscope::gui
