#include "core/read_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <sys/stat.h>

#include "core/errors.hpp"

namespace convscope {

int file_open_error(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? EISDIR : 0;
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path, const std::string& noun,
                                          const std::string& expected) {
    const std::string object = noun.empty() ? "" : " " + noun;
    auto cannot = [&](const char* verb, const std::string& reason) {
        return InputError(path + ": cannot " + verb + object + " (" + reason + ")");
    };
    const int err = file_open_error(path);
    if (err == EISDIR) throw InputError(path + ": is a folder, expected " + expected);
    if (err != 0) throw cannot("open", std::strerror(err));
    std::ifstream file(path, std::ios::binary);
    if (!file) throw cannot("open", std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    // Reading through the stream buffer leaves the stream's state alone: libstdc++'s buffer reports a read
    // error by throwing std::ios_base::failure instead.
    try {
        bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    } catch (const std::exception& e) {
        throw cannot("read", e.what());
    }
    return bytes;
}

}  // namespace convscope
