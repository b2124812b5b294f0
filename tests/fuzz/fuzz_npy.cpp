// libFuzzer: the .npy reader on arbitrary bytes, in this process (our own code: every finding is ours).
#include <cstdint>
#include <exception>

#include "core/errors.hpp"
#include "core/export/npy.hpp"
#include "tests/fuzz/fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const convscope::NpyArray a = convscope::decode_npy(data, size, "fuzz.npy");
        std::size_t count = 1;
        for (std::size_t d : a.shape) count *= d;
        if (count != a.values.size()) __builtin_trap();  // the values must be what the shape says
    } catch (const convscope::InputError& e) {
        convscope::fuzz::check_message(e.what());
    }
    return 0;
}
