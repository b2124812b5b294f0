#include "core/weights/md5.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/errors.hpp"

namespace convscope {

struct Md5::Impl {
    EVP_MD_CTX* ctx = nullptr;
    bool done = false;
};

Md5::Md5() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_md5(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not start an MD5 digest");
}

Md5::~Md5() { EVP_MD_CTX_free(impl_->ctx); }

void Md5::update(const void* data, std::size_t size) {
    if (impl_->done) throw std::logic_error("Md5::update after hex()");
    if (size > 0 && EVP_DigestUpdate(impl_->ctx, data, size) != 1) throw std::runtime_error("OpenSSL MD5 update failed");
}

std::string Md5::hex() {
    if (impl_->done) throw std::logic_error("Md5::hex called twice");
    impl_->done = true;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(impl_->ctx, digest, &length) != 1) throw std::runtime_error("OpenSSL MD5 final failed");
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

std::string md5_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
    Md5 md5;
    std::vector<char> buffer(1 << 20);
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            throw InputError(path + ": cannot read (" + std::strerror(err) + ")");
        }
        if (n == 0) break;
        md5.update(buffer.data(), std::size_t(n));
    }
    ::close(fd);
    return md5.hex();
}

bool is_md5_hex(const std::string& text) {
    if (text.size() != 32) return false;
    for (char c : text)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::string normalize_md5(const std::string& text) {
    if (!is_md5_hex(text))
        throw InputError("md5 \"" + text + "\": expected 32 hexadecimal digits, e.g. a268eb855778b3df3c7506639542a6af");
    std::string out = text;
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace convscope
