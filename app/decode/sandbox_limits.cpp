#include "app/decode/sandbox_limits.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace convscope::sandbox {

namespace {

// Lowers a limit; one the user set lower already (ulimit) stays as it is.
// CONVSCOPE_SANITIZED: defined by app/decode/CMakeLists.txt in every sanitizer build, with gcc and with clang
// (clang 14 defines neither __SANITIZE_ADDRESS__ nor __SANITIZE_THREAD__, and UBSan has no macro of its own).
#if defined(CONVSCOPE_SANITIZED)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif
// CONVSCOPE_EMULATED: a cross build whose tests run under QEMU's user-mode emulation (scripts/test-arm64.sh).
// There the decoder runs inside qemu-aarch64, which refuses a guest's seccomp filter (it cannot translate the BPF
// program to the host's system calls) and reserves the guest's whole address space up front: such a build keeps
// every other limit but installs no filter and no address-space limit. A native ARM64 build keeps both.
#if defined(CONVSCOPE_EMULATED)
constexpr bool kEmulated = true;
#else
constexpr bool kEmulated = false;
#endif

void limit(int resource, rlim_t soft, rlim_t hard) {
    rlimit now{};
    if (::getrlimit(resource, &now) == 0 && now.rlim_max != RLIM_INFINITY) {
        if (hard > now.rlim_max) hard = now.rlim_max;
        if (soft > hard) soft = hard;
    }
    const rlimit r{soft, hard};
    if (::setrlimit(resource, &r) != 0)
        throw std::runtime_error(std::string("cannot set a resource limit (") + std::strerror(errno) + ")");
}

#if defined(__x86_64__)
constexpr std::uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
#error "the decoder's seccomp filter knows x86-64 and AArch64"
#endif

// What reading from open descriptors, allocating, computing and exiting need (glibc, libstdc++, stb, libhdf5).
const int kAllowed[] = {
    SYS_read, SYS_write, SYS_pread64, SYS_readv, SYS_writev, SYS_lseek, SYS_fstat, SYS_close,
#ifdef SYS_newfstatat
    SYS_newfstatat,
#endif
#ifdef SYS_statx
    SYS_statx,
#endif
    SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_brk, SYS_madvise, SYS_ftruncate, SYS_fcntl,
    SYS_futex, SYS_getpid, SYS_gettid, SYS_tgkill, SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_rt_sigaction,
    SYS_clock_gettime, SYS_gettimeofday, SYS_getrandom, SYS_sched_yield, SYS_getrusage, SYS_exit,
    SYS_exit_group,
    // Harmless (it only says which memory signal handlers run on), and AddressSanitizer calls it at exit.
    SYS_sigaltstack,
#if defined(CONVSCOPE_SANITIZED)
    // Sanitizer builds only: the sanitizers test whether memory is readable by writing it into a pipe (UBSan's
    // vptr check on an exception reports "invalid vptr" when it cannot).
    SYS_pipe2,
#ifdef SYS_pipe
    SYS_pipe,
#endif
#endif
#ifdef SYS_time
    SYS_time,
#endif
};

}  // namespace

void apply_resource_limits(const DecodeLimits& limits) {
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // no core file, no ptrace by others
    limit(RLIMIT_CORE, 0, 0);
    // AddressSanitizer and ThreadSanitizer reserve terabytes of address space for their shadow memory:
    // their builds (fuzzing, the sanitizer test stages) do without this one limit.
    if (!kSanitizerBuild && !kEmulated)
        limit(RLIMIT_AS, rlim_t(limits.address_space_bytes), rlim_t(limits.address_space_bytes));
    // SIGXCPU at the soft limit (reported as "used more than N s of CPU"), SIGKILL one second later.
    limit(RLIMIT_CPU, rlim_t(limits.cpu_seconds), rlim_t(limits.cpu_seconds + 1));
    limit(RLIMIT_FSIZE, rlim_t(limits.max_result_bytes) + 4096, rlim_t(limits.max_result_bytes) + 4096);
    limit(RLIMIT_NOFILE, 16, 16);
    limit(RLIMIT_NPROC, 0, 0);
}

void forbid_new_files_and_processes() {
    if (kEmulated) return;
    std::vector<sock_filter> f;
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    const std::size_t n = sizeof kAllowed / sizeof kAllowed[0];
    for (std::size_t i = 0; i < n; ++i) {
        // Equal: fall through to the ALLOW below this block; else go on comparing.
        f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, std::uint32_t(kAllowed[i]), std::uint8_t(n - i), 0));
    }
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    const sock_fprog program{static_cast<unsigned short>(f.size()), f.data()};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
        throw std::runtime_error(std::string("cannot install the seccomp filter (") + std::strerror(errno) + ")");
}

}  // namespace convscope::sandbox
