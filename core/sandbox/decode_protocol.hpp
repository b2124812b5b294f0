#pragma once
// What the sandboxed decoder (convscope-decode) and the program that starts it agree on.
//
// The program creates a memfd, sizes it to one status page, maps it, and passes it to the decoder as
// fd kResultFd, with the file to read (opened and checked as a regular file by the program) as fd
// kInputFd. The decoder writes, before each risky step, what it is about to read into the status page
// (so a crash can be named), and at the end either an error message or "done" with the payload: the
// memfd grown past the status page, the payload starting at kStatusBytes.
//
//   image payload          u32 height, u32 width, then (H, W, 3) uint8 RGB
//   keras-weights payload  u64 n, then n bytes of structure (encode_weights_structure), padded to 64 bytes,
//                          then value_count float32 values
// Everything the program reads back is checked: the decoder may have been subverted by the file.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/weights/keras_h5_reader.hpp"

namespace convscope::sandbox {

constexpr int kInputFd = 3;
constexpr int kResultFd = 4;
constexpr std::size_t kStatusBytes = 4096;

enum class DecodeState : std::uint32_t { running = 0, done = 1, failed = 2 };

struct StatusPage {
    std::uint32_t state;           // DecodeState
    std::uint32_t reserved;
    std::uint64_t payload_bytes;   // valid when done
    char step[1024];               // what the decoder is reading now, NUL-terminated
    char error[2048];              // the decoder's message when failed, NUL-terminated
};
static_assert(sizeof(StatusPage) <= kStatusBytes, "the status page is one page");

// Writes `text` into a fixed char array, always NUL-terminated (cut if too long).
template <std::size_t N>
void set_text(char (&field)[N], const std::string& text) {
    const std::size_t n = text.size() < N - 1 ? text.size() : N - 1;
    for (std::size_t i = 0; i < n; ++i) field[i] = text[i];
    field[n] = '\0';
}

// The structure of a weights file (everything but the values) as bytes, and back. decode_weights_structure
// throws std::runtime_error when the bytes are inconsistent (a string past the end, a dataset past the values).
std::string encode_weights_structure(const KerasWeightsFile& f);
KerasWeightsFile decode_weights_structure(const std::uint8_t* bytes, std::size_t size);

}  // namespace convscope::sandbox
