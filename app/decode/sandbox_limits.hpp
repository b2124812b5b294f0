#pragma once
// The decoder's own confinement, applied to itself before it reads a byte of the untrusted file.
//
//   apply_resource_limits(limits)   no core dump, not dumpable, RLIMIT_AS / CPU / FSIZE / NOFILE / NPROC
//   forbid_new_files_and_processes() seccomp filter (raw BPF, no library): only the system calls that
//                                   reading, computing and writing to already-open descriptors need; open,
//                                   exec, fork, sockets and the rest fail with EACCES. Throws std::runtime_error
//                                   if the kernel refuses the filter.

#include "core/sandbox/decode_client.hpp"

namespace convscope::sandbox {

void apply_resource_limits(const DecodeLimits& limits);
void forbid_new_files_and_processes();

}  // namespace convscope::sandbox
