// Measures what it costs one core to read, or to overwrite, data that another core has just written, against
// data the same core wrote: the price a layer pays when its tasks land on the other thread than the tasks of the
// layer before that wrote its input (bench/README.md, "What the targets ask, and what was measured and tried").
//
//   convscope-cross-core [--cpus A,B] [--mb 1,4,16] [--reps N]
//
// For each buffer size: core A writes the buffer, then core A or core B reads it (or overwrites it) and is
// timed. Each figure is the best of --reps rounds, in GB/s. On a machine whose two cores share their last-level
// cache the "other" columns stay close to the "same" ones; where they do not, every hand-over between threads
// goes through memory. Linux only (it pins its threads with pthread_setaffinity_np); exit status 2 when the two
// CPUs cannot be pinned.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

// Runs fn on a thread pinned to `cpu` and waits for it; false when the pin failed.
template <typename Fn>
bool on_cpu(int cpu, Fn fn) {
    bool pinned = false;
    std::thread([&] {
        pinned = pin_to(cpu);
        if (pinned) fn();
    }).join();
    return pinned;
}

volatile std::uint64_t g_sink;  // keeps the reads from being optimised away

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Reads every word, copying it a few KiB at a time into a buffer that stays in L1: memcpy's vector loads make
// this bounded by how fast the lines arrive, not by an arithmetic chain.
double time_read(const std::uint64_t* p, std::size_t words) {
    constexpr std::size_t kChunk = 512;  // words: 4 KiB
    std::uint64_t scratch[kChunk];
    std::uint64_t seen = 0;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < words; i += kChunk) {
        const std::size_t n = std::min(kChunk, words - i);
        std::memcpy(scratch, p + i, n * sizeof(std::uint64_t));
        seen ^= scratch[n - 1];
    }
    g_sink = seen;
    return seconds_since(start);
}

double time_write(std::uint64_t* p, std::size_t words, std::uint64_t value) {
    const auto start = Clock::now();
    std::fill(p, p + words, value);
    return seconds_since(start);
}

// Core `writer` fills the buffer, then core `timed` runs op (a read or an overwrite) and reports its time:
// best of `reps`, or a negative value when a thread could not be pinned.
template <typename Op>
double best_after_write(int writer, int timed, int reps, std::uint64_t* p, std::size_t words, Op op) {
    double best = 1e9;
    for (int r = 0; r < reps; ++r) {
        double t = 0;
        if (!on_cpu(writer, [&] { time_write(p, words, std::uint64_t(r) + 1); }) || !on_cpu(timed, [&] { t = op(); }))
            return -1;
        best = std::min(best, t);
    }
    return best;
}

int usage() {
    std::fprintf(stderr, "usage: convscope-cross-core [--cpus A,B] [--mb 1,4,16] [--reps N]\n");
    return 2;
}

std::vector<int> parse_list(const std::string& text) {
    std::vector<int> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) out.push_back(std::atoi(item.c_str()));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> cpus = {0, 1}, sizes_mb = {1, 4, 16};
    int reps = 5;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 == argc) return usage();
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--cpus") cpus = parse_list(value);
        else if (flag == "--mb") sizes_mb = parse_list(value);
        else if (flag == "--reps") reps = std::max(1, std::atoi(value.c_str()));
        else return usage();
    }
    const bool sizes_ok = std::all_of(sizes_mb.begin(), sizes_mb.end(), [](int mb) { return mb > 0; });
    if (cpus.size() != 2 || sizes_mb.empty() || !sizes_ok) return usage();
    const int a = cpus[0], b = cpus[1];
    std::printf("data written by cpu %d, then read or overwritten by cpu %d (same) or cpu %d (other); GB/s, best of %d\n",
                a, a, b, reps);
    std::printf("%8s %12s %12s %12s %16s %16s %12s\n", "MiB", "read same", "read other", "other/same",
                "overwrite same", "overwrite other", "other/same");
    for (int mb : sizes_mb) {
        const std::size_t words = std::size_t(mb) << 17;  // 8-byte words in mb MiB
        std::unique_ptr<std::uint64_t[]> buffer(new std::uint64_t[words]);
        std::uint64_t* p = buffer.get();
        auto read = [&] { return time_read(p, words); };
        auto overwrite = [&] { return time_write(p, words, 0); };
        const double read_same = best_after_write(a, a, reps, p, words, read);
        const double read_other = best_after_write(a, b, reps, p, words, read);
        const double write_same = best_after_write(a, a, reps, p, words, overwrite);
        const double write_other = best_after_write(a, b, reps, p, words, overwrite);
        if (std::min({read_same, read_other, write_same, write_other}) < 0) {
            std::fprintf(stderr, "convscope-cross-core: could not pin a thread to cpu %d or %d\n", a, b);
            return 2;
        }
        const double gb = double(words) * 8 / 1e9;
        std::printf("%8d %12.1f %12.1f %12.2f %16.1f %16.1f %12.2f\n", mb, gb / read_same, gb / read_other,
                    read_same / read_other, gb / write_same, gb / write_other, write_same / write_other);
    }
    return 0;
}
