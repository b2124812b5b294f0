// libFuzzer: an image file from anywhere, through the same path as `run --image`: the program checks the
// file, the sandboxed decoder decodes it. Whatever the bytes, the program must get an image of at most
// kMaxImagePixels or one clean InputError, never crash or hang (stb_image's own crashes stay in the decoder).
// FUZZ_IMAGE_IN_PROCESS=1 decodes in this process instead, to find what the checks before stb could catch.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/errors.hpp"
#include "core/image/image.hpp"
#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/temp_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool in_process = std::getenv("FUZZ_IMAGE_IN_PROCESS") != nullptr;
    try {
        const convscope::RgbImage img = in_process ? convscope::decode_image(data, size, "fuzz")
                                                   : convscope::load_image(convscope::fuzz::temp_input(data, size));
        if (img.height < 1 || img.width < 1 ||
            std::int64_t(img.height) * img.width > convscope::kMaxImagePixels ||
            img.pixels.size() != std::size_t(img.height) * std::size_t(img.width) * 3)
            __builtin_trap();
    } catch (const convscope::InputError& e) {
        convscope::fuzz::check_message(e.what());
    }
    return 0;
}
