#pragma once
// Which SIMD instruction set the fast kernels use, chosen from the CPU at run time.
//
//   Isa                 scalar (portable C++, any CPU), avx2 (AVX2 + FMA), avx512 (F/DQ/BW/VL), neon (AArch64 ASIMD)
//   isa_supported(isa)  true when this CPU and OS can run it: on x86-64 CPUID and XGETBV (via
//                       __builtin_cpu_supports); on AArch64 neon always (ASIMD is part of the architecture)
//   best_isa()          the fastest supported one; what conv2d_fast() uses
//   all_isas()          every Isa, for tests that try each one this machine supports
//   to_string(isa)      "scalar" / "avx2" / "avx512" / "neon"
//
// This file and the kernels' own files are the platform layer: the x86 microkernels (x86/, built with their -m
// flags only on x86-64) and the AArch64 one (arm/) each compile to an empty stub on the other architecture, and
// the non-temporal stores and their fence exist only in the x86 code.
//
// No environment variable is consulted: a user's machine picks its own kernels. Tests force a specific
// ISA through the *_isa() entry points (see conv2d_fast.hpp).

#include <vector>

namespace convscope {

enum class Isa { scalar, avx2, avx512, neon };

const char* to_string(Isa isa);
std::vector<Isa> all_isas();
bool isa_supported(Isa isa);
Isa best_isa();

}  // namespace convscope
