#pragma once
// The fast Conv2D path: same contract and layouts as conv2d_reference() (see conv2d_params.hpp),
// parallel over ctx's pool, cancellable between tiles (throws Cancelled). Results are bitwise
// identical for any thread count.
//
//   conv2d_fast()            conv (+ bias) into output
//   conv2d_fast_fused()      the same, and in the same pass over the output tile also BatchNormalization and
//                            ReLU into their own buffers, so a viewer keeps every node's output
//   conv2d_fast_fused_isa()  conv2d_fast_fused() with a chosen instruction set (for tests and benchmarks);
//                            the isa must satisfy isa_supported()
//   conv2d_pack_kernel()     what a kernel needs before convolving, once: its Winograd transform when the conv
//                            qualifies, else its GEMM panels; it refers to the caller's kernel, which must
//                            outlive it unchanged
//   conv2d_fast_packed()     conv2d_fast_fused() on a packed kernel: skips re-transforming the weights on every
//                            call; optionally also a residual block's join (Conv2DResidual) in the same pass
//
// How it works: an implicit-im2col GEMM. M = out_h*out_w output pixels, N = filters,
// K = kernel_h*kernel_w*in_c. The kernel (Keras layout (kh, kw, in, out) is already a row-major K x N matrix)
// becomes B packed once as NR-wide column panels that the microkernel reads directly: one sequential stream per
// panel, which the hardware prefetcher follows (reading the Keras layout in place, rows `filters` apart, left
// the tiles waiting on memory). The engine keeps a packed kernel per node (conv2d_pack_kernel); a one-shot call
// packs for that call.
// Tasks over few output pixels take all of them and fewer filters, so the kernel is read only once in all.
// The input is not copied: each tile gets, per tap, a pointer to the input pixel it reads (or to zeros in the
// padding); convs on fewer than 16 channels (the RGB stem) take a whole kernel row as one contiguous run, from a
// zero-padded copy of the input when it has a border to add, else in place. A register-blocked microkernel chosen
// at run time (AVX-512 14x32 with 8- and 7-row variants, and 6x64 for the 1x1 convs direct_microkernel() gives it;
// AVX2 6x16, portable 4x8; see gemm_microkernel.hpp) accumulates over K in fixed blocks, so every output element
// sees the same sequence of operations whatever the thread count and the tile shape.
// 3x3 stride-1 convs with at least 16 channels and 16 filters use Winograd instead (conv2d_winograd.hpp), on the
// same microkernels: F(6x6, 3x3) on large outputs where its scratch fits, F(4x4, 3x3) (36 GEMMs, 4x fewer
// multiplies) from 16 4x4 output tiles on, else F(2x2, 3x3) (16 GEMMs, 2.25x fewer) from 16 2x2 tiles on.
// The epilogue (the last K block, while a tile is still in registers) applies BN and ReLU and, for a residual
// block's last conv, the join: relu(bn + shortcut), with the shortcut optionally through its own BN. So the block
// output is written without reading the conv output back from memory.
// Work is split into tasks of about 16M multiply-adds (under a millisecond even in extreme shapes), checked for
// cancellation before each tile. Allocates only per call (the task list; packing, for a one-shot call or a packed
// kernel made for another geometry) and per thread (small buffers, grown once).

#include <cstddef>
#include <memory>

#include "core/aligned_memory.hpp"
#include "core/kernels/conv2d_params.hpp"
#include "core/kernels/fast/cpu_isa.hpp"
#include "core/thread_pool.hpp"

