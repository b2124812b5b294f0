#include "core/weights/download.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/export/atomic_file.hpp"
#include "core/weights/md5.hpp"

namespace convscope {

namespace {

using Clock = std::chrono::steady_clock;

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The state the curl callbacks share with one transfer.
struct Transfer {
    int fd = -1;
    std::uint64_t resumed_from = 0;
    std::uint64_t written = 0;  // bytes this transfer appended
    int write_errno = 0;
    const DownloadProgressFn* progress = nullptr;
    const std::atomic<bool>* cancel = nullptr;
    bool cancelled = false;
    Clock::time_point start = Clock::now();
    std::uint64_t total = 0;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
    Transfer& t = *static_cast<Transfer*>(user);
    const std::size_t length = size * count;
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::write(t.fd, data + done, length - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            t.write_errno = n < 0 ? errno : EIO;
            return 0;  // curl stops with CURLE_WRITE_ERROR
        }
        done += std::size_t(n);
    }
    t.written += length;
    return length;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
    Transfer& t = *static_cast<Transfer*>(user);
    if (t.cancel != nullptr && t.cancel->load()) {
        t.cancelled = true;
        return 1;  // curl stops with CURLE_ABORTED_BY_CALLBACK
    }
    if (dltotal > 0) t.total = t.resumed_from + std::uint64_t(dltotal);
    if (t.progress != nullptr && *t.progress) {
        DownloadProgress p;
        p.bytes = t.resumed_from + std::uint64_t(dlnow);
        p.total = t.total;
        p.resumed_from = t.resumed_from;
        const double seconds = std::chrono::duration<double>(Clock::now() - t.start).count();
        p.bytes_per_second = seconds > 0 ? double(dlnow) / seconds : 0;
        (*t.progress)(p);
    }
    return 0;
}

std::uint64_t file_size(int fd) {
    struct stat st;
    return ::fstat(fd, &st) == 0 ? std::uint64_t(st.st_size) : 0;
}

bool is_unreachable(CURLcode code) {
    return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
           code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION;
}

// Removes the .part file; the message already says so.
void discard(int& fd, const std::string& part) {
    if (fd >= 0) ::close(fd);
    fd = -1;
    ::unlink(part.c_str());
}

std::string folder_hint(const DownloadRequest& r) {
    return "download it by other means and put it in " + r.folder + "/" + r.file_name + " (md5 " + r.md5 + ")";
}

}  // namespace

const char* to_string(DownloadStatus status) {
    switch (status) {
        case DownloadStatus::verified: return "verified";
        case DownloadStatus::already_there: return "already there";
        case DownloadStatus::cancelled: return "cancelled";
        case DownloadStatus::unreachable: return "unreachable";
        case DownloadStatus::http_error: return "HTTP error";
        case DownloadStatus::interrupted: return "interrupted";
        case DownloadStatus::checksum_mismatch: return "checksum mismatch";
        case DownloadStatus::write_failed: return "write failed";
        case DownloadStatus::busy: return "busy";
    }
    return "?";
}

std::string format_bytes(std::uint64_t bytes) {
    char text[32];
    if (bytes >= 1000000000ull) std::snprintf(text, sizeof text, "%.2f GB", double(bytes) / 1e9);
    else if (bytes >= 1000000ull) std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
    else if (bytes >= 1000ull) std::snprintf(text, sizeof text, "%.0f kB", double(bytes) / 1e3);
    else std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
    return text;
}

