#pragma once
// Downloading a weights file with libcurl (Debian libcurl4-openssl-dev; it honours http_proxy, https_proxy
// and no_proxy), verified before it becomes a weights file.
//
//   DownloadRequest    where from (http, https or file URL), which folder, the file name, the expected md5
//   DownloadProgress   bytes so far (counting a resumed part), total when the server said it, rate
//   DownloadResult     a status and one line of text for people; ok() only for a verified file in place
//   download_verified()  does it, on the calling thread: call it from a worker and set the cancel flag
//                        from anywhere
//
// The file is written to "<folder>/<name>.part" and renamed to "<folder>/<name>" only once its md5 matches,
// so an interrupted, truncated or corrupted download never becomes a weights file. What becomes of the
// .part file:
//   - interrupted (cancel, connection lost, server closed early): kept; the next call with the same
//     request asks the server for the rest (HTTP Range) and starts over when the server cannot resume
//   - wrong checksum, write failure (disk full), HTTP error: removed
// Two downloads to one .part file at once are refused (an advisory lock on it).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace convscope {

struct DownloadRequest {
    std::string url;
    std::string folder;     // created if missing
    std::string file_name;  // the name the verified file gets in `folder`
    std::string md5;        // lowercase hex
    int connect_timeout_seconds = 20;
    int stall_timeout_seconds = 60;  // a transfer that moves no byte for this long is interrupted
};

struct DownloadProgress {
    std::uint64_t bytes = 0;         // of the whole file, including bytes kept from an interrupted download
    std::uint64_t total = 0;         // size of the whole file; 0 while the server has not said
    std::uint64_t resumed_from = 0;  // bytes that were already there when this transfer started
    double bytes_per_second = 0;     // this transfer's average rate
};

enum class DownloadStatus {
    verified,           // downloaded, checksum matched, renamed into place
    already_there,      // the folder already held the file with the right checksum; nothing was downloaded
    cancelled,          // the cancel flag was set; the .part file is kept for a resume
    unreachable,        // no connection to the host (no network, DNS, refused, proxy)
    http_error,         // the server answered with an error status (404 ...)
    interrupted,        // the transfer stopped part-way; the .part file is kept for a resume
    checksum_mismatch,  // complete, but not the expected file; removed
    write_failed,       // the folder or file could not be written (disk full, permissions); removed
    busy,               // another download is writing the same .part file
};
const char* to_string(DownloadStatus status);

struct DownloadResult {
    DownloadStatus status = DownloadStatus::interrupted;
    std::string message;  // one line, naming the URL or path and what to do next
    std::string path;     // the verified file (ok()) or the .part file
    std::uint64_t bytes = 0;
    int http_status = 0;  // the last HTTP status seen, 0 for none or a file URL
    bool ok() const { return status == DownloadStatus::verified || status == DownloadStatus::already_there; }
};

using DownloadProgressFn = std::function<void(const DownloadProgress&)>;

// Never throws for network or file problems: they come back as a status and a message. `cancel` may be
// null; when set, the transfer stops within about a second.
DownloadResult download_verified(const DownloadRequest& request, const DownloadProgressFn& progress = {},
                                 const std::atomic<bool>* cancel = nullptr);

// "12.3 MB" / "950 kB" / "17 bytes" (decimal units, as download tools show them)
std::string format_bytes(std::uint64_t bytes);

}  // namespace convscope
