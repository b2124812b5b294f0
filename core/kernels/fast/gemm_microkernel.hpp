#pragma once
// Internal to the fast Conv2D: the register-blocked GEMM microkernels, one per ISA, and the argument
// block they share. Not for use outside core/kernels/.
//
// A microkernel computes one tile of C = A * B with MR rows (output pixels) and NR columns (filters), for each of
// `panels` column panels side by side (a row tile meets every panel of a task in one call):
//
//   C[m, n] (+)= sum over taps t, channels c of  a[t][m][c] * b[t*cin + c][n]
//
// A is "implicit im2col" (an indirection buffer, as XNNPACK's IGEMM): for every tap t of the conv kernel and
// every row m there is a pointer to the `cin` contiguous input channels that tap reads for that pixel, or to a
// buffer of zeros when the tap falls into the padding. So a 1x1 stride-1 conv is a plain GEMM over the input
// (the pointers are input + m*in_c), and a kxk conv never materialises its im2col matrix.
// B is packed: for each NR-wide column panel, K rows of NR floats, zero-padded past the last filter, so
// the kernel always loads full vectors.
//
// Every output element is produced by the same sequence of FMAs whatever its position in the tile and
// whichever thread runs the tile: rows past `rows` are computed from a duplicated pointer and discarded,
// columns past `cols` are masked on load/store. That is what makes results bitwise thread-invariant.
//
// The ISA-specific files (x86/gemm_avx512.cpp, x86/gemm_avx2.cpp, arm/gemm_neon.cpp: the tile of gemm_tile.inc
// over each ISA's traits) are compiled with their own -m flags (x86). They must not
// use inline functions or templates from shared headers (std::min, std::vector ...): the linker could keep
// the AVX-512 copy of such a function for the whole program and crash CPUs without AVX-512.

#include <cstddef>