DownloadResult download_verified(const DownloadRequest& r, const DownloadProgressFn& progress,
                                 const std::atomic<bool>* cancel) {
    global_init_once();
    DownloadResult result;
    const std::string target = r.folder + "/" + r.file_name;
    const std::string part = target + ".part";
    result.path = part;

    try {
        ensure_directory(r.folder);
    } catch (const std::exception& e) {
        result.status = DownloadStatus::write_failed;
        result.message = e.what();
        return result;
    }

    // A verified file already in place is the answer; anything else under that name is replaced only
    // by a download that verifies.
    struct stat st;
    if (::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        std::string md5;
        try {
            md5 = md5_file(target);
        } catch (const std::exception&) {
        }
        if (md5 == r.md5) {
            result.status = DownloadStatus::already_there;
            result.path = target;
            result.bytes = std::uint64_t(st.st_size);
            result.message = target + " is already there and verified (md5 " + r.md5 + ")";
            return result;
        }
    }

    int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        result.status = DownloadStatus::write_failed;
        result.message = "cannot write " + part + ": " + std::strerror(errno);
        return result;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        result.status = DownloadStatus::busy;
        result.message = "another download is already writing " + part + "; wait for it or cancel it";
        return result;
    }

    // Two attempts: the second starts from byte 0 when the server could not continue the kept part.
    for (int attempt = 0; attempt < 2; ++attempt) {
        Transfer t;
        t.fd = fd;
        t.resumed_from = file_size(fd);
        t.progress = &progress;
        t.cancel = cancel;
        ::lseek(fd, off_t(t.resumed_from), SEEK_SET);

        CURL* curl = curl_easy_init();
        if (curl == nullptr) {
            discard(fd, part);
            result.status = DownloadStatus::interrupted;
            result.message = "libcurl could not start a transfer";
            return result;
        }
        char curl_error[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");  // GitHub redirects to its file host
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "convscope/0.1 (libcurl)");
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, long(r.connect_timeout_seconds));
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(r.stall_timeout_seconds));
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        if (t.resumed_from > 0) curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t(t.resumed_from));

        const CURLcode code = curl_easy_perform(curl);
        long http_status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
        curl_easy_cleanup(curl);
        result.http_status = int(http_status);
        const std::uint64_t have = t.resumed_from + t.written;
        result.bytes = have;
        const std::string reason = curl_error[0] ? curl_error : curl_easy_strerror(code);

        if (code == CURLE_ABORTED_BY_CALLBACK && t.cancelled) {
            ::close(fd);
            result.status = DownloadStatus::cancelled;
            result.message = "cancelled after " + format_bytes(have) +
                             (t.total ? " of " + format_bytes(t.total) : std::string()) + "; " + part +
                             " is kept, and the same download resumes from there";
            return result;
        }
        if (code == CURLE_WRITE_ERROR && t.write_errno != 0) {
            discard(fd, part);
            result.status = DownloadStatus::write_failed;
            result.message = "cannot write " + part + ": " + std::strerror(t.write_errno) +
                             "; the partial file was removed";
            return result;
        }
        // The server cannot continue the kept part (no Range support), or the part is already whole or
        // longer than the file (416): check the part as it is, else start over once.
        const bool range_trouble = t.resumed_from > 0 &&
                                   (code == CURLE_RANGE_ERROR || code == CURLE_BAD_DOWNLOAD_RESUME ||
                                    (code == CURLE_HTTP_RETURNED_ERROR && http_status == 416));
        if (range_trouble) {
            bool whole = false;
            try {
                whole = http_status == 416 && md5_file(part) == r.md5;
            } catch (const std::exception&) {
            }
            if (!whole) {
                if (::ftruncate(fd, 0) != 0) {
                    discard(fd, part);
                    result.status = DownloadStatus::write_failed;
                    result.message = "cannot truncate " + part + ": " + std::strerror(errno);
                    return result;
                }
                continue;
            }
        } else if (code == CURLE_HTTP_RETURNED_ERROR) {
            if (t.resumed_from == 0) discard(fd, part);
            else ::close(fd);
            result.status = DownloadStatus::http_error;
            result.message = r.url + ": the server answered HTTP " + std::to_string(http_status) +
                             (http_status == 404 ? " (no such file there)" : "") + "; " + folder_hint(r);
            return result;
        } else if (is_unreachable(code) || (code == CURLE_OPERATION_TIMEDOUT && t.written == 0)) {
            if (t.resumed_from == 0) discard(fd, part);
            else ::close(fd);
            result.status = DownloadStatus::unreachable;
            result.message = "cannot reach " + r.url + " (" + reason + "); " + folder_hint(r);
            return result;
        } else if (code == CURLE_FILE_COULDNT_READ_FILE) {
            if (t.resumed_from == 0) discard(fd, part);
            else ::close(fd);
            result.status = DownloadStatus::unreachable;
            result.message = "cannot read " + r.url + " (" + reason + ")";
            return result;
        } else if (code != CURLE_OK) {
            const bool kept = have > 0;
            if (kept) ::close(fd);
            else discard(fd, part);
            result.status = DownloadStatus::interrupted;
            result.message = "the download from " + r.url + " stopped after " + format_bytes(have) +
                             (t.total ? " of " + format_bytes(t.total) : std::string()) + " (" + reason + ")" +
                             (kept ? "; " + part + " is kept, and the same download resumes from there" : "");
            return result;
        }

        // Complete: only a file with the expected checksum becomes a weights file.
        if (::fsync(fd) != 0) {
            const int err = errno;
            discard(fd, part);
            result.status = DownloadStatus::write_failed;
            result.message = "cannot write " + part + ": " + std::strerror(err) + "; the partial file was removed";
            return result;
        }
        std::string md5;
        try {
            md5 = md5_file(part);
        } catch (const std::exception& e) {
            discard(fd, part);
            result.status = DownloadStatus::write_failed;
            result.message = e.what();
            return result;
        }
        result.bytes = file_size(fd);
        if (md5 != r.md5) {
            discard(fd, part);
            result.status = DownloadStatus::checksum_mismatch;
            result.message = r.url + ": the downloaded file (" + format_bytes(result.bytes) + ") has md5 " + md5 +
                             ", expected " + r.md5 + "; it is not the expected file and was removed";
            return result;
        }
        try {
            replace_with_temp(part, target);  // removes the part itself when the rename fails
        } catch (const std::exception& e) {
            ::close(fd);
            result.status = DownloadStatus::write_failed;
            result.message = e.what();
            return result;
        }
        ::close(fd);  // the lock goes with it, after the rename
        result.status = DownloadStatus::verified;
        result.path = target;
        result.message = target + ": " + format_bytes(result.bytes) + ", md5 " + md5 + " verified";
        return result;
    }
    discard(fd, part);
    result.status = DownloadStatus::interrupted;
    result.message = r.url + ": the server sent a different file when asked to resume, and again from the start";
    return result;
}

}  // namespace convscope
