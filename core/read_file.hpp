#pragma once
// Reading a file the user named, with messages that say what went wrong, and with the checks a file from
// anywhere needs before it is read: it must be a regular file (a FIFO would block, /dev/zero never ends)
// and no larger than the caller's limit.
//
//   file_open_error(path)   0 when `path` can be opened as a file, else why not: the errno of stat(), or
//                           EISDIR for a folder (a folder opens like a file on Linux and only fails when read)
//   RegularFile::open(path, noun, expected)   an open descriptor on a regular file, and its size; InputError:
//       "<path>: cannot open <noun> (<reason>)"      missing, or no permission
//       "<path>: is a folder, expected <expected>"
//       "<path>: is a FIFO (named pipe), not a regular file; expected <expected>"  (likewise devices, sockets)
//   RegularFile::read(offset, n)   exactly n bytes at offset; InputError when the file ends first
//   read_file_bytes(path, noun, expected, max_bytes)   the whole file, refused unread when over max_bytes:
//       "<path>: the file is 4.0 GiB; <noun> may be at most 512.0 MiB"
//       "<path>: cannot read <noun> (<reason>)"      an I/O error part-way
//     An empty noun leaves the word out: "<path>: cannot open (<reason>)".

#include <cstdint>
#include <string>
#include <vector>

namespace convscope {

int file_open_error(const std::string& path);

class RegularFile {
public:
    static RegularFile open(const std::string& path, const std::string& noun, const std::string& expected);
    RegularFile(RegularFile&& o) noexcept : fd_(o.fd_), size_(o.size_), path_(std::move(o.path_)), noun_(std::move(o.noun_)) {
        o.fd_ = -1;
    }
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;
    RegularFile& operator=(RegularFile&&) = delete;
    ~RegularFile();

    int fd() const { return fd_; }
    std::int64_t size() const { return size_; }
    void read(std::int64_t offset, void* into, std::size_t n) const;
    // Throws the "the file is N; <noun> may be at most M" InputError when size() > max_bytes.
    void check_size(std::int64_t max_bytes) const;

private:
    RegularFile(int fd, std::int64_t size, std::string path, std::string noun)
        : fd_(fd), size_(size), path_(std::move(path)), noun_(std::move(noun)) {}
    int fd_ = -1;
    std::int64_t size_ = 0;
    std::string path_, noun_;
};

std::vector<std::uint8_t> read_file_bytes(const std::string& path, const std::string& noun,
                                          const std::string& expected, std::int64_t max_bytes);

}  // namespace convscope
