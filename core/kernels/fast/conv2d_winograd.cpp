#include "core/kernels/fast/conv2d_winograd.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "core/kernels/fast/conv2d_fast.hpp"

namespace convscope {
namespace detail {
namespace {

// Below these channel counts the transforms cost more than the multiplies they save.
constexpr int kMinChannels = 16;
constexpr int kMinFilters = 16;
// With fewer 2x2 tiles than this the padding of the last row block wastes more than Winograd saves; ResNet50's
// 7x7 (16 tiles) stage-5 convs still gain.
constexpr int kMinTiles = 16;
// F(4x4, 3x3) from this many 4x4 tiles on; below, F(2x2, 3x3). With few tiles F(4x4) pads more of the output
// (a 7x7 output computes 8x8) and each element of its 2.25x larger transformed kernel serves fewer rows. 16 tiles
// (ResNet50 stage 4 at 224: 14x14, 16x16 computed) still gain now that a narrow row tile takes exactly 16 (AVX2
// 4 rows, AVX-512 8): 3x3 14 x 14 x 256 -> 256, Zen 3, two threads, convscope-conv-alone, F(2x2) -> F(4x4):
// 0.64 -> 0.54-0.60 ms warm, 1.24-1.29 -> 1.09-1.21 cold; in the pass stage 4's six 3x3 convs took about 0.9 of
// their time. At 7x7 (4 tiles) F(4x4) lost: 1.23-1.32 -> 1.33-1.40 ms warm.
constexpr int kMinTiles4 = 16;
// F(6x6, 3x3) from this many 6x6 tiles on, when its padded products (64 per tile) are fewer than F(4x4)'s (36 per
// tile; a 6-pixel tile pads more of an output whose side is not a multiple of 6), and when a task of one row tile
// keeps its V and M (64 slices each) within the scratch budget below (see f6_fits_scratch).
constexpr int kMinTiles6 = 36;
// K (input channels) per GEMM block, as in the direct path (stage 5's 512 channels in one block).
constexpr int kBlockK = 512;
// Filters per task, and the per-task scratch (V and M, 16 x tiles x (in_c + filters) floats) kept about half the
// L2 cache so the 16 GEMMs and both transforms run out of it.
constexpr int kTaskFilters = 256;
constexpr int kScratchFloats = 128 * 1024;
constexpr int kMaxTilesPerTask = 64;
// Tasks wanted at least (when they split the filters of one run over all tiles, or shorten the runs of tiles),
// and how large a run over all tiles' transformed input (alpha^2 x tiles x in_c floats, per task) may be.
constexpr int kMinTasks = 8;
constexpr std::int64_t kWholeInputFloats = 256 * 1024;
constexpr int kFiltersPerTileToSplit = 16;
// F(2x2) convs with at most this many tiles run one row tile per task (see winograd_conv).
constexpr std::int64_t kFewTiles2 = 64;

// Per-thread scratch, grown once and reused: tasks never allocate (detail::thread_buffer).
struct Scratch {
    float* v;  // alpha^2 slices of (tiles, in_c), xi_stride() apart: the transformed input
    float* m;  // alpha^2 slices of (tiles, task filters), xi_stride() apart: the products
    const float** rows;  // (tiles) pointers to the rows of V
};
struct ScratchV {};
struct ScratchM {};
struct ScratchRows {};
Scratch thread_scratch(std::size_t v, std::size_t m, std::size_t rows) {
    static_assert(sizeof(const float*) % sizeof(float) == 0);
    float* row_pointers = thread_buffer<ScratchRows>(rows * sizeof(const float*) / sizeof(float));
    return Scratch{thread_buffer<ScratchV>(v), thread_buffer<ScratchM>(m), reinterpret_cast<const float**>(row_pointers)};
}

// The calling thread's: every tile's transformed input, shared by all tasks of one call (see winograd_conv).
struct SharedInputBuffer {};
float* thread_shared_input(std::size_t floats) { return thread_buffer<SharedInputBuffer>(floats); }

// The distance between the alpha^2 slices of V and of M: `floats` rounded up to an odd number of 64-byte lines.
// The input transform writes, and the output transform reads, one row in each of the alpha^2 slices per step;
// slices a multiple of 4 KB apart (T x C floats often is) would all map to the same few L1 sets and evict each
// other. An odd number of lines apart, 36 (or 64) slices fall into as many different sets. (Stage 2-3 3x3 convs
// at 600: 3-6% faster.)
std::size_t xi_stride(std::size_t floats) {
    std::size_t lines = (floats + 15) / 16;
    if (lines % 2 == 0) ++lines;
    return lines * 16;
}

const WinogradTransforms& transforms(const MicroKernel& uk, int m) {
    assert(m == 2 || m == 4 || m == 6);
    return m == 6 ? uk.winograd6 : m == 4 ? uk.winograd4 : uk.winograd2;
}

std::int64_t tile_count(const Conv2DParams& p, int m) {
    return std::int64_t((p.out_h + m - 1) / m) * ((p.out_w + m - 1) / m);
}

// Whether F(6x6)'s smallest task, one row tile of MR tiles over a task's filters, keeps its transformed input and
// its products (64 slices of (MR, in_c) and of (MR, filters)) within kScratchFloats. Where it does not, the 64
// slices crowd the L2 cache while the transformed kernel streams through it, and F(6x6) gained little or lost
// despite 1.15-1.27x fewer products. Medians of convscope-conv-alone, AVX2 on Zen 3, two threads, F(4x4) -> F(6x6):
// out of budget 38 x 38 x 256 -> 256 3.7-3.8 -> 3.9-4.3 ms, 76 x 76 x 256 -> 256 about even (13.9 -> 13.2-14.0);
// in budget 150 x 150 x 64 -> 64 4.7-5.1 -> 3.9-4.5 ms, 75 x 75 x 128 -> 128 4.0-4.1 -> 3.0-3.3, 150 x 150 x 256
// -> 64 14.3-16.2 -> 11.0-11.1, 56 x 56 x 64 -> 64 0.68 -> 0.61.
bool f6_fits_scratch(const Conv2DParams& p, const MicroKernel& uk) {
    const std::int64_t task_filters = std::min<std::int64_t>(p.filters, kTaskFilters);
    const std::int64_t nb = (task_filters + uk.nr - 1) / uk.nr * uk.nr;
    return 64 * std::int64_t(uk.mr) * (p.in_c + nb) <= kScratchFloats;
}

}  // namespace

bool winograd_kernel_fits(int kernel_h, int kernel_w, int in_c, int filters) {
    return kernel_h == 3 && kernel_w == 3 && in_c >= kMinChannels && filters >= kMinFilters;
}

bool winograd_applies(const Conv2DParams& p) {
    if (!winograd_kernel_fits(p.kernel_h, p.kernel_w, p.in_c, p.filters) || p.stride_h != 1 || p.stride_w != 1 ||
        p.dilation_h != 1 || p.dilation_w != 1)
        return false;
    return tile_count(p, 4) >= kMinTiles4 || tile_count(p, 2) >= kMinTiles;
}

int winograd_tile(const Conv2DParams& p, const MicroKernel& uk) {
    if (!winograd_applies(p)) return 0;
    const std::int64_t tiles6 = tile_count(p, 6), tiles4 = tile_count(p, 4);
    if (tiles6 >= kMinTiles6 && 64 * tiles6 < 36 * tiles4 && f6_fits_scratch(p, uk)) return 6;
    return tiles4 >= kMinTiles4 ? 4 : 2;
}

std::size_t winograd_packed_floats(int m, int in_c, int filters, int nr) {
    const std::size_t panels = std::size_t((filters + nr - 1) / nr), alpha = std::size_t(m + 2);
    return alpha * alpha * panels * std::size_t(in_c) * nr;
}

void winograd_pack_kernel(int m, const float* kernel, int in_c, int filters, const MicroKernel& uk, float* packed,
                          const Context& ctx) {
    const int nr = uk.nr, xis = (m + 2) * (m + 2);
    const int panels = (filters + nr - 1) / nr;
    const WinogradTransforms& wt = transforms(uk, m);
    // U = G g G^T per (channel, filter), stored as (xi, panel, in_c, NR) with xi = alpha * row + column, zero past
    // the last filter. One task per channel: nine contiguous kernel rows in, alpha^2 NR-long runs out per panel.
    ctx.parallel_for(std::size_t(in_c), [&](std::size_t c) {
        for (int panel = 0; panel < panels; ++panel) {
            const int j0 = panel * nr, n = std::min(nr, filters - j0);
            const float* g[9];  // (tap) -> (n) kernel[ky, kx, c, j0 ...]
            for (int tap = 0; tap < 9; ++tap) g[tap] = kernel + (std::size_t(tap) * in_c + c) * filters + j0;
            float* u[64];  // (xi) -> (NR)
            for (int xi = 0; xi < xis; ++xi) u[xi] = packed + ((std::size_t(xi) * panels + panel) * in_c + c) * nr;
            wt.kernel(g, u, n);
            if (n < nr)
                for (int xi = 0; xi < xis; ++xi) std::fill(u[xi] + n, u[xi] + nr, 0.0f);
        }
    });
}

WinogradTasks winograd_tasks(const Conv2DParams& p, const MicroKernel& isa_kernel) {
    WinogradTasks w;
    w.tile = winograd_tile(p, isa_kernel);
    assert(w.tile == 2 || w.tile == 4 || w.tile == 6);
    const int xis = (w.tile + 2) * (w.tile + 2);
    const std::int64_t n_tiles = tile_count(p, w.tile);
    // Few tiles (16 at ResNet50 stage 5 at 224) take a narrower microkernel: same nr, packed U and values.
    w.uk = fit_rows(isa_kernel, n_tiles);
    const int MR = w.uk.mr, NR = w.uk.nr;
    const int C = p.in_c, F = p.filters;
    const int panels = (F + NR - 1) / NR;

    // Task = a run of T tiles (a multiple of MR) x a block of filter panels. Shapes depend on the conv and the
    // ISA tile only, never on the thread count, so each output is always computed the same way.
    int panels_per_task = std::max(1, kTaskFilters / NR);
    int T = MR * std::clamp(kScratchFloats / xis / (C + std::min(panels, panels_per_task) * NR) / MR, 1,
                            kMaxTilesPerTask / MR);
    // Few tiles and many filters (ResNet50's stage 5 at 224: 16 tiles, 512 filters): the transformed kernel U is
    // many times the transformed input, and every task over a run of tiles reads all of U's panels it covers.
    // Then one run takes every tile and the tasks split the filters instead, so U crosses the memory bus once in
    // all. Only with at least kFiltersPerTileToSplit filters per tile: stage 4's 49 tiles x 256 filters run
    // better as runs of tiles.
    const std::int64_t all_tiles = (n_tiles + MR - 1) / MR * MR;
    if (panels >= kMinTasks && F >= kFiltersPerTileToSplit * n_tiles && xis * all_tiles * C <= kWholeInputFloats) {
        T = int(all_tiles);
        panels_per_task = panels / kMinTasks;
    } else if (w.tile == 2 && n_tiles <= kFewTiles2 && panels >= 2) {
        // Few 2x2 tiles and not that many filters (stage 4 at 224: 49 tiles in 7 row tiles, 256 filters): runs of
        // one row tile and half the filters make equal tasks, where runs of 14 tiles left one thread a half-size
        // last task. U is read in halves, about as often in all as before.
        T = MR;
        panels_per_task = std::max(1, std::min(panels_per_task, panels) / 2);
    }
    const int n_tasks = (panels + panels_per_task - 1) / panels_per_task;
    // Fewer tasks than kMinTasks leave threads idle at the end (ResNet50's stage 2 at 224: 196 tiles in runs of
    // 28 were 7 tasks, 4 + 3 on two threads): shorter runs, down to one row tile.
    while (T > MR && (n_tiles + T - 1) / T * n_tasks < kMinTasks) T = std::max(MR, (T / 2 + MR - 1) / MR * MR);
    w.run_tiles = T;
    w.panels_per_task = panels_per_task;
    w.runs = (n_tiles + T - 1) / T;
    w.filter_blocks = n_tasks;
    // When every task runs over all the tiles and the tasks split the filters, each task would transform the same
    // tiles again (stage 5 at 224: 8 tasks over all 16 tiles). Then all tiles are transformed once, in a first
    // pass, into one V that every task reads. Not when runs of tiles are split too (stage 4: 7 runs x 2 filter
    // halves): there a task's own V, fresh in its core's cache, beats reading a shared one written half by
    // another core.
    w.shared_input = w.runs == 1 && w.filter_blocks > 1;
    return w;
}

namespace {

// Floats of scratch a call with this plan uses: per task (on any thread) and the shared V (calling thread).
struct ScratchFloats {
    std::size_t v = 0;       // the task's V, (alpha^2, T, in_c); 0 with a shared V
    std::size_t m = 0;       // the task's products, (alpha^2, T, the most filters a task has, padded)
    std::size_t rows = 0;    // T row pointers
    std::size_t shared = 0;  // the shared V, (alpha^2, all tiles' rows, in_c); 0 without one
};
ScratchFloats scratch_floats(const Conv2DParams& p, const WinogradTasks& plan) {
    const std::size_t xis = std::size_t(plan.tile + 2) * std::size_t(plan.tile + 2);
    const std::size_t T = std::size_t(plan.run_tiles), C = std::size_t(p.in_c);
    ScratchFloats f;
    f.v = plan.shared_input ? 0 : xis * xi_stride(T * C);
    f.m = xis * xi_stride(T * std::size_t(plan.panels_per_task) * std::size_t(plan.uk.nr));
    f.rows = T;
    f.shared = plan.shared_input ? xis * xi_stride(std::size_t(plan.runs) * T * C) : 0;
    return f;
}

}  // namespace

void winograd_reserve_scratch(const Conv2DParams& p, const MicroKernel& isa_kernel) {
    const ScratchFloats f = scratch_floats(p, winograd_tasks(p, isa_kernel));
    thread_scratch(f.v, f.m, f.rows);
    if (f.shared) thread_shared_input(f.shared);  // the calling thread's, but any thread may call: all grow it
}

void winograd_conv(const Conv2DParams& p, const float* input, const float* packed, const MicroKernel& isa_kernel,
                   const float* bias, float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                   float* out_relu, const Context& ctx) {
    const WinogradTasks plan = winograd_tasks(p, isa_kernel);
    const int tm = plan.tile;  // output tile side m
    const int alpha = tm + 2, xis = alpha * alpha;
    const WinogradTransforms& wt = transforms(isa_kernel, tm);
    const int tiles_w = (p.out_w + tm - 1) / tm;
    const std::int64_t n_tiles = tile_count(p, tm);
    const MicroKernel& uk = plan.uk;
    const int MR = uk.mr, NR = uk.nr;
    const int C = p.in_c, F = p.filters;
    const int panels = (F + NR - 1) / NR;
    const int T = plan.run_tiles, panels_per_task = plan.panels_per_task, n_tasks = plan.filter_blocks;
    const std::int64_t m_tasks = plan.runs;

    const std::vector<float> zeros(std::size_t(C), 0.0f);  // (C) what a padded input cell reads
    const int c_pieces = (C + kBlockK - 1) / kBlockK;
    const int c_step = (C + c_pieces - 1) / c_pieces;

    // Input transform V = B^T d B of tile `tile` (at the ISA's vector width, over channels) into v[xi] -> (C).
    // Tiles past the last are rows the microkernel computes but nobody reads: zeros keep them finite.
    auto transform_tile = [&](std::int64_t tile, float* const* v) {
        if (tile >= n_tiles) {
            for (int xi = 0; xi < xis; ++xi) std::fill_n(v[xi], C, 0.0f);
            return;
        }
        const int y0 = int(tile / tiles_w) * tm - p.pad_top, x0 = int(tile % tiles_w) * tm - p.pad_left;
        const float* d[64];  // (row, column) of the patch -> (C) input pixel or zeros
        for (int r = 0; r < alpha; ++r)
            for (int q = 0; q < alpha; ++q) {
                const int iy = y0 + r, ix = x0 + q;
                const bool inside = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
                d[r * alpha + q] = inside ? input + (std::int64_t(iy) * p.in_w + ix) * C : zeros.data();
            }
        wt.input(d, v, C);
    };

    // The conv output of a pass that also writes its BN or ReLU is there only for the viewer: streamed, as on the
    // direct path, when its rows are whole aligned vectors.
    const bool stream_conv = out_conv && (out_bn || out_relu) && F % 16 == 0 && NR % 16 == 0 &&
                             reinterpret_cast<std::uintptr_t>(out_conv) % 64 == 0;

    // One V for all tasks, (xis, all_rows, C), transformed in a first pass (see WinogradTasks::shared_input).
    const std::int64_t all_rows = m_tasks * T;
    const bool shared_input = plan.shared_input;
    const ScratchFloats scratch = scratch_floats(p, plan);
    float* shared_v = nullptr;
    const std::size_t v_stride_shared = xi_stride(std::size_t(all_rows) * C), v_stride_own = xi_stride(std::size_t(T) * C);
    if (shared_input) {
        shared_v = thread_shared_input(scratch.shared);
        ctx.parallel_for(std::size_t(all_rows), [&](std::size_t tile) {
            float* v[64];
            for (int xi = 0; xi < xis; ++xi) v[xi] = shared_v + std::size_t(xi) * v_stride_shared + tile * C;
            transform_tile(std::int64_t(tile), v);
        });
    }

    ctx.parallel_for(std::size_t(m_tasks * n_tasks), [&](std::size_t task) {
        const std::int64_t t0 = std::int64_t(task) / n_tasks * T;
        const int valid = int(std::min<std::int64_t>(T, n_tiles - t0));
        const int panel0 = int(task % n_tasks) * panels_per_task;
        const int panel1 = std::min(panels, panel0 + panels_per_task);
        const int nb = (panel1 - panel0) * NR;  // scratch row length (filters of this task, padded)
        const Scratch s = thread_scratch(scratch.v, scratch.m, scratch.rows);
        float* Mx = s.m;  // xis slices m_stride apart, each (T, nb)
        const std::size_t m_stride = xi_stride(std::size_t(T) * nb);

        // 1. The task's tiles' V: xis slices v_stride apart, each (rows, C); this task's T rows from v_first on.
        float* V = shared_input ? shared_v : s.v;
        const std::size_t v_stride = shared_input ? v_stride_shared : v_stride_own;
        const std::int64_t v_first = shared_input ? t0 : 0;
        if (!shared_input)
            for (int t = 0; t < T; ++t) {
                float* v[64];
                for (int xi = 0; xi < xis; ++xi) v[xi] = V + std::size_t(xi) * v_stride + std::size_t(t) * C;
                transform_tile(t0 + t, v);
            }

        // 2. alpha^2 GEMMs M_xi = V_xi U_xi on the microkernel: "one tap" per row, the row's C channels.
        for (int t = 0; t < T; ++t) s.rows[t] = V + std::size_t(v_first + t) * C;
        MicroArgs g{};  // no epilogue: the products go to Mx; made once, not per call (a `rep stos` each)
        g.taps = 1;
        g.ldc = nb;
        g.rows = MR;
        // Each call: a row tile against every filter panel of the task (U's panels are C * NR floats apart).
        g.panels = panel1 - panel0;
        g.b_panel_stride = std::ptrdiff_t(C) * NR;
        g.cols = std::min(nb, F - panel0 * NR);
        // The task's U of one frequency, all its panels: one contiguous run of U (see winograd_pack_kernel).
        // With a shared input (few tiles: stages 4-5 at 224) each task reads its share of U once, from memory
        // (9.4-16.8 MB a conv there): the first call of each frequency waits for a burst of loads and the later
        // ones find it in the caches. So each call also asks for a share of the next frequency's run, which then
        // arrives while the calls before it compute (MicroArgs::prefetch): there those convs took 0.82-0.85 of
        // their time (two threads, paired medians). Not where runs of tiles re-read U: its runs are large and in
        // the caches (at 600 a task's is up to 256 KB), and asking for the next one early evicted what the calls
        // were using (stages 3-4 at 600: 1.1-1.5x slower). See bench/README.md.
        const bool prefetch_u = plan.shared_input;
        const std::ptrdiff_t u_run = std::ptrdiff_t(panel1 - panel0) * C * NR;
        const int calls_per_xi = c_pieces * (T / MR);
        for (int xi = 0; xi < xis; ++xi) {
            const float* u_xi = packed + (std::size_t(xi) * panels + panel0) * C * NR;
            const float* u_next = prefetch_u && xi + 1 < xis ? u_xi + std::ptrdiff_t(panels) * C * NR : nullptr;
            for (int piece = 0, call = 0; piece < c_pieces; ++piece) {
                const int c0 = piece * c_step, cin = std::min(c_step, C - c0);
                for (int i = 0; i < T / MR; ++i, ++call) {
                    g.a = s.rows + std::size_t(i) * MR;
                    g.a_offset = std::ptrdiff_t(xi * v_stride) + c0;
                    g.cin = cin;
                    g.b = u_xi + std::ptrdiff_t(c0) * NR;
                    g.c = Mx + std::size_t(xi) * m_stride + std::size_t(i) * MR * nb;
                    g.load_c = c0 > 0;
                    g.prefetch = nullptr;
                    if (u_next) {  // with prefetch_u: this call's share of the next frequency's run
                        const std::ptrdiff_t from = u_run * call / calls_per_xi;
                        g.prefetch = u_next + from;
                        g.prefetch_floats = u_run * (call + 1) / calls_per_xi - from;
                    }
                    uk.run(g);
                }
            }
        }

        // 3. Output transform Y = A^T M A + bias per tile, and the fused epilogue, straight into the outputs (in
        //    the ISA's file, at its vector width; it rounds exactly as the direct path's).
        const int j0 = panel0 * NR, n = std::min(F, panel1 * NR) - j0;  // this task's filters [j0, j0 + n)
        WinogradOutputs o;
        o.stream_conv = stream_conv;
        o.bias = bias ? bias + j0 : nullptr;
        o.bn_scale = bn_scale ? bn_scale + j0 : nullptr;
        o.bn_shift = bn_shift ? bn_shift + j0 : nullptr;
        for (int t = 0; t < valid; ++t) {
            const std::int64_t tile = t0 + t;
            const int oy = int(tile / tiles_w) * tm, ox = int(tile % tiles_w) * tm;
            for (int k = 0; k < tm * tm; ++k) {
                const int py = oy + k / tm, px = ox + k % tm;
                const bool inside = py < p.out_h && px < p.out_w;  // the last rows/columns of tiles may not be
                const std::int64_t at = (std::int64_t(py) * p.out_w + px) * F + j0;
                o.conv[k] = inside && out_conv ? out_conv + at : nullptr;
                o.bn[k] = inside && out_bn ? out_bn + at : nullptr;
                o.relu[k] = inside && out_relu ? out_relu + at : nullptr;
            }
            const float* m = Mx + std::size_t(t) * nb;  // M_xi[t, j] = m[xi * m_stride + j]
            const float* mt[64];
            for (int xi = 0; xi < xis; ++xi) mt[xi] = m + xi * m_stride;
            wt.output(mt, o, n);
        }
        if (stream_conv) fence_streamed_stores();
    });
}

}  // namespace detail
}  // namespace convscope
