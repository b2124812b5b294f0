#pragma once
// What a file or a configuration may make convscope allocate, and the 64-bit arithmetic that checks it
// before anything is allocated. Every limit is stated here once and named in the messages that enforce it.
//
//   kMaxImagePixels        64 megapixels: a decoded image; refused from its header, before decoding
//   kWeightsBudgetBytes    2 GiB: all weights of a network (ResNet50 needs 98 MB), or of one Conv2D
//   kActivationsBudgetBytes 8 GiB: every node output of one forward pass at once (ResNet50 at 600: 1.9 GiB)
//   kMaxNpyBytes           the largest .npy file read (the activations budget)
//   kMaxThreads            engine threads (CLI --threads, GUI --threads)
//   checked_mul/add()      int64 arithmetic; std::nullopt when the result does not fit
//   checked_product()      the product of a list of sizes, or nullopt
//   byte_size_text()       "16.0 GiB", "98.0 MB" for messages
//   printable()            one line of printable text: control bytes escaped (\n, \x1b), long text cut
//   echo()                 printable() cut short, for quoting what a file or a user supplied

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace convscope {

constexpr std::int64_t kMaxImagePixels = 64'000'000;
constexpr std::int64_t kWeightsBudgetBytes = std::int64_t(2) << 30;
constexpr std::int64_t kActivationsBudgetBytes = std::int64_t(8) << 30;
constexpr std::int64_t kMaxNpyBytes = kActivationsBudgetBytes;
constexpr int kMaxThreads = 256;

inline std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
    return r;
}
inline std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
    return r;
}
inline std::optional<std::int64_t> checked_product(std::initializer_list<std::int64_t> factors) {
    std::int64_t r = 1;
    for (std::int64_t f : factors) {
        const auto next = checked_mul(r, f);
        if (!next) return std::nullopt;
        r = *next;
    }
    return r;
}

// Binary units for memory ("2.0 GiB"), one decimal.
std::string byte_size_text(std::int64_t bytes);
// An optional size for messages: the size, or "more than 8 EiB" when it did not fit in 64 bits.
std::string byte_size_text(std::optional<std::int64_t> bytes);

std::string printable(const std::string& text, std::size_t max_bytes = 1000);
inline std::string echo(const std::string& text) { return printable(text, 80); }

}  // namespace convscope
