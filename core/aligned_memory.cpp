#include "core/aligned_memory.hpp"

#include <sys/mman.h>

#include <unistd.h>

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

void touch_pages(void* p, std::size_t bytes) {
    // One zero written per page (volatile, so it is not optimised away): the kernel maps and zeroes each page
    // now. A write, not a read-then-write: a read would first map the shared zero page, and the write would then
    // fault a second time. Measured here, madvise(MADV_POPULATE_WRITE) returned sooner but left the first run
    // that wrote the buffers twice as slow as a later one; written pages leave it as fast.
    static const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
    volatile char* begin = static_cast<char*>(p);
    for (std::size_t off = 0; off < bytes; off += page) begin[off] = 0;
}

}  // namespace convscope
