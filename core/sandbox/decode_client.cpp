#include "core/sandbox/decode_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/limits.hpp"
#include "core/read_file.hpp"
#include "core/sandbox/decode_protocol.hpp"

namespace convscope {

// Images: a 64 MP PNG decodes through ~0.5 GB of stb buffers; 2 GiB leaves room and stops a crafted chunk
// length from growing a buffer to gigabytes. The largest legitimate decode (64 MP JPEG) takes ~1 s.
const DecodeLimits kImageDecodeLimits{std::int64_t(2) << 30, 4, 12, std::int64_t(512) << 20,
                                      kMaxImagePixels * 3 + 64};
// Weights: the values themselves (at most the weights budget) plus libhdf5's own needs. A 2 GiB file
// reads in a few seconds; the ResNet50 file (98 MB) in ~0.1 s.
const DecodeLimits kWeightsDecodeLimits{kWeightsBudgetBytes + (std::int64_t(1) << 30), 4, 12,
                                        std::int64_t(4) << 30, kWeightsBudgetBytes + (std::int64_t(256) << 20)};

namespace {

struct DecodeFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

struct Mapping {
    void* base = MAP_FAILED;
    std::size_t size = 0;
    Mapping(void* b, std::size_t n) : base(b), size(n) {}
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() {
        if (base != MAP_FAILED) ::munmap(base, size);
    }
    const std::uint8_t* bytes() const { return static_cast<const std::uint8_t*>(base); }
};

enum class Kind { image, keras_weights };

const char* reader_name(Kind kind) {
    return kind == Kind::image ? "the image decoder (stb_image)" : "the HDF5 reader (libhdf5)";
}

std::string signal_name(int sig) {
    switch (sig) {
        case SIGSEGV: return "SIGSEGV, a bad memory access";
        case SIGBUS: return "SIGBUS, a bad memory access";
        case SIGABRT: return "SIGABRT, an internal check failed";
        case SIGFPE: return "SIGFPE, an arithmetic fault";
        case SIGILL: return "SIGILL, an illegal instruction";
        case SIGSYS: return "SIGSYS, a forbidden system call";
        default: return "signal " + std::to_string(sig);
    }
}

// The decoder's payload, mapped read-only, once it has exited having said "done".
struct Payload {
    std::shared_ptr<const Mapping> mapping;
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};

Payload run_decoder(Kind kind, const std::string& path, const std::string& what, const DecodeLimits& limits) {
    const std::string decoder = decoder_path();
    if (decoder.empty())
        throw DecodeFailure(what + ": cannot read it safely: the sandboxed decoder convscope-decode is missing "
                                   "(it belongs beside the convscope programs)");
    // Refuses FIFOs, devices and folders before anything reads them; the decoder gets this very descriptor.
    const RegularFile file = kind == Kind::image
                                 ? RegularFile::open(path, "the image file", "a PNG, JPEG, BMP or GIF image")
                                 : RegularFile::open(path, "", "a Keras HDF5 weights file (.h5)");
    file.check_size(limits.max_file_bytes);

    Fd result(::memfd_create("convscope-decode", MFD_CLOEXEC));
    if (result.fd < 0 || ::ftruncate(result.fd, off_t(sandbox::kStatusBytes)) != 0)
        throw DecodeFailure(what + ": cannot prepare the decoder (" + std::strerror(errno) + ")");
    void* status_map = ::mmap(nullptr, sandbox::kStatusBytes, PROT_READ, MAP_SHARED, result.fd, 0);
    if (status_map == MAP_FAILED) throw DecodeFailure(what + ": cannot prepare the decoder (" + std::strerror(errno) + ")");
    const Mapping status_mapping(status_map, sandbox::kStatusBytes);
    const auto* status = static_cast<const volatile sandbox::StatusPage*>(status_map);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        throw DecodeFailure(what + ": cannot prepare the decoder (" + std::strerror(errno) + ")");
    Fd err_read(pipe_fds[0]), err_write(pipe_fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
    posix_spawn_file_actions_adddup2(&actions, file.fd(), sandbox::kInputFd);
    posix_spawn_file_actions_adddup2(&actions, result.fd, sandbox::kResultFd);
    std::string kind_arg = kind == Kind::image ? "image" : "keras-weights";
    std::vector<char*> argv;
#ifdef CONVSCOPE_DECODE_EMULATOR
    // A cross build run under user-mode emulation (scripts/test-arm64.sh): the kernel cannot start the decoder, a
    // binary of another architecture, so the emulator does, with the arguments the build was configured with.
    static std::vector<std::string> emulator = [] {
        std::vector<std::string> words;
        std::istringstream in(CONVSCOPE_DECODE_EMULATOR);
        for (std::string w; in >> w;) words.push_back(w);
        return words;
    }();
    for (std::string& w : emulator) argv.push_back(w.data());
#endif
    argv.insert(argv.end(), {const_cast<char*>(decoder.c_str()), kind_arg.data(), const_cast<char*>(path.c_str()), nullptr});
    char* envp[] = {nullptr};  // nothing from our environment reaches the decoder (HDF5_PLUGIN_PATH...)
    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        throw DecodeFailure(what + ": cannot start the sandboxed decoder " + decoder + " (" + std::strerror(spawned) + ")");
    ::close(err_write.fd);  // the decoder holds the only write end now: EOF means it has exited
    err_write.fd = -1;

    // Drain the decoder's stderr until it closes (it exited) or the wall clock runs out.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.wall_seconds);
    bool timed_out = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd p{err_read.fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, int(std::min<long long>(left.count(), INT_MAX)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        char sink[4096];
        const ssize_t n = ::read(err_read.fd, sink, sizeof sink);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }

    const std::string step = printable(std::string(const_cast<const char*>(status->step), strnlen(const_cast<const char*>(status->step), sizeof status->step)), 200);
    const std::string while_reading = step.empty() ? std::string() : " while reading " + step;
    const std::string reader = reader_name(kind);
    if (timed_out)
        throw DecodeFailure(what + ": the file is malformed: " + reader + " did not finish within " +
                            std::to_string(limits.wall_seconds) + " s" + while_reading + " and was stopped");
    if (WIFSIGNALED(wstatus)) {
        const int sig = WTERMSIG(wstatus);
        if (sig == SIGXCPU || sig == SIGKILL)
            throw DecodeFailure(what + ": the file is malformed: " + reader + " used more than " +
                                std::to_string(limits.cpu_seconds) + " s of CPU time" + while_reading +
                                " and was stopped");
        if (sig == SIGXFSZ)
            throw DecodeFailure(what + ": the file is malformed: " + reader + " tried to return more than " +
                                byte_size_text(limits.max_result_bytes) + while_reading);
        throw DecodeFailure(what + ": the file is malformed: " + reader + " crashed (" + signal_name(sig) + ")" +
                            while_reading);
    }
    const auto state = sandbox::DecodeState(status->state);
    if (state == sandbox::DecodeState::failed)
        throw DecodeFailure(printable(std::string(const_cast<const char*>(status->error),
                                                  strnlen(const_cast<const char*>(status->error), sizeof status->error))));
    if (state != sandbox::DecodeState::done || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        throw DecodeFailure(what + ": the file is malformed: " + reader + " stopped without a result (exit status " +
                            std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) + ")" + while_reading);

    const std::uint64_t payload_bytes = status->payload_bytes;
    struct stat st;
    if (::fstat(result.fd, &st) != 0 || std::uint64_t(st.st_size) < sandbox::kStatusBytes ||
        payload_bytes > std::uint64_t(st.st_size) - sandbox::kStatusBytes ||
        payload_bytes > std::uint64_t(limits.max_result_bytes))
        throw DecodeFailure(what + ": " + reader + " returned an inconsistent result");
    const std::size_t mapped = sandbox::kStatusBytes + std::size_t(payload_bytes);
    // MAP_POPULATE: one call maps every page, instead of a page fault per 4 KB while the values are copied.
    void* base = ::mmap(nullptr, mapped, PROT_READ, MAP_SHARED | MAP_POPULATE, result.fd, 0);
    if (base == MAP_FAILED) throw DecodeFailure(what + ": cannot map the decoder's result (" + std::strerror(errno) + ")");
    auto mapping = std::make_shared<const Mapping>(base, mapped);
    return Payload{mapping, mapping->bytes() + sandbox::kStatusBytes, std::size_t(payload_bytes)};
}

std::uint32_t u32_at(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

}  // namespace

std::string decoder_path() {
    static const std::string found = [] {
        char self[PATH_MAX];
        const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0) {
            std::string dir(self, std::size_t(n));
            dir.erase(dir.find_last_of('/') + 1);
            const std::string beside = dir + "convscope-decode";
            if (::access(beside.c_str(), X_OK) == 0) return beside;
        }
#ifdef CONVSCOPE_DECODE_BUILD_PATH
        if (::access(CONVSCOPE_DECODE_BUILD_PATH, X_OK) == 0) return std::string(CONVSCOPE_DECODE_BUILD_PATH);
#endif
        return std::string();
    }();
    return found;
}

RgbImage decode_image_file(const std::string& path) {
    try {
        const Payload p = run_decoder(Kind::image, path, path, kImageDecodeLimits);
        if (p.size < 8) throw DecodeFailure(path + ": the image decoder returned an inconsistent result");
        const std::uint32_t h = u32_at(p.data), w = u32_at(p.data + 4);
        if (h < 1 || w < 1 || std::int64_t(h) * w > kMaxImagePixels || p.size != 8 + std::size_t(h) * w * 3)
            throw DecodeFailure(path + ": the image decoder returned an inconsistent result");
        RgbImage img;
        img.height = int(h);
        img.width = int(w);
        img.pixels.assign(p.data + 8, p.data + p.size);
        return img;
    } catch (const DecodeFailure& e) {
        throw InputError(e.what());
    }
}

KerasWeightsFile decode_keras_weights_file(const std::string& path) {
    const std::string where = "weights file " + path;
    try {
        const Payload p = run_decoder(Kind::keras_weights, path, where, kWeightsDecodeLimits);
        const auto inconsistent = [&] { return DecodeFailure(where + ": the HDF5 reader returned an inconsistent result"); };
        if (p.size < 8) throw inconsistent();
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = (n << 8) | p.data[i];
        if (n > p.size - 8) throw inconsistent();
        KerasWeightsFile f;
        try {
            f = sandbox::decode_weights_structure(p.data + 8, std::size_t(n));
        } catch (const std::runtime_error&) {
            throw inconsistent();
        }
        const std::size_t values_at = (8 + std::size_t(n) + 63) / 64 * 64;
        if (values_at > p.size || f.value_count > (p.size - values_at) / 4) throw inconsistent();
        f.values = reinterpret_cast<const float*>(p.data + values_at);
        f.storage = p.mapping;
        return f;
    } catch (const DecodeFailure& e) {
        throw WeightsError(e.what());
    } catch (const InputError& e) {  // the file itself ("<path>: is a FIFO ..."): missing, a FIFO, too large
        throw WeightsError("weights file " + std::string(e.what()));
    }
}

}  // namespace convscope
