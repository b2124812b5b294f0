#include "core/export/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.hpp"

namespace convscope {

namespace {

std::string reason(int err) { return std::strerror(err); }

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Creates a new file next to `target` with a random suffix, O_EXCL so that two writers never share one.
int open_temp(const std::string& target, std::string& temp_path) {
    static thread_local std::mt19937_64 rng{std::random_device{}() ^ (std::uint64_t(::getpid()) << 32)};
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string suffix = ".tmp-";
        for (int i = 0; i < 6; ++i) suffix += digits[rng() % 36];
        temp_path = target + suffix;
        const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

std::string describe_open_failure(const std::string& target, int err) {
    std::string msg = "cannot write " + target + ": " + reason(err);
    struct stat st;
    const std::string dir = parent_of(target);
    if (err == ENOENT && ::stat(dir.c_str(), &st) != 0) msg += " (the folder " + dir + " does not exist)";
    if (err == ENOTDIR) msg += " (a part of the folder path " + dir + " is a file, not a folder)";
    return msg;
}

// What a path that is not a regular file is, for the message that refuses to replace it.
const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// The file a write to `path` must replace. The rename that makes a write atomic replaces a directory entry
// itself, so a device (`--out /dev/null`) or a named pipe would silently become a plain file in its place:
// those are refused. A symbolic link (a settings file kept with one's dotfiles) is written through: the file it
// points to is replaced and the link stays; a link to nothing is refused, as is an empty name.
std::string resolve_target(const std::string& path) {
    if (path.empty()) throw InputError("cannot write a file with an empty name");
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return path;  // a new file (or a folder that fails later, with its reason)
    std::string target = path;
    if (S_ISLNK(st.st_mode)) {
        char* resolved = ::realpath(path.c_str(), nullptr);
        if (!resolved)
            throw InputError("cannot write " + path + ": it is a symbolic link to a missing file; name a regular "
                             "file or a new one");
        target = resolved;
        std::free(resolved);
        if (::stat(target.c_str(), &st) != 0) return target;
    }
    if (!S_ISREG(st.st_mode))
        throw InputError("cannot write " + path + ": it is " + kind_of(st.st_mode) +
                         "; name a regular file or a new one");
    return target;
}

// A new, empty temp file beside target (a regular file or a new name: see resolve_target), open for writing;
// its path goes to `temp`.
int create_temp(const std::string& target, std::string& temp) {
    const int fd = open_temp(target, temp);
    if (fd < 0) throw InputError(describe_open_failure(target, errno));
    return fd;
}

// Writes bytes to a fresh temp file beside target; returns its path. Nothing is left behind on failure.
std::string write_temp(const std::string& target, const void* data, std::size_t size) {
    std::string temp;
    const int fd = create_temp(target, temp);  // target: resolved by the caller

    const char* p = static_cast<const char*>(data);
    std::size_t left = size;
    int err = 0;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        p += n;
        left -= std::size_t(n);
    }
    // Flush to disk before the rename, so that a crash cannot leave the target name on an empty file.
    if (err == 0 && ::fdatasync(fd) != 0 && errno != EINVAL && errno != EROFS) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        ::unlink(temp.c_str());
        throw InputError("cannot write " + target + ": " + reason(err));
    }
    return temp;
}

}  // namespace

std::vector<std::string> ensure_directory(const std::string& path) {
    if (path.empty()) throw InputError("no folder given");
    std::vector<std::string> created;
    // Walk from the root down, creating what is missing, so the error names the first part that fails.
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        const std::string part = path.substr(0, pos);
        if (part.empty()) continue;
        struct stat st;
        if (::stat(part.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                throw InputError("cannot create folder " + path + ": " + part + " is a file, not a folder");
            continue;
        }
        // Names the part that failed when it is not the folder itself ("/proc/x: /proc/x: ..." said it twice).
        const std::string where = part == path ? "" : part + ": ";
        if (errno != ENOENT) throw InputError("cannot create folder " + path + ": " + where + reason(errno));
        if (::mkdir(part.c_str(), 0777) != 0 && errno != EEXIST)
            throw InputError("cannot create folder " + path + ": " + where + reason(errno));
        created.push_back(part);
    }
    if (::access(path.c_str(), W_OK | X_OK) != 0)
        throw InputError("cannot write into folder " + path + ": " + reason(errno));
    return created;
}

std::string create_temp_beside(const std::string& path) {
    std::string temp;
    ::close(create_temp(resolve_target(path), temp));
    return temp;
}

void replace_with_temp(const std::string& temp, const std::string& path) {
    std::string target;
    try {
        target = resolve_target(path);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw InputError("cannot write " + path + ": " + reason(err));
    }
}

void write_file_atomic(const std::string& path, const void* data, std::size_t size) {
    const std::string target = resolve_target(path);
    const std::string temp = write_temp(target, data, size);
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw InputError("cannot write " + path + ": " + reason(err));
    }
}

void write_file_atomic(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    write_file_atomic(path, bytes.data(), bytes.size());
}

AtomicFileSet::~AtomicFileSet() { discard(); }

void AtomicFileSet::discard() noexcept {
    for (const Pending& p : pending_) ::unlink(p.temp.c_str());
    pending_.clear();
}

void AtomicFileSet::add(const std::string& path, const void* data, std::size_t size) {
    if (spent_) throw std::logic_error("AtomicFileSet::add after a failure or commit");
    for (const Pending& p : pending_)
        if (p.target == path) {
            discard();
            spent_ = true;
            throw InputError("cannot write " + path + ": the same file name occurs twice in one export");
        }
    try {
        const std::string target = resolve_target(path);
        pending_.push_back(Pending{path, target, write_temp(target, data, size)});
    } catch (...) {
        discard();
        spent_ = true;
        throw;
    }
}

void AtomicFileSet::add(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    add(path, bytes.data(), bytes.size());
}

std::vector<std::string> AtomicFileSet::commit() {
    if (spent_) throw std::logic_error("AtomicFileSet::commit after a failure or a previous commit");
    spent_ = true;
    // Remember which targets are new: if a later rename fails, those are removed again. A target that
    // existed before has been replaced by then and cannot be restored; renames within one folder that
    // we could create files in practically never fail.
    std::vector<bool> existed(pending_.size());
    for (std::size_t i = 0; i < pending_.size(); ++i) existed[i] = ::access(pending_[i].file.c_str(), F_OK) == 0;
    std::vector<std::string> done;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        if (::rename(pending_[i].temp.c_str(), pending_[i].file.c_str()) != 0) {
            const int err = errno;
            const std::string failed = pending_[i].target;
            for (std::size_t j = 0; j < i; ++j)
                if (!existed[j]) ::unlink(pending_[j].file.c_str());
            pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(i));  // renamed: no temp left
            discard();
            throw InputError("cannot write " + failed + ": " + reason(err) +
                             "; the files this export had already created were removed again");
        }
        done.push_back(pending_[i].target);
    }
    pending_.clear();
    return done;
}

}  // namespace convscope
