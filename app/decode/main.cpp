// convscope-decode: decodes one untrusted file for convscope, confined (see core/sandbox/decode_client.hpp).
//
//   convscope-decode image PATH           fd 3: the image file; result: (H, W, 3) RGB
//   convscope-decode keras-weights PATH   fd 3: the HDF5 file; result: its layers, weights and values
// fd 4 is the result memfd (core/sandbox/decode_protocol.hpp); PATH only names the file in messages.
// Started by the convscope programs, not by people: it reads nothing but those descriptors.

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "app/decode/sandbox_limits.hpp"
#include "core/errors.hpp"
#include "core/image/image.hpp"
#include "core/limits.hpp"
#include "core/read_file.hpp"
#include "core/sandbox/decode_protocol.hpp"
#include "core/weights/h5_file.hpp"
#include "core/weights/keras_h5_reader.hpp"

#if defined(CONVSCOPE_ADDRESS_SANITIZER)  // app/decode/CMakeLists.txt
// AddressSanitizer builds (the asan test stage, fuzzing): LeakSanitizer checks at exit from a tracer thread,
// which the sandbox forbids (no new threads or processes), and it then fails the decoder with exit status 1.
// The decoder starts with an empty environment, so its defaults are set here; leaks in the decoding code are
// still found by the fuzz harnesses, which run the same readers in-process with leak detection on.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

namespace {

using namespace convscope;
using namespace convscope::sandbox;

StatusPage* g_status = nullptr;

void note_step(const std::string& what) {
    if (g_status) set_text(g_status->step, what);
}

// Grows the result memfd to hold `bytes` of payload and maps the payload for writing.
std::uint8_t* payload_area(std::size_t bytes) {
    if (::ftruncate(kResultFd, off_t(kStatusBytes + bytes)) != 0) throw std::bad_alloc();
    if (bytes == 0) return nullptr;
    // MAP_POPULATE: the pages are allocated in one call, not faulted in one by one as the values arrive.
    void* p = ::mmap(nullptr, kStatusBytes + bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, kResultFd, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    g_status->payload_bytes = bytes;
    return static_cast<std::uint8_t*>(p) + kStatusBytes;
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = std::uint8_t(v >> (8 * i));
}

void decode_image(const std::string& name) {
    apply_resource_limits(kImageDecodeLimits);
    note_step("the file");
    const std::int64_t size = ::lseek(kInputFd, 0, SEEK_END);
    if (size < 0 || size > kImageDecodeLimits.max_file_bytes) throw InputError(name + ": cannot read the file");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    std::size_t at = 0;
    while (at < bytes.size()) {
        const ssize_t n = ::pread(kInputFd, bytes.data() + at, bytes.size() - at, off_t(at));
        if (n <= 0) throw InputError(name + ": cannot read the file (it shrank while being read)");
        at += std::size_t(n);
    }
    forbid_new_files_and_processes();  // from here on, only the bytes in memory
    const char* format = image_format(bytes.data(), bytes.size());
    note_step(std::string("the ") + (format ? format : "image") + " data");
    const RgbImage img = convscope::decode_image(bytes.data(), bytes.size(), name);
    const std::size_t pixels = img.pixels.size();
    std::uint8_t* out = payload_area(8 + pixels);
    put_u32(out, std::uint32_t(img.height));
    put_u32(out + 4, std::uint32_t(img.width));
    std::memcpy(out + 8, img.pixels.data(), pixels);
}

void decode_keras_weights(const std::string& name) {
    apply_resource_limits(kWeightsDecodeLimits);
    h5::set_step_observer(note_step);
    // libhdf5 opens the file by name, so it gets our descriptor's; once it is open, the filter forbids any
    // other open (an external link or external storage that slipped past the checks fails there).
    const std::string fd_path = "/proc/self/fd/" + std::to_string(kInputFd);
    KerasWeightsReader reader(fd_path, "weights file " + name, [] { forbid_new_files_and_processes(); });
    const KerasWeightsFile& f = reader.structure();
    const std::string structure = encode_weights_structure(f);
    const std::size_t values_at = (8 + structure.size() + 63) / 64 * 64;
    std::uint8_t* out = payload_area(values_at + f.value_count * sizeof(float));
    for (int i = 0; i < 8; ++i) out[i] = std::uint8_t(std::uint64_t(structure.size()) >> (8 * i));
    std::memcpy(out + 8, structure.data(), structure.size());
    reader.read_values(reinterpret_cast<float*>(out + values_at));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) return 64;
    void* page = ::mmap(nullptr, kStatusBytes, PROT_READ | PROT_WRITE, MAP_SHARED, kResultFd, 0);
    if (page == MAP_FAILED) return 65;
    g_status = static_cast<StatusPage*>(page);
    const std::string kind = argv[1], name = argv[2];
    try {
        if (kind == "image") decode_image(name);
        else if (kind == "keras-weights") decode_keras_weights(name);
        else return 64;
        g_status->state = std::uint32_t(DecodeState::done);
        ::_exit(0);  // nothing left to tidy: the program reads the result after we are gone
    } catch (const std::bad_alloc&) {
        const std::string step = g_status->step;
        set_text(g_status->error, name + ": the file is malformed: reading it needed more memory than the decoder's " +
                                      "limit" + (step.empty() ? "" : " while reading " + step));
    } catch (const std::exception& e) {
        set_text(g_status->error, e.what());
    }
    g_status->state = std::uint32_t(DecodeState::failed);
    ::_exit(0);
}
