#include "app/gui/weights_service.hpp"

#include <cstdio>

namespace convscope::gui {

WeightsService::WeightsService(std::function<void()> wake_ui) : wake_ui_(std::move(wake_ui)) {
    thread_ = std::thread([this] { loop(); });
}

WeightsService::~WeightsService() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        tasks_.clear();
    }
    cancel_ = true;
    tasks_ready_.notify_all();
    thread_.join();
}

void WeightsService::discover() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        state_.scanning = true;  // at once, so that the UI waits for it (screenshots show the scan's result)
        tasks_.push_back(Task{});
    }
    tasks_ready_.notify_one();
}

void WeightsService::download(const FetchOptions& options) {
    Task task;
    task.download = true;
    task.request = plan_fetch(options);  // throws InputError before anything starts
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (state_.downloading) return;  // one at a time: the button is disabled meanwhile
        cancel_ = false;
        result_.reset();
        state_.downloading = true;
        state_.download_url = task.request.url;
        state_.download_target = task.request.folder + "/" + task.request.file_name;
        state_.progress = DownloadProgress{};
        tasks_.push_back(task);
    }
    tasks_ready_.notify_one();
}

void WeightsService::cancel() { cancel_ = true; }

WeightsSnapshot WeightsService::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return state_;
}

std::optional<DownloadResult> WeightsService::take_download_result() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<DownloadResult> r = std::move(result_);
    result_.reset();
    return r;
}

void WeightsService::wake() const {
    if (wake_ui_) wake_ui_();
}

void WeightsService::loop() {
    for (;;) {
        Task task;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            tasks_ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
            if (stopping_) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        if (task.download) run_download(task.request);
        else run_discover();
        wake();
    }
}

void WeightsService::run_discover() {
    std::vector<FoundWeights> found = discover_weights();
    std::lock_guard<std::mutex> lock(mutex_);
    state_.found = std::move(found);
    ++state_.scans;
    // Another discover() queued behind this one keeps the flag up until it is done too.
    bool more = false;
    for (const Task& t : tasks_) more = more || !t.download;
    state_.scanning = more;
}

void WeightsService::run_download(const DownloadRequest& request) {
    // Progress arrives many times a second; the UI is woken at most 4 times a second for it.
    auto progress = [this](const DownloadProgress& p) {
        bool due = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.progress = p;
            const auto now = std::chrono::steady_clock::now();
            due = now - last_wake_ > std::chrono::milliseconds(250);
            if (due) last_wake_ = now;
        }
        if (due) wake();
    };
    DownloadResult result = download_verified(request, progress, &cancel_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        result_ = std::move(result);
        state_.downloading = false;
        state_.scanning = true;
    }
    run_discover();  // the new file (or the kept .part) shows in the list
}

const FoundWeights* startup_weights(const std::vector<FoundWeights>& found, bool include_top) {
    return pick_weights(found, include_top);
}

std::string describe_found(const std::vector<FoundWeights>& found) {
    int verified = 0, other = 0, partial = 0;
    for (const FoundWeights& f : found) {
        if (f.partial) ++partial;
        else if (f.check.verified()) ++verified;
        else ++other;
    }
    if (found.empty()) {
        std::string where = convscope_cache_dir();
        for (const std::string& d : keras_cache_dirs()) where += ", " + d;
        return "No ImageNet weights on this computer (looked in " + where + ").";
    }
    std::string s = std::to_string(verified) + (verified == 1 ? " verified file" : " verified files");
    if (other > 0) s += ", " + std::to_string(other) + " with an unknown checksum (not used)";
    if (partial > 0) s += ", " + std::to_string(partial) + (partial == 1 ? " interrupted download" : " interrupted downloads");
    return s + ".";
}

std::string download_plan_text(const DownloadRequest& request, bool include_top) {
    const KnownWeightsFile& official = official_download(include_top);
    // The published files' sizes, for the question asked before a 100 MB download starts.
    const char* size = include_top ? "about 103 MB" : "about 95 MB";
    const bool is_official = request.url == official.url;
    std::string s = "Downloads " + request.file_name + " (" + (request.md5 == official.md5 ? size : "its size as the server says") +
                    ")\nfrom " + request.url + "\ninto " + request.folder + "/.\n";
    s += is_official ? "It is checked against Keras' published md5 (" + request.md5 + ") before it is used."
                     : "It is checked against the md5 " + request.md5 + " before it is used.";
    s += " An interrupted download resumes where it stopped.";
    return s;
}

std::string describe_progress(const DownloadProgress& p) {
    std::string s = format_bytes(p.bytes);
    if (p.total > 0) s += " of " + format_bytes(p.total);
    if (p.bytes_per_second > 0) s += ", " + format_bytes(std::uint64_t(p.bytes_per_second)) + "/s";
    if (p.resumed_from > 0) s += " (resumed at " + format_bytes(p.resumed_from) + ")";
    return s;
}

}  // namespace convscope::gui
