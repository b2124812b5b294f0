#include "core/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "core/limits.hpp"

namespace convscope {

namespace {

// What a non-regular file is, for the message.
const char* kind_of(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

}  // namespace

int file_open_error(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? EISDIR : 0;
}

RegularFile RegularFile::open(const std::string& path, const std::string& noun, const std::string& expected) {
    const std::string object = noun.empty() ? "" : " " + noun;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. fstat on the descriptor
    // then checks the very file we will read, not whatever the name points to by then.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        if (err == EISDIR) throw InputError(path + ": is a folder, expected " + expected);
        throw InputError(path + ": cannot open" + object + " (" + std::strerror(err) + ")");
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw InputError(path + ": cannot open" + object + " (" + std::strerror(err) + ")");
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw InputError(path + ": is a folder, expected " + expected);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw InputError(path + ": is " + kind_of(st.st_mode) + ", not a regular file; expected " + expected);
    }
    // Back to blocking reads: a regular file never blocks, and plain semantics are simplest.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return RegularFile(fd, std::int64_t(st.st_size), path, noun);
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

void RegularFile::check_size(std::int64_t max_bytes) const {
    if (size_ > max_bytes)
        throw InputError(path_ + ": the file is " + byte_size_text(size_) + "; " +
                         (noun_.empty() ? std::string("a file") : noun_) + " may be at most " + byte_size_text(max_bytes));
}

void RegularFile::read(std::int64_t offset, void* into, std::size_t n) const {
    auto* out = static_cast<char*>(into);
    while (n > 0) {
        const ssize_t got = ::pread(fd_, out, n, offset);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0)
            throw InputError(path_ + ": cannot read" + (noun_.empty() ? "" : " " + noun_) + " (" +
                             std::strerror(errno) + ")");
        if (got == 0)
            throw InputError(path_ + ": the file ended early (it shrank while being read)");
        out += got;
        offset += got;
        n -= std::size_t(got);
    }
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path, const std::string& noun,
                                          const std::string& expected, std::int64_t max_bytes) {
    const RegularFile file = RegularFile::open(path, noun, expected);
    file.check_size(max_bytes);
    std::vector<std::uint8_t> bytes(std::size_t(file.size()));
    file.read(0, bytes.data(), bytes.size());
    return bytes;
}

}  // namespace convscope
