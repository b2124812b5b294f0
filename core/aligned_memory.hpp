#pragma once
// Memory for large float buffers: node outputs, packed kernels, per-thread scratch.
//
//   allocate_aligned(bytes)      64-byte aligned; buffers of kLargePageBytes (2 MB) or more are aligned to it
//                                and asked of the kernel as transparent huge pages
//   free_aligned(p)
//   touch_pages(p, bytes)        a new buffer's pages mapped now, not at its first use (its contents undefined)
//   AlignedAllocator<T>          the same as a standard allocator, for xtensor containers
//
// Why huge pages: a forward pass streams every packed kernel (ResNet50: ~140 MB) and every activation through
// the TLB. With 4 KB pages each new 4 KB is a page walk; with 2 MB pages the walks all but vanish. Linux grants
// them to a mapping that asks with madvise(MADV_HUGEPAGE) when transparent huge pages are "madvise" (Debian's
// default) or "always"; elsewhere the request is ignored and nothing changes but the alignment. ResNet50 at
// 224x224 on two threads measured 2-5% faster (6 of 6 alternating runs); the 600x600 backbone within noise, its
// peak RSS unchanged. The first run touches the pages 2 MB at a time: it took ~5% longer.

#include <cstddef>
#include <cstdint>
#include <new>

namespace convscope {

constexpr std::size_t kCacheLineBytes = 64;  // also one AVX-512 register: aligned loads and row stores
constexpr std::size_t kLargePageBytes = std::size_t(2) << 20;  // x86-64's huge page

void* allocate_aligned(std::size_t bytes);  // throws std::bad_alloc
void free_aligned(void* p) noexcept;
// Makes [p, p + bytes) resident and writable now, so that the first writes to it do not stop on page faults. For
// a buffer not yet written: a zero goes into one byte of each page.
void touch_pages(void* p, std::size_t bytes);

template <typename T>
struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <typename U>
    AlignedAllocator(const AlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding, as std::allocator
    T* allocate(std::size_t n) {
        if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();  // n * sizeof(T) would wrap to a small buffer
        return static_cast<T*>(allocate_aligned(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t) noexcept { free_aligned(p); }
    template <typename U>
    struct rebind {
        using other = AlignedAllocator<U>;
    };
    friend bool operator==(const AlignedAllocator&, const AlignedAllocator&) { return true; }
    friend bool operator!=(const AlignedAllocator&, const AlignedAllocator&) { return false; }
};

}  // namespace convscope