namespace convscope {

void conv2d_fast(const Conv2DParams& p, const float* input, const float* kernel, const float* bias, float* output,
                 const Context& ctx);

// input  (in_h, in_w, in_c)             kernel (kernel_h, kernel_w, in_c, filters)
// bias   (filters) or nullptr = zeros   out_conv (out_h, out_w, filters) or nullptr (then out_bn or out_relu
//                                       must be given; a memory-saving engine may keep only those)
// bn_scale, bn_shift (filters) or both nullptr: when given, bn = conv * bn_scale + bn_shift
//     (BatchNormalization folded: scale = gamma / sqrt(var + eps), shift = beta - mean * scale)
// out_bn   (out_h, out_w, filters) or nullptr: receives bn (needs bn_scale/bn_shift)
// out_relu (out_h, out_w, filters) or nullptr: receives max(bn, 0) when bn_scale is given, else max(conv, 0)
// Output buffers must not overlap each other or the input.
void conv2d_fast_fused(const Conv2DParams& p, const float* input, const float* kernel, const float* bias,
                       float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                       float* out_relu, const Context& ctx);

// A 64-byte aligned float buffer (what the microkernels' aligned loads need).
struct AlignedFloats {
    struct Free {
        void operator()(float* p) const { free_aligned(p); }
    };
    std::unique_ptr<float[], Free> buffer;
    static AlignedFloats allocate(std::size_t count) {
        return AlignedFloats{std::unique_ptr<float[], Free>(static_cast<float*>(allocate_aligned(count * sizeof(float))))};
    }
    float* get() const { return buffer.get(); }
    explicit operator bool() const { return bool(buffer); }
};

namespace detail {
struct MicroKernel;  // gemm_microkernel.hpp
// isa's main microkernel (and its narrower-row variants); throws std::invalid_argument when this CPU lacks isa or
// the build does not have it.
MicroKernel microkernel_for(Isa isa);
// The microkernel the direct path (not Winograd) uses for conv p: the ISA's main one, or for some 1x1 convs on
// AVX-512 the wide 6 x 64 tile (see conv2d_fast.cpp for which and why); a packed kernel's GEMM panels are its nr
// wide. Values never depend on the choice: every tile shape runs the same FMA sequence for each element.
MicroKernel direct_microkernel(const Conv2DParams& p, Isa isa);
// The Winograd tile m conv p takes on isa's microkernel (conv2d_winograd.hpp), 0 for the direct path.
int winograd_tile(const Conv2DParams& p, Isa isa);

// This thread's buffer for Purpose (a tag type: one buffer per thread and per purpose), grown once and then
// reused, so that convolving never allocates per call or per tile. Its contents are whatever was last written.
// A grown buffer's pages are mapped at once (touch_pages), so that growing it ahead of a run
// (conv2d_reserve_thread_scratch) leaves the run no page faults; sizes from 256 KB up are rounded up to whole 2 MB
// huge pages (one fault per 2 MB instead of 512 where it grows during a run).
template <typename Purpose>
float* thread_buffer(std::size_t floats) {
    thread_local AlignedFloats buffer;
    thread_local std::size_t capacity = 0;
    if (capacity < floats) {
        constexpr std::size_t page_floats = kLargePageBytes / sizeof(float);
        capacity = floats < page_floats / 8 ? floats : (floats + page_floats - 1) / page_floats * page_floats;
        buffer = AlignedFloats::allocate(capacity);
        touch_pages(buffer.get(), capacity * sizeof(float));
    }
    return buffer.get();
}
}  // namespace detail

// A Conv2D kernel prepared for one ISA's microkernel. Works for any geometry with the same kernel shape: it holds
// what the geometry it was made for needs (the Winograd transform, or the GEMM panels of that geometry's tile
// width), and a later call whose geometry needs another form makes that for the call only.
struct Conv2DPackedKernel {
    Isa isa = Isa::scalar;
    int kernel_h = 0, kernel_w = 0, in_c = 0, filters = 0;
    const float* kernel = nullptr;  // (kernel_h, kernel_w, in_c, filters) the caller's, not copied
    int winograd_tile = 0;          // m of the F(m x m, 3x3) transform held in `winograd`, 0 for none
    AlignedFloats winograd;         // ((m + 2)^2, panels, in_c, NR): G g G^T for the Winograd path, or empty
    AlignedFloats gemm;             // (panels, K, NR): the kernel as the direct path's B panels, or empty
    int gemm_nr = 0;                // NR of those panels: the width of the tile the geometry it was made for uses
};

void conv2d_fast_fused_isa(const Conv2DParams& p, const float* input, const float* kernel, const float* bias,
                           float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                           float* out_relu, Isa isa, const Context& ctx);

// kernel (kernel_h, kernel_w, in_c, filters) from p; isa must satisfy isa_supported(). Parallel over ctx.
// The result points at `kernel`: keep that alive and unchanged while the packed kernel is used.
Conv2DPackedKernel conv2d_pack_kernel(const Conv2DParams& p, const float* kernel, Isa isa, const Context& ctx);
// Whether `kernel` holds the form a call with p uses (its Winograd transform, or GEMM panels of its tile's width),
// so that the call transforms or packs nothing: a caller that keeps packed kernels repacks when it does not.
bool conv2d_packed_kernel_fits(const Conv2DPackedKernel& kernel, const Conv2DParams& p);
// Grows the calling thread's scratch buffers to what a call with p uses (the Winograd path's transformed input
// and products, the largest), with their pages mapped: call it on every thread of the pool before a first run
// (Engine::prepare()), so that the run does not stop on their page faults. Only a hint: a call grows them anyway.
void conv2d_reserve_thread_scratch(const Conv2DParams& p, Isa isa);

// A residual block's join (Keras Add then ReLU) for conv2d_fast_packed():
//   out_relu = max(v + term, 0),  v = bn when bn_scale is given, else conv;
//   term = shortcut, or shortcut * shortcut_scale + shortcut_shift (the shortcut's folded BatchNormalization)
// rounded exactly as affine_add_fast(v's affine, shortcut's affine, out_relu), so bitwise what conv2d_fast_packed()
// with a conv output followed by that pass gives. out_bn still receives the BN alone.
struct Conv2DResidual {
    const float* shortcut = nullptr;        // (out_h, out_w, filters), or nullptr: no join; must not overlap an output
    const float* shortcut_scale = nullptr;  // (filters), or both nullptr: the shortcut as it is
    const float* shortcut_shift = nullptr;  // (filters)
};

// As conv2d_fast_fused(), with a kernel from conv2d_pack_kernel() for the same kernel shape (throws
// std::invalid_argument otherwise). Bitwise equal to conv2d_fast_fused_isa() with the packed kernel's isa.
// With residual.shortcut, out_relu is required and receives the join above. Convs that take the Winograd path have
// no such epilogue: they write the conv (into out_relu when out_conv is nullptr), then join in a second pass.
void conv2d_fast_packed(const Conv2DParams& p, const float* input, const Conv2DPackedKernel& kernel,
                        const float* bias, float* out_conv, const float* bn_scale, const float* bn_shift,
                        float* out_bn, float* out_relu, const Context& ctx, const Conv2DResidual& residual = {});

}  // namespace convscope
