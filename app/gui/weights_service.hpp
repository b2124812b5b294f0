#pragma once
// The ImageNet weights on this computer, and the download of the official file, off the UI thread.
//
//   WeightsService     one background thread doing one task at a time:
//     discover()       looks in convscope's and Keras' cache folders (core/weights/known_weights.hpp) and
//                      checks every known file name by md5 (a 100 MB file takes a few tenths of a second)
//     download(opts)   plan_fetch(opts) (the official keras-applications file, or a mirror) then
//                      download_verified(): the file lands in the cache only once its md5 matches; an
//                      interrupted download leaves a .part file that the next download() resumes. A
//                      discover() follows, so the new file is in the next snapshot.
//     cancel()         stops a running download within about a second (its .part file is kept)
//     snapshot()       what the UI draws: the files found, whether a scan or download runs, its progress
//     take_download_result()  a finished download's result, once
//   startup_weights()  the weights the GUI uses on start when the user named none: the verified file that
//                      fits the network (the seed's own naming first), else none
//
// Nothing is downloaded unless download() is called (the user's "Get ImageNet weights").

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/weights/download.hpp"
#include "core/weights/fetch_request.hpp"
#include "core/weights/known_weights.hpp"

namespace convscope::gui {

struct WeightsSnapshot {
    std::vector<FoundWeights> found;  // the last completed scan
    std::uint64_t scans = 0;          // completed scans so far (the UI reacts when it grows)
    bool scanning = false;
    bool downloading = false;
    std::string download_url;        // of the running (or last) download
    std::string download_target;     // the verified file's path it will become
    DownloadProgress progress;       // of the running download
    bool busy() const { return scanning || downloading; }
};

class WeightsService {
public:
    // wake_ui is called (from the service's thread) whenever the snapshot changed enough to redraw.
    explicit WeightsService(std::function<void()> wake_ui = {});
    ~WeightsService();
    WeightsService(const WeightsService&) = delete;
    WeightsService& operator=(const WeightsService&) = delete;

    void discover();
    // Throws InputError (from plan_fetch) when the options are impossible: nothing is started then.
    void download(const FetchOptions& options);
    void cancel();
    WeightsSnapshot snapshot() const;
    std::optional<DownloadResult> take_download_result();

private:
    struct Task {
        bool download = false;
        DownloadRequest request;
    };
    void loop();
    void run_download(const DownloadRequest& request);
    void run_discover();
    void wake() const;

    std::function<void()> wake_ui_;
    mutable std::mutex mutex_;
    std::condition_variable tasks_ready_;
    std::deque<Task> tasks_;
    WeightsSnapshot state_;
    std::optional<DownloadResult> result_;
    std::atomic<bool> cancel_{false};
    bool stopping_ = false;
    std::chrono::steady_clock::time_point last_wake_{};
    std::thread thread_;
};

// The file to use for a network with (include_top) or without the classifier, or nullptr. A file with the
// top serves a network without it too (its fc1000 is skipped), so pick_weights() decides.
const FoundWeights* startup_weights(const std::vector<FoundWeights>& found, bool include_top);

// One line for the network panel: what the scan found ("2 verified files: ... in Keras' cache"), or that none
// is on this computer and where they would be looked for.
std::string describe_found(const std::vector<FoundWeights>& found);

// What "Get ImageNet weights" says before it starts: the file, its approximate size, the URL and the folder.
std::string download_plan_text(const DownloadRequest& request, bool include_top);

// "12.3 MB of 94.7 MB, 2.1 MB/s" (total unknown: "12.3 MB, 2.1 MB/s")
std::string describe_progress(const DownloadProgress& progress);

}  // namespace convscope::gui