namespace convscope {
namespace detail {

struct MicroArgs {
    const float* const* a;  // (taps, MR) pointers to input channels; each is read at [a_offset, a_offset + cin)
    std::ptrdiff_t a_offset;
    int taps, cin;          // this K block: taps * cin rows of B
    const float* b;         // (taps * cin, NR) packed, 64-byte aligned: the first panel's
    // Column panels side by side, each NR wide: panel p reads B at b + p * b_panel_stride and computes the
    // columns from p * NR on (cols counts the valid columns of all of them).
    int panels = 1;
    std::ptrdiff_t b_panel_stride = 0;
    float* c;               // (rows, ldc) the conv output tile, at its column origin
    std::ptrdiff_t ldc;     // row stride of c, out_bn, out_relu and residual (= filters)
    int rows, cols;         // valid rows <= MR, valid columns <= panels * NR
    bool load_c;            // accumulate onto c (a later K block); else start from bias
    const float* bias;      // (cols) or nullptr (= zeros); used only when !load_c
    // Epilogue, applied only by the last K block (the others pass nullptr):
    const float* bn_scale;  // (cols) out_bn = conv * bn_scale + bn_shift, when out_bn != nullptr
    const float* bn_shift;  // (cols)
    float* out_bn;          // (rows, ldc) or nullptr
    float* out_relu;        // (rows, ldc) or nullptr: max(0, v) (NaN and -0 kept, as std::max(v, 0)), v = bn if
                            // bn_scale else conv, plus the residual
    // A residual block's join, when out_relu is given: v = v + term before the ReLU, term = residual or, with
    // res_scale, residual * res_scale + res_shift (the shortcut's BN). Multiply then add, then the sum with v
    // first, as affine_add_fast() rounds; out_bn still receives the BN before the sum.
    const float* residual = nullptr;   // (rows, ldc) or nullptr; never an output of this call
    const float* res_scale = nullptr;  // (cols) or nullptr
    const float* res_shift = nullptr;  // (cols)
    // Hints for the last K block: full 64-byte-aligned rows of c (stream_c), or of out_bn and out_relu
    // (stream_outputs), may be written with non-temporal stores: no read-for-ownership of lines that are only
    // overwritten, and no cache space for data nothing reads soon. Kernels may ignore them; they never change a
    // value. Streamed stores are weakly ordered and a kernel does not fence them: a caller that asked for
    // streaming fences (sfence) after its last call, before it reports the work done: one fence per task rather
    // than one per tile, which would stall every tile until its stores drained.
    bool stream_c = false;
    bool stream_outputs = false;
    // A hint: floats the caller reads next (a later call's B), asked for a few cache lines at a time spread over
    // this call's K loop, so that they arrive while it computes rather than in a burst at the start of that call;
    // split evenly over the panels. Not with a residual (no kernel has that copy). Kernels may ignore it; it
    // never changes a value.
    const float* prefetch = nullptr;
    std::ptrdiff_t prefetch_floats = 0;
};

// Where the output transform of one Winograd tile writes, from the task's first filter on: per output pixel k of
// the m x m tile (row-major), the pixel's row of each output tensor, or nullptr when that output is not wanted or
// the pixel lies past the edge of the output. The same epilogue as the direct path's, rounded the same way:
//   y = A^T p A + bias;  conv = y;  bn = y * bn_scale + bn_shift (multiply, then add);  relu = max(0, bn or y)
struct WinogradOutputs {
    const float* bias = nullptr;      // (n) or nullptr
    const float* bn_scale = nullptr;  // (n), or both nullptr
    const float* bn_shift = nullptr;
    float* conv[36] = {};  // up to 6 x 6 (F(6x6, 3x3))
    float* bn[36] = {};
    float* relu[36] = {};
    // The conv rows may be written with non-temporal stores, as MicroArgs::stream_c (then every conv[k] and the
    // filter offset are 64-byte aligned); the caller fences after its last call.
    bool stream_conv = false;
};

// One Winograd F(m x m, 3x3) variant's transforms at an ISA's vector width (winograd_transforms.inc); the input
// patch is alpha x alpha with alpha = m + 2, and xi runs over its alpha^2 "frequencies":
//   input:  d[alpha^2] -> (C) the patch's pixels, v[alpha^2] -> (C) its transform B^T d B
//   output: p[alpha^2] -> (n) products; writes the tile's m^2 outputs A^T p A + bias and their BN and ReLU into o
//   kernel: g[9] -> (n) the 3x3 taps' kernel rows of one channel, u[alpha^2] -> (n) G g G^T
struct WinogradTransforms {
    void (*input)(const float* const* d, float* const* v, int C) = nullptr;
    void (*output)(const float* const* p, const WinogradOutputs& o, int n) = nullptr;
    void (*kernel)(const float* const* g, float* const* u, int n) = nullptr;
};

struct MicroKernel {
    int mr = 0, nr = 0;                         // tile shape
    void (*run)(const MicroArgs&) = nullptr;    // nullptr: not compiled for this target
    WinogradTransforms winograd2;               // F(2x2, 3x3)
    WinogradTransforms winograd4;               // F(4x4, 3x3)
    WinogradTransforms winograd6;               // F(6x6, 3x3)
    // Variants with fewer rows, the same nr and packed B, and bitwise equal results (mr 0: none), for GEMMs whose
    // few rows would leave much of an mr-row tile unused; see fit_rows(). A variant is taken when it computes at
    // most most_percent of the rows the main tile would: how much narrower tiles lose per row depends on the ISA.
    struct Rows {
        int mr = 0;
        void (*run)(const MicroArgs&) = nullptr;
        int most_percent = 90;
    };
    Rows fewer_rows[2];
};

// Makes this thread's non-temporal stores visible to other threads before its later stores, such as the pool's
// note that a task is done. (An out-of-line function: see the rule above about shared inline code.)
void fence_streamed_stores();

// uk, or uk with one of its fewer_rows variants as mr/run when that computes at most its most_percent of the rows
// uk would for a GEMM of M rows (a narrower kernel may load more per FMA, so a small saving is not always worth it).
MicroKernel fit_rows(const MicroKernel& uk, long long M);

MicroKernel microkernel_scalar();
MicroKernel microkernel_avx2();
MicroKernel microkernel_avx512();
MicroKernel microkernel_avx512_wide();  // 6 x 64, direct path only: no Winograd transforms, no fewer_rows
MicroKernel microkernel_neon();

}  // namespace detail
}  // namespace convscope
