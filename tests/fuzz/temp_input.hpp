#pragma once
// The fuzz input as a file (the readers under test take a path, as users give them), rewritten per input.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace convscope::fuzz {

inline std::string temp_input(const std::uint8_t* data, std::size_t size, const char* suffix = "") {
    static const std::string path = [suffix] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir ? dir : "/tmp") + "/convscope-fuzz-" + std::to_string(::getpid()) + suffix;
    }();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) __builtin_trap();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) __builtin_trap();
    std::fclose(f);
    return path;
}

}  // namespace convscope::fuzz
