#pragma once
// MD5 checksums, the way Keras publishes them for its weights files (OpenSSL's EVP interface, Debian
// libssl-dev). MD5 here identifies a known file; it is not a defence against someone who can replace both
// the file and the checksum.
//
//   Md5                   incremental: update() with bytes as they arrive, hex() once at the end
//   md5_file(path)        the lowercase hex digest of a whole file; InputError naming the path and the reason
//   is_md5_hex(text)      32 hexadecimal digits (either case)
//   normalize_md5(text)   lowercase; InputError naming the text when it is not 32 hex digits

#include <cstddef>
#include <memory>
#include <string>

namespace convscope {

class Md5 {
public:
    Md5();
    ~Md5();
    Md5(const Md5&) = delete;
    Md5& operator=(const Md5&) = delete;

    void update(const void* data, std::size_t size);
    std::string hex();  // finishes the digest; the object is then spent

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string md5_file(const std::string& path);
bool is_md5_hex(const std::string& text);
std::string normalize_md5(const std::string& text);

}  // namespace convscope
