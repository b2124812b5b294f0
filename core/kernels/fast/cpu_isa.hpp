#pragma once
// Which SIMD instruction set the fast kernels use, chosen from the CPU at run time.
//
//   Isa                 scalar (portable C++, any x86-64 or other CPU), avx2 (AVX2 + FMA), avx512 (F/DQ/BW/VL)
//   isa_supported(isa)  true when this CPU and OS can run it (CPUID and XGETBV, via __builtin_cpu_supports)
//   best_isa()          the fastest supported one; what conv2d_fast() uses
//   to_string(isa)      "scalar" / "avx2" / "avx512"
//
// No environment variable is consulted: a user's machine picks its own kernels. Tests force a specific
// ISA through the *_isa() entry points (see conv2d_fast.hpp).

namespace convscope {

enum class Isa { scalar, avx2, avx512 };

const char* to_string(Isa isa);
bool isa_supported(Isa isa);
Isa best_isa();

}  // namespace convscope
