// libFuzzer: a session file from anywhere, through load_session (JSON, every field, the memory budget of
// the network it describes). It must give a Session or one clean InputError.
#include <cstdint>

#include "app/gui/session.hpp"
#include "core/errors.hpp"
#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/temp_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        convscope::gui::load_session(convscope::fuzz::temp_input(data, size, ".json"));
    } catch (const convscope::InputError& e) {
        convscope::fuzz::check_message(e.what());
    }
    return 0;
}
