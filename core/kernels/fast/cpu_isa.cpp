#include "core/kernels/fast/cpu_isa.hpp"

namespace convscope {

const char* to_string(Isa isa) {
    switch (isa) {
        case Isa::scalar: return "scalar";
        case Isa::avx2: return "avx2";
        case Isa::avx512: return "avx512";
        case Isa::neon: return "neon";
    }
    return "?";
}

std::vector<Isa> all_isas() { return {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon}; }

bool isa_supported(Isa isa) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0), so a CPU with
    // AVX-512 under an OS or hypervisor that disables it falls back correctly.
    switch (isa) {
        case Isa::scalar: return true;
        case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case Isa::avx512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                   __builtin_cpu_supports("fma");
        case Isa::neon: return false;
    }
    return false;
#elif defined(__aarch64__)
    return isa == Isa::scalar || isa == Isa::neon;
#else
    return isa == Isa::scalar;
#endif
}

Isa best_isa() {
    static const Isa best = isa_supported(Isa::neon)     ? Isa::neon
                            : isa_supported(Isa::avx512) ? Isa::avx512
                            : isa_supported(Isa::avx2) ? Isa::avx2
                                                       : Isa::scalar;
    return best;
}

}  // namespace convscope
