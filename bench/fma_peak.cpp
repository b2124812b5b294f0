// Measures this machine's fp32 FMA peak: the ceiling that bench's "effective GFLOPS" are a share of.
//
//   convscope-fma-peak [--threads N] [--seconds S]
//
// Each thread runs a loop of independent fused multiply-adds on registers only (no memory traffic), with
// ACCUMULATORS independent chains. An FMA has a latency of about 4 cycles and modern cores start two per
// cycle, so at least 4 x 2 = 8 chains (12 or more to be safe) are needed to reach the throughput limit; with
// 4 chains the loop measures the latency instead, about half the peak. The chains and the two operands must
// all stay in registers: 16 chains on AVX-512 (32 registers), 12 on AVX2 (16 registers; with 16 chains the
// compiler spills them to the stack, and on Zen 3 that read 59 GFLOPS per core where the peak is 100). Both are printed so that the
// difference is visible. The widest instruction set the CPU offers is used (AVX-512, else AVX2 + FMA); a CPU
// with neither is refused with exit status 2.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Runs `iterations` x ACCUMULATORS FMAs of `lanes` floats each; returns a value so the work is not optimised away.
template <int ACCUMULATORS>
__attribute__((target("avx512f"))) float fma_loop_avx512(long iterations) {
    __m512 acc[ACCUMULATORS];
    for (int i = 0; i < ACCUMULATORS; ++i) acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long n = 0; n < iterations; ++n)
        for (int i = 0; i < ACCUMULATORS; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __m512 sum = acc[0];
    for (int i = 1; i < ACCUMULATORS; ++i) sum = _mm512_add_ps(sum, acc[i]);
    float out[16];
    _mm512_storeu_ps(out, sum);
    return out[0] + out[15];
}

template <int ACCUMULATORS>
__attribute__((target("avx2,fma"))) float fma_loop_avx2(long iterations) {
    __m256 acc[ACCUMULATORS];
    for (int i = 0; i < ACCUMULATORS; ++i) acc[i] = _mm256_set1_ps(float(i) * 1e-3f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long n = 0; n < iterations; ++n)
        for (int i = 0; i < ACCUMULATORS; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    float out[8];
    __m256 sum = acc[0];
    for (int i = 1; i < ACCUMULATORS; ++i) sum = _mm256_add_ps(sum, acc[i]);
    _mm256_storeu_ps(out, sum);
    return out[0] + out[7];
}

struct Isa {
    const char* name;
    int lanes;
    float (*loop4)(long);
    int chains;  // of loop_peak: as many as the registers hold beside the two operands
    float (*loop_peak)(long);
};

Isa best_isa() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return {"AVX-512", 16, fma_loop_avx512<4>, 16, fma_loop_avx512<16>};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return {"AVX2+FMA", 8, fma_loop_avx2<4>, 12, fma_loop_avx2<12>};
    std::fprintf(stderr, "convscope-fma-peak: this CPU has neither AVX-512 nor AVX2+FMA\n");
    std::exit(2);
}

// GFLOPS of `threads` threads each running loop(iterations) until `seconds` have passed; the best of 5 tries.
double measure(float (*loop)(long), int accumulators, int lanes, int threads, double seconds) {
    const long iterations = 1 << 20;
    const double flops_per_call = 2.0 * double(iterations) * accumulators * lanes;
    double best = 0.0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::vector<long> calls(std::size_t(threads), 0);
        std::vector<std::thread> pool;
        std::vector<float> sink(std::size_t(threads), 0.0f);
        const auto start = Clock::now();
        const auto stop = start + std::chrono::duration<double>(seconds / 5);
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                while (Clock::now() < stop) {
                    sink[std::size_t(t)] += loop(iterations);
                    ++calls[std::size_t(t)];
                }
            });
        for (auto& th : pool) th.join();
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        long total = 0;
        for (long c : calls) total += c;
        best = std::max(best, double(total) * flops_per_call / elapsed / 1e9);
        if (sink[0] == 12345.0f) std::puts("");  // keeps the results alive
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    double seconds = 2.0;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        if ((k == "--threads" || k == "--seconds") && i + 1 < argc) {
            const double v = std::atof(argv[++i]);
            if (!(v > 0)) {
                std::fprintf(stderr, "convscope-fma-peak: %s needs a positive number\n", k.c_str());
                return 2;
            }
            if (k == "--threads") threads = int(v);
            else seconds = v;
        } else if (k == "--help" || k == "-h") {
            std::puts("usage: convscope-fma-peak [--threads N] [--seconds S]");
            return 0;
        } else {
            std::fprintf(stderr, "convscope-fma-peak: unknown option %s\nusage: convscope-fma-peak [--threads N] [--seconds S]\n", k.c_str());
            return 2;
        }
    }
    const Isa isa = best_isa();
    std::printf("fp32 FMA peak, %s (%d floats per FMA)\n", isa.name, isa.lanes);
    for (int t : {1, threads}) {
        const double latency_bound = measure(isa.loop4, 4, isa.lanes, t, seconds);
        const double peak = measure(isa.loop_peak, isa.chains, isa.lanes, t, seconds);
        std::printf("%d thread%s: %.0f GFLOPS with %d independent accumulators (the peak); %.0f with 4 (FMA latency "
                    "bound)\n", t, t == 1 ? " " : "s", peak, isa.chains, latency_bound);
        if (t == threads) break;
    }
    return 0;
}
