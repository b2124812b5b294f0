#include "core/aligned_memory.hpp"

#include <sys/mman.h>

#include <cstdlib>

namespace convscope {

void* allocate_aligned(std::size_t bytes) {
    const bool large = bytes >= kLargePageBytes;
    void* p = nullptr;
    // posix_memalign, not aligned_alloc: no rule that the size be a multiple of the alignment, so a large
    // buffer's last partial 2 MB stays small pages instead of being rounded up (and paid for in RSS).
    if (posix_memalign(&p, large ? kLargePageBytes : kCacheLineBytes, bytes == 0 ? 1 : bytes) != 0) throw std::bad_alloc();
    // Only whole 2 MB extents can be huge pages. A request: where it is refused or unsupported, the pages stay
    // small and nothing else changes.
    if (large) madvise(p, bytes / kLargePageBytes * kLargePageBytes, MADV_HUGEPAGE);
    return p;
}

void free_aligned(void* p) noexcept { std::free(p); }

}  // namespace convscope
