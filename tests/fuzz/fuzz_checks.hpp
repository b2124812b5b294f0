#pragma once
// What every harness asserts about an error message: one line, printable once the program has passed it
// through printable() as the CLI and the GUI do, and of a sane length.
#include <cstring>
#include <string>

#include "core/limits.hpp"

namespace convscope::fuzz {

inline void check_message(const std::string& message) {
    const std::string shown = printable(message);
    for (unsigned char c : shown)
        if (c < 0x20 || c == 0x7f) __builtin_trap();
    if (message.empty() || shown.size() > 1100) __builtin_trap();
}

}  // namespace convscope::fuzz
