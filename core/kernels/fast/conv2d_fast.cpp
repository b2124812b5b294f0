#include "core/kernels/fast/conv2d_fast.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>  // sysconf: the L2 cache's size

#include "core/kernels/fast/conv2d_winograd.hpp"
#include "core/kernels/fast/elementwise_fast.hpp"
#include "core/kernels/fast/gemm_microkernel.hpp"

namespace convscope {
namespace {

using detail::MicroArgs;
using detail::MicroKernel;

// K rows per block. A block's B panel (kc x NR floats: 128 KB for AVX-512) is reused across all the row tiles of
// a task from L2, and the partial sums go back to C between blocks. Fixed, never derived from the thread count,
// so the summation order of every output element is fixed. Long blocks mean fewer round trips of the partial
// sums through C on the deep 1x1 convs (measured against 256 and 512: bench/README.md).
constexpr int kBlockK = 1024;
// L1 data caches: addresses this far apart share a set (64 sets of 64-byte lines), and the fewest ways a set has
// on the cores we run on (8; Zen 4/5 and recent Intel have 12). See copy_rows in run_conv.
constexpr std::int64_t kL1SetSpan = 4096;
constexpr std::int64_t kL1Ways = 8;
// 1x1 convs that run on the AVX-512 wide tile (6 pixels x 64 filters) instead of the 14 x 32 one: those whose
// 14-row tiles would have their input rows copied first (rows a multiple of 4 KB apart: 1024 or 2048 channels, or
// 512 with stride 2; six rows fit the L1 sets as they are), and those with 2048 filters or more (each tile's input
// rows are then read 32 times instead of 64). Only from kWideMinPixels output pixels on: with fewer (stage 5 at
// 224: 49) the narrow 7-row tiles do better. In ResNet50 passes those convs ran 4-14% faster (bench/README.md).
constexpr std::int64_t kWideMinPixels = 100;
constexpr int kWideMinFilters = 2048;
// Filters per task (a multiple of every NR), and multiply-adds per task: big enough that the pool's per-task
// cost is noise, small enough (a fraction of a millisecond) that a cancel lands fast and threads stay balanced.
constexpr int kTaskFilters = 256;
constexpr std::int64_t kTaskMacs = std::int64_t(16) << 20;
constexpr int kMaxTilesPerTask = 32;
constexpr std::int64_t kMaxTaskMacs = std::int64_t(64) << 20;
// Output rows per task are the kernel's reuse: each task reads its K x (task filters) slice of the kernel once,
// so with a long K and one 14-row tile per task the whole kernel would be streamed from memory again for every
// 14 output pixels (ResNet50 stage 4-5: M = 49..196 pixels, kernels of 1-9 MB). Tasks give up filters for rows
// until they have this many tiles, or all the tiles there are. 8 rather than 16: tasks then keep more filter
// panels, over which a tile's input rows (copied, for 1024 channels) are reused.
constexpr int kMinTilesPerTask = 8;
// Tasks per conv wanted when the conv is small, so that a few threads share it evenly (not derived from the
// thread count: task shapes never are), and how far rows per task may shrink for that.
constexpr std::int64_t kMinTasks = 8;
constexpr int kMinTilesAfterSplit = 4;
// Outputs larger than this in all (conv, BN and ReLU buffers together) are written with non-temporal stores:
// beside the input and the kernel they would not stay in a typical L3 for the next layer anyway, and streaming
// saves reading every output line before overwriting it. The threshold trades that against the next layer
// reading its input from memory instead of L3 (how it was chosen: bench/README.md).
constexpr std::int64_t kStreamOutputBytes = std::int64_t(4) << 20;
// A residual block's output (the join, relu(bn + shortcut)) is streamed from a much smaller size. It is read twice,
// by the next block's first 1x1 conv and three convs later by that block's join, and its conv runs a short K
// (a 1x1 on 64-512 channels): write misses there stall the tile while a normal store waits for its line, so the
// non-temporal store pays even though the next conv then reads the block output from memory. Measured on Zen 4
// (bench --per-node, alternating): at 224 the joins' convs took 0.74-0.90 of their time, the next 1x1 conv up to
// 1.07, the pass 0.91-0.96; 333 x 333 0.91; stages 1-5 at 128 0.81; at 600 every block output is above
// kStreamOutputBytes already. Streaming other outputs this small lost: a 3x3 conv reading its input from memory
// slowed more than the 1x1 before it gained (bench/README.md).
constexpr std::int64_t kStreamJoinOutputBytes = std::int64_t(256) << 10;
// The last tasks of a conv are cut in two, so that the threads finish closer together: a thread that takes no
// more tasks waits for the others' last ones. The share cut is a measured choice (bench/README.md). Values never
// depend on it (see make_tasks).
constexpr std::size_t kHalvedTailDivisor = 4;
// Below this many input channels, taps along a kernel row are merged (see merge_rows).
constexpr int kMergeRowsBelowChannels = 16;
// A task meets its filter panels row tile by row tile (panels innermost), so it reads its slice of a K block's
// kernel once per row tile: from L2 while the slice fits there. Past the L2's size it would come from L3 again
// for every tile, so the task takes the panels outermost and reads its input rows once per panel instead, when
// they are the smaller of the two (see run_conv). The size is this CPU's (512 KB on Zen 2-3, 1 MB on Zen 4, 2 MB
// on recent Intel), read once; where the C library cannot tell (0 or -1, as on some ARM systems), 512 KB. On Zen
// 4, 1 MB instead of a fixed 512 KB made stage 5 at 224 2-8% faster per conv (bench --per-node, alternating).
// Only the order of the calls depends on it, never a value.
std::int64_t l2_bytes() {
    static const std::int64_t bytes = [] {
        const long reported = sysconf(_SC_LEVEL2_CACHE_SIZE);
        return reported >= (256L << 10) && reported <= (8L << 20) ? std::int64_t(reported) : std::int64_t(512) << 10;
    }();
    return bytes;
}

// Whether `rows` input rows `row_bytes` apart, read in lockstep by a tile, put more lines into one L1 set than it
// has ways (an L1 maps addresses kL1SetSpan apart to the same set, so rows that far apart evict each other).
bool rows_share_l1_sets(std::int64_t row_bytes, int rows) {
    const std::int64_t sets_touched = kL1SetSpan / std::gcd(row_bytes, kL1SetSpan);
    return (rows + sets_touched - 1) / sets_touched > kL1Ways;
}

// A run of K rows of B: taps [t0, t0 + taps) x channels [c0, c0 + cin). Either all channels of several taps or
// a slice of the channels of one tap, so its rows are contiguous in the packed panel.
struct KBlock {
    int t0, taps, c0, cin;
};

std::vector<KBlock> make_k_blocks(int taps, int in_c) {  // in_c: floats per tap
    std::vector<KBlock> blocks;
    if (in_c >= kBlockK) {
        const int pieces = (in_c + kBlockK - 1) / kBlockK;
        const int step = (in_c + pieces - 1) / pieces;  // balanced slices, none tiny
        for (int t = 0; t < taps; ++t)
            for (int c = 0; c < in_c; c += step) blocks.push_back({t, 1, c, std::min(step, in_c - c)});
    } else {
        const int per = std::max(1, kBlockK / in_c);
        const int pieces = (taps + per - 1) / per;
        const int step = (taps + pieces - 1) / pieces;
        for (int t = 0; t < taps; t += step) blocks.push_back({t, std::min(step, taps - t), 0, in_c});
    }
    return blocks;
}

// Per-thread indirection buffer, grown once and reused across tiles and calls: tiles never allocate.
std::vector<const float*>& thread_pointers(std::size_t count) {
    thread_local std::vector<const float*> pointers;
    if (pointers.size() < count) pointers.resize(count);
    return pointers;
}

// Per-thread buffers (detail::thread_buffer): one tile's input rows when they are copied (see copy_rows in
// run_conv), and the calling thread's padded input of a merged-rows conv.
struct InputRowsBuffer {};
struct PaddedInputBuffer {};
float* thread_a_rows(std::size_t floats) { return detail::thread_buffer<InputRowsBuffer>(floats); }
// The calling thread's: the whole zero-padded input of a merged-rows conv, read by every task of one call.
float* thread_padded_input(std::size_t floats) { return detail::thread_buffer<PaddedInputBuffer>(floats); }

// One task of run_conv: output rows [m0, m0 + rows) x filter panels [panel0, panel1).
struct ConvTask {
    std::int64_t m0, rows;
    int panel0, panel1;
};

// The grid of m_tasks row blocks (task_m rows each, the last one shorter) x n_tasks panel blocks, in that order,
// with the last 1/kHalvedTailDivisor of the tasks (at least two) cut in two: by row tiles, or by panels for a
// single tile. Every output element is still computed by one microkernel call per K block, in K order, so how
// the work is cut never changes a value.
std::vector<ConvTask> make_tasks(std::int64_t M, int MR, std::int64_t task_m, std::int64_t m_tasks, int panels,
                                 int panels_per_task, int n_tasks) {
    std::vector<ConvTask> grid;
    for (std::int64_t mt = 0; mt < m_tasks; ++mt)
        for (int nt = 0; nt < n_tasks; ++nt) {
            const std::int64_t m0 = mt * task_m;
            grid.push_back({m0, std::min(task_m, M - m0), nt * panels_per_task,
                            std::min(panels, (nt + 1) * panels_per_task)});
        }
    const std::size_t tail = std::min(grid.size(), std::max<std::size_t>(2, grid.size() / kHalvedTailDivisor));
    std::vector<ConvTask> tasks(grid.begin(), grid.end() - std::ptrdiff_t(tail));
    for (std::size_t i = grid.size() - tail; i < grid.size(); ++i) {
        const ConvTask t = grid[i];
        const std::int64_t tiles = (t.rows + MR - 1) / MR;
        if (tiles >= 2) {
            const std::int64_t first = (tiles + 1) / 2 * MR;
            tasks.push_back({t.m0, first, t.panel0, t.panel1});
            tasks.push_back({t.m0 + first, t.rows - first, t.panel0, t.panel1});
        } else if (t.panel1 - t.panel0 >= 2) {
            const int middle = (t.panel0 + t.panel1 + 1) / 2;
            tasks.push_back({t.m0, t.rows, t.panel0, middle});
            tasks.push_back({t.m0, t.rows, middle, t.panel1});
        } else {
            tasks.push_back(t);
        }
    }
    return tasks;
}

// The convolution proper. packed_b: the kernel as (panels, K, NR) panels from pack_gemm_panels() for isa_kernel.
void run_conv(const Conv2DParams& p, const float* input, const float* packed_b, const MicroKernel& isa_kernel,
              const float* bias, float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
              float* out_relu, const Context& ctx, const Conv2DResidual& residual) {
    assert(input && packed_b && (out_conv || out_bn || out_relu));
    assert(!residual.shortcut || out_relu);
    // Partial sums between K blocks live in an output buffer. Without a conv output they go to the BN or ReLU
    // output, which the last K block then overwrites (the microkernel reads C before it writes anything).
    float* acc = out_conv ? out_conv : out_bn ? out_bn : out_relu;
    assert(p.out_h >= 1 && p.out_w >= 1 && p.in_c >= 1 && p.filters >= 1);
    assert((bn_scale == nullptr) == (bn_shift == nullptr));
    assert(!out_bn || bn_scale);
    const int in_c = p.in_c, filters = p.filters;
    const std::int64_t K = std::int64_t(p.kernel_h) * p.kernel_w * in_c;
    const std::int64_t M = std::int64_t(p.out_h) * p.out_w;
    const MicroKernel uk = detail::fit_rows(isa_kernel, M);  // a shape-only choice; values do not depend on it
    const int MR = uk.mr, NR = uk.nr;
    const int panels = (filters + NR - 1) / NR;

    // What one A pointer covers. Normally one tap: in_c contiguous channels, and padded taps point at zeros.
    // With few channels (the RGB stem convs) that makes the inner loop 3 long and pointer loads dominate, so
    // when dilation_w == 1 we copy the input once with its zero padding made explicit: then the kernel_w taps
    // of a kernel row are kernel_w * in_c contiguous floats, one pointer per kernel row. K keeps the Keras order
    // (ky, kx, c) either way, so the packed B is the same.
    const bool merge_rows = p.dilation_w == 1 && p.kernel_w > 1 && in_c < kMergeRowsBelowChannels;
    const int taps = merge_rows ? p.kernel_h : p.kernel_h * p.kernel_w;
    const int tap_len = merge_rows ? p.kernel_w * in_c : in_c;
    std::vector<float> zeros;  // (tap_len) what a padded tap reads, when not merging
    const float* padded = nullptr;  // (padded_h, row_w, in_c) the input inside its zero border, when merging
    const int padded_h = (p.out_h - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
    const int padded_w = (p.out_w - 1) * p.stride_w + p.kernel_w;
    int row_w = padded_w;  // pixels per row of `padded`
    // With no border to add (a 'valid' conv, such as ResNet50's stem after its ZeroPadding2D), the input's own rows
    // already hold each kernel row's taps contiguously: no copy.
    const bool no_border = p.pad_top == 0 && p.pad_left == 0 && padded_h <= p.in_h && padded_w <= p.in_w;
    if (merge_rows && no_border) {
        padded = input;
        row_w = p.in_w;
    } else if (merge_rows) {
        // Every element is written below, so the calling thread's buffer from an earlier call can be reused: a
        // fresh allocation of this size is fresh pages, and faulting them in from two threads cost the stem
        // conv at 224 more than its whole copy.
        float* copy = thread_padded_input(std::size_t(padded_h) * padded_w * in_c);
        padded = copy;
        ctx.parallel_for(std::size_t(padded_h), [&](std::size_t y) {
            float* row = copy + y * padded_w * in_c;  // (padded_w, in_c)
            const int iy = int(y) - p.pad_top;
            for (int x = 0; x < padded_w; ++x) {
                const int ix = x - p.pad_left;
                const bool inside = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
                const float* src = input + (std::int64_t(iy) * p.in_w + ix) * in_c;
                for (int c = 0; c < in_c; ++c) row[x * in_c + c] = inside ? src[c] : 0.0f;
            }
        });
    } else {
        zeros.assign(std::size_t(tap_len), 0.0f);
    }
    // The pointer for output pixel (oy, ox) and tap t.
    auto tap_pointer = [&](int oy, int ox, int t) -> const float* {
        if (merge_rows) {
            const int y = oy * p.stride_h + t * p.dilation_h, x = ox * p.stride_w;
            return padded + (std::int64_t(y) * row_w + x) * in_c;
        }
        const int ky = t / p.kernel_w, kx = t % p.kernel_w;
        const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
        const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
        const bool inside = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
        return inside ? input + (std::int64_t(iy) * p.in_w + ix) * in_c : zeros.data();
    };

    const std::vector<KBlock> k_blocks = make_k_blocks(taps, tap_len);

    // Tasks: a block of output pixels x a block of filters. Their shape depends on the ISA tile and the conv,
    // never on the thread count.
    // With a very long K (an 11x11 kernel on thousands of channels) even one row tile of 256 filters would run
    // for milliseconds; fewer filters per task keep every task short enough for a prompt cancel.
    const std::int64_t tiles_total = (M + MR - 1) / MR;
    auto tiles_for = [&](int panels_per_task) {  // row tiles that make a task of about kTaskMacs
        const std::int64_t task_n = std::min<std::int64_t>(filters, std::int64_t(panels_per_task) * NR);
        return kTaskMacs / std::max<std::int64_t>(1, K * task_n * MR);
    };
    int panels_per_task = std::max(1, kTaskFilters / NR);
    while (panels_per_task > 1 && K * panels_per_task * NR * MR > kMaxTaskMacs) panels_per_task /= 2;
    const std::int64_t min_tiles = std::min<std::int64_t>(tiles_total, kMinTilesPerTask);
    while (panels_per_task > 1 && tiles_for(panels_per_task) < min_tiles) panels_per_task /= 2;
    const std::int64_t max_tiles = std::max<std::int64_t>(1, kMaxTaskMacs / std::max<std::int64_t>(1, K * panels_per_task * NR * MR));
    int tiles_per_task = int(std::clamp<std::int64_t>(
        std::max(tiles_for(panels_per_task), min_tiles), 1, std::min<std::int64_t>(kMaxTilesPerTask, max_tiles)));
    auto count_tasks = [&] {
        return ((panels + panels_per_task - 1) / panels_per_task) *
               ((M + std::int64_t(tiles_per_task) * MR - 1) / (std::int64_t(tiles_per_task) * MR));
    };
    // Convs with few tasks (ResNet50 at 224: the 14x14 and 7x7 ones, and the 56x56 ones with 64 or 256 filters)
    // would leave threads idle: split them. Each split makes one of a task's two operands be read twice: its
    // rows of the input, or its slice of the kernel. So cut the other one: the filters while a task has more of
    // them than rows (stage 4-5: a smaller kernel slice each, the few input rows re-read from L2), else the rows,
    // down to kMinTilesAfterSplit (stage 2: 448 rows x 64 filters; cutting the filters had every task read its
    // 448 rows for 32 filters only).
    while (count_tasks() < kMinTasks && (tiles_per_task > kMinTilesAfterSplit || panels_per_task > 1)) {
        const std::int64_t task_n = std::min<std::int64_t>(filters, std::int64_t(panels_per_task) * NR);
        const bool cut_rows = tiles_per_task > kMinTilesAfterSplit && std::int64_t(tiles_per_task) * MR > task_n;
        if (panels_per_task > 1 && !cut_rows)
            panels_per_task /= 2;
        else
            tiles_per_task = std::max(kMinTilesAfterSplit, tiles_per_task / 2);
    }
    const int n_tasks = (panels + panels_per_task - 1) / panels_per_task;
    const std::int64_t task_m = std::int64_t(tiles_per_task) * MR;
    const std::int64_t m_tasks = (M + task_m - 1) / task_m;
    int block_rows = 1;  // the longest K block
    for (const KBlock& kb : k_blocks) block_rows = std::max(block_rows, kb.taps * kb.cin);
    const bool prefetch_rows = !merge_rows;  // the next tile's input rows, ahead (see the tile loop)
    // The microkernel reads its MR input rows in lockstep. An L1 cache maps addresses kL1SetSpan apart to the same
    // set, so rows `row_bytes` apart land in only kL1SetSpan / gcd(row_bytes, kL1SetSpan) distinct sets: with 1024
    // or 2048 channels (4 or 8 KB apart) all of a tile's rows share one set, more rows than it has ways, and they
    // evict each other on every step. Then each tile's rows of a K block are first copied into a buffer whose row
    // stride is not such a multiple. With 512 channels (two sets, 7 rows each) the copy cost more than it saved.
    const std::int64_t row_bytes = std::int64_t(in_c) * p.stride_w * std::int64_t(sizeof(float));
    const bool copy_rows = !merge_rows && rows_share_l1_sets(row_bytes, MR);
    const int copy_stride = block_rows + 16;  // floats between copied rows: 64 bytes off any 2 KB multiple
    const int out_streams = (out_conv ? 1 : 0) + (out_bn ? 1 : 0) + (out_relu ? 1 : 0);
    const bool stream_outputs = M * filters * std::int64_t(sizeof(float)) * out_streams >
                                (residual.shortcut ? kStreamJoinOutputBytes : kStreamOutputBytes);
    // The conv output of a pass that also writes its BN or ReLU is there only for the viewer: the next layer
    // reads the last output. So it is streamed whatever its size, which leaves the caches to what is read next.
    const bool stream_c = stream_outputs || (out_conv && (out_bn || out_relu));  // so streaming at all is stream_c

    const std::vector<ConvTask> tasks = make_tasks(M, MR, task_m, m_tasks, panels, panels_per_task, n_tasks);
    // Panels outermost for a task whose kernel slice of a K block outgrows L2 while its input rows of the block
    // do not (ResNet50's stage 5 shortcut at 224: 1 MB of kernel per task against 200 KB of rows). A call per
    // tile and panel then, which costs little beside a panel's K x NR FMAs when the slice is that large. Not with
    // copied rows: a tile's copy serves all its panels. Every output element gets the same calls in the same K
    // order, so the values do not change.
    auto panels_outer = [&](const KBlock& kb, const ConvTask& t) {
        const std::int64_t k_bytes = std::int64_t(kb.taps) * kb.cin * std::int64_t(sizeof(float));  // per column
        const std::int64_t slice_bytes = k_bytes * (t.panel1 - t.panel0) * NR, input_bytes = k_bytes * t.rows;
        return !copy_rows && t.panel1 - t.panel0 > 1 && t.rows > MR && slice_bytes > l2_bytes() &&
               input_bytes < slice_bytes;
    };

    ctx.parallel_for(tasks.size(), [&](std::size_t task) {
        const std::int64_t m0 = tasks[task].m0, rows = tasks[task].rows;
        const int panel0 = tasks[task].panel0, panel1 = tasks[task].panel1;
        const int tiles = int((rows + MR - 1) / MR);

        // Indirection: for tile i, tap t, row m, a pointer to the tap_len floats that tap reads.
        // (tiles, taps, MR). Rows past the end repeat the last real pixel; their results are discarded.
        std::vector<const float*>& ptrs = thread_pointers(std::size_t(tiles) * taps * MR);
        for (int i = 0; i < tiles; ++i)
            for (int m = 0; m < MR; ++m) {
                const std::int64_t pixel = std::min(m0 + std::int64_t(i) * MR + m, M - 1);
                const int oy = int(pixel / p.out_w), ox = int(pixel % p.out_w);
                for (int t = 0; t < taps; ++t) ptrs[(std::size_t(i) * taps + t) * MR + m] = tap_pointer(oy, ox, t);
            }
        float* a_rows = copy_rows ? thread_a_rows(std::size_t(MR) * copy_stride) : nullptr;  // (MR, copy_stride)
        const float* a_copied[64];  // (MR) pointers into a_rows; MR <= 64 for every microkernel
        assert(MR <= 64);
        for (int m = 0; m < MR && copy_rows; ++m) a_copied[m] = a_rows + std::size_t(m) * copy_stride;

        // One microkernel call: K block b, row tile i of this task, its filter panels [q0, q1).
        auto run_tile = [&](std::size_t b, int i, int q0, int q1) {
            const KBlock& kb = k_blocks[b];
            const bool first = b == 0, last = b + 1 == k_blocks.size();
            const int j0 = q0 * NR;
            const std::int64_t r0 = m0 + std::int64_t(i) * MR;
            const std::int64_t at = r0 * filters + j0;
            MicroArgs g;  // every field set below, so not value-initialised: that is a `rep stos` per call
            g.a = ptrs.data() + (std::size_t(i) * taps + kb.t0) * MR;
            g.a_offset = kb.c0;
            g.taps = kb.taps;
            g.cin = kb.cin;
            if (copy_rows) {  // the same K rows in the same order, as one run per pixel
                g.a = a_copied;
                g.a_offset = 0;
                g.taps = 1;
                g.cin = kb.taps * kb.cin;
            }
            g.b = packed_b + (std::size_t(q0) * K + std::size_t(kb.t0) * tap_len + kb.c0) * NR;
            g.panels = q1 - q0;
            g.b_panel_stride = std::ptrdiff_t(K) * NR;
            g.c = acc + at;
            g.ldc = filters;
            g.rows = int(std::min<std::int64_t>(MR, M - r0));
            g.cols = std::min(NR * g.panels, filters - j0);
            g.load_c = !first;
            g.bias = bias ? bias + j0 : nullptr;
            // The epilogue, for the last K block only.
            g.bn_scale = last && bn_scale ? bn_scale + j0 : nullptr;
            g.bn_shift = last && bn_shift ? bn_shift + j0 : nullptr;
            g.out_bn = last && out_bn ? out_bn + at : nullptr;
            g.out_relu = last && out_relu ? out_relu + at : nullptr;
            g.residual = last && residual.shortcut ? residual.shortcut + at : nullptr;
            g.res_scale = last && residual.shortcut_scale ? residual.shortcut_scale + j0 : nullptr;
            g.res_shift = last && residual.shortcut_shift ? residual.shortcut_shift + j0 : nullptr;
            g.stream_c = last && stream_c;
            g.stream_outputs = last && stream_outputs;
            uk.run(g);
        };
        // Copies row tile i's input rows of K block kb into a_rows (see copy_rows above).
        auto copy_input_rows = [&](const KBlock& kb, int i) {
            for (int m = 0; m < MR; ++m)
                for (int t = 0; t < kb.taps; ++t) {
                    const float* src = ptrs[(std::size_t(i) * taps + kb.t0 + t) * MR + m] + kb.c0;
                    std::copy(src, src + kb.cin, a_rows + std::size_t(m) * copy_stride + t * kb.cin);
                }
        };
        // The microkernel reads its MR input rows (one per pixel, each from its own place in the input) in lockstep,
        // a few bytes per step: too many streams for the hardware prefetcher, so on a large input every new cache
        // line is a miss the FMAs wait for, most of all with few panels per tile (256 -> 64 filters). So each tile
        // first asks for the next tile's rows (row tile i of K block kb) into L2. Not for merged rows: their padded
        // copy was just written by this call, or the input by the layer before, and is still in the caches, where
        // the extra prefetches only cost.
        auto prefetch_input_rows = [&](const KBlock& kb, int i) {
            // (taps, MR) pointers of tile i from this K block's first tap on, as one run
            const float* const* rows_of_tile = ptrs.data() + (std::size_t(i) * taps + kb.t0) * MR;
            for (int mt = 0; mt < MR * kb.taps; ++mt) {
                const float* src = rows_of_tile[mt] + kb.c0;
                for (int c = 0; c < kb.cin; c += 16) __builtin_prefetch(src + c, 0, 2);
                __builtin_prefetch(src + kb.cin - 1, 0, 2);
            }
        };
        for (std::size_t b = 0; b < k_blocks.size(); ++b) {
            const KBlock& kb = k_blocks[b];
            // A join's epilogue reads the shortcut and writes the block output, MR rows `filters` apart. The
            // microkernel asks for those lines of each panel as it starts it. Asking here too, for the next tile's
            // lines across the task's columns (a burst of about 200 prefetches per tile at K = 64), cost more
            // than it saved: without it the joins took 0.94-0.97 of their time at 224 and 600, on one thread and
            // two (bench --per-node, alternating; bench/README.md).
            // Panels innermost (inside the microkernel): the tile's input rows stay in L1 while they meet every
            // filter panel of the task. Or, for a kernel slice larger than L2, outermost (see panels_outer): then
            // the rows are asked for during the first panel only, and the later ones find them in L2.
            const int panels_per_call = panels_outer(kb, tasks[task]) ? 1 : panel1 - panel0;
            for (int q = panel0; q < panel1; q += panels_per_call)
                for (int i = 0; i < tiles; ++i) {
                    if (copy_rows) copy_input_rows(kb, i);
                    if (i + 1 < tiles && prefetch_rows && q == panel0) prefetch_input_rows(kb, i + 1);
                    run_tile(b, i, q, q + panels_per_call);
                }
        }
        if (stream_c) detail::fence_streamed_stores();
    });
}

}  // namespace

namespace detail {

MicroKernel microkernel_for(Isa isa) {
    if (!isa_supported(isa))
        throw std::invalid_argument(std::string("conv2d_fast: instruction set ") + to_string(isa) +
                                    " is not supported by this CPU");
    MicroKernel k = isa == Isa::avx512 ? microkernel_avx512()
                    : isa == Isa::avx2 ? microkernel_avx2()
                    : isa == Isa::neon ? microkernel_neon()
                                       : microkernel_scalar();
    if (!k.run)
        throw std::invalid_argument(std::string("conv2d_fast: instruction set ") + to_string(isa) +
                                    " was not compiled into this build");
    return k;
}

void fence_streamed_stores() {
#if defined(__x86_64__) || defined(__i386__)  // only the x86 kernels stream
    __builtin_ia32_sfence();
#endif
}

MicroKernel fit_rows(const MicroKernel& uk, long long M) {
    auto computed = [M](int mr) { return (M + mr - 1) / mr * mr; };  // rows a GEMM of M rows computes
    MicroKernel best = uk;
    for (const MicroKernel::Rows& r : uk.fewer_rows)
        if (r.mr > 0 && r.run && computed(r.mr) * 100 <= computed(uk.mr) * r.most_percent &&
            computed(r.mr) < computed(best.mr)) {
            best.mr = r.mr;
            best.run = r.run;
        }
    return best;
}

int winograd_tile(const Conv2DParams& p, Isa isa) { return winograd_tile(p, detail::microkernel_for(isa)); }

MicroKernel direct_microkernel(const Conv2DParams& p, Isa isa) {
    const MicroKernel main = detail::microkernel_for(isa);
    if (isa != Isa::avx512 || p.kernel_h != 1 || p.kernel_w != 1) return main;
    const std::int64_t pixels = std::int64_t(p.out_h) * p.out_w;
    const std::int64_t row_bytes = std::int64_t(p.in_c) * p.stride_w * std::int64_t(sizeof(float));
    if (pixels < kWideMinPixels || !(rows_share_l1_sets(row_bytes, main.mr) || p.filters >= kWideMinFilters))
        return main;
    const MicroKernel wide = microkernel_avx512_wide();
    return wide.run ? wide : main;
}

}  // namespace detail

namespace {

// The kernel (K, filters) as NR-wide column panels, (panels, K, NR), zero past the last filter: the layout the
// microkernel reads B in, so that convolving reads each panel as one sequential stream and copies nothing.
AlignedFloats pack_gemm_panels(const Conv2DParams& p, const float* kernel, int NR, const Context& ctx) {
    const std::int64_t K = std::int64_t(p.kernel_h) * p.kernel_w * p.in_c;
    const int filters = p.filters, panels = (filters + NR - 1) / NR;
    AlignedFloats packed = AlignedFloats::allocate(std::size_t(panels) * K * NR);
    ctx.parallel_for(std::size_t(panels), [&](std::size_t panel) {
        const int j0 = int(panel) * NR, cols = std::min(NR, filters - j0);
        float* dst = packed.get() + panel * K * NR;
        for (std::int64_t k = 0; k < K; ++k, dst += NR) {
            std::copy(kernel + k * filters + j0, kernel + k * filters + j0 + cols, dst);
            std::fill(dst + cols, dst + NR, 0.0f);
        }
    });
    return packed;
}

// What the kernel needs before convolving: U = G g G^T when Winograd applies to p, else the GEMM panels.
Conv2DPackedKernel pack(const Conv2DParams& p, const float* kernel, Isa isa, const Context& ctx) {
    assert(kernel && p.in_c >= 1 && p.filters >= 1);
    Conv2DPackedKernel packed;
    packed.isa = isa;
    packed.kernel_h = p.kernel_h, packed.kernel_w = p.kernel_w, packed.in_c = p.in_c, packed.filters = p.filters;
    packed.kernel = kernel;
    const MicroKernel uk = detail::microkernel_for(isa);
    if (const int m = detail::winograd_tile(p, uk)) {
        packed.winograd_tile = m;
        packed.winograd = AlignedFloats::allocate(detail::winograd_packed_floats(m, p.in_c, p.filters, uk.nr));
        detail::winograd_pack_kernel(m, kernel, p.in_c, p.filters, uk, packed.winograd.get(), ctx);
    } else {
        packed.gemm_nr = detail::direct_microkernel(p, isa).nr;
        packed.gemm = pack_gemm_panels(p, kernel, packed.gemm_nr, ctx);
    }
    return packed;
}

void run_packed(const Conv2DParams& p, const float* input, const Conv2DPackedKernel& kernel, const float* bias,
                float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn, float* out_relu,
                const Context& ctx, const Conv2DResidual& residual = {}) {
    const MicroKernel uk = detail::microkernel_for(kernel.isa);
    if (const int m = detail::winograd_tile(p, uk)) {
        assert(!residual.shortcut);  // see conv2d_fast_packed()
        // A kernel packed for a geometry that needed another transform, or none (another input size or stride),
        // gets the right one now, for this call only.
        AlignedFloats transformed;
        const float* u = kernel.winograd_tile == m ? kernel.winograd.get() : nullptr;
        if (!u) {
            transformed = AlignedFloats::allocate(detail::winograd_packed_floats(m, p.in_c, p.filters, uk.nr));
            detail::winograd_pack_kernel(m, kernel.kernel, p.in_c, p.filters, uk, transformed.get(), ctx);
            u = transformed.get();
        }
        detail::winograd_conv(p, input, u, uk, bias, out_conv, bn_scale, bn_shift, out_bn, out_relu, ctx);
    } else {
        // Likewise the panels, for a kernel packed for a Winograd geometry or for another tile width.
        const MicroKernel direct = detail::direct_microkernel(p, kernel.isa);
        AlignedFloats panels;
        const float* b = kernel.gemm_nr == direct.nr ? kernel.gemm.get() : nullptr;
        if (!b) {
            panels = pack_gemm_panels(p, kernel.kernel, direct.nr, ctx);
            b = panels.get();
        }
        run_conv(p, input, b, direct, bias, out_conv, bn_scale, bn_shift, out_bn, out_relu, ctx, residual);
    }
}

}  // namespace

void conv2d_reserve_thread_scratch(const Conv2DParams& p, Isa isa) {
    if (detail::winograd_applies(p)) detail::winograd_reserve_scratch(p, detail::microkernel_for(isa));
}

Conv2DPackedKernel conv2d_pack_kernel(const Conv2DParams& p, const float* kernel, Isa isa, const Context& ctx) {
    return pack(p, kernel, isa, ctx);
}

bool conv2d_packed_kernel_fits(const Conv2DPackedKernel& kernel, const Conv2DParams& p) {
    if (const int m = detail::winograd_tile(p, kernel.isa)) return kernel.winograd_tile == m;
    return kernel.gemm && kernel.gemm_nr == detail::direct_microkernel(p, kernel.isa).nr;
}

void conv2d_fast_packed(const Conv2DParams& p, const float* input, const Conv2DPackedKernel& kernel,
                        const float* bias, float* out_conv, const float* bn_scale, const float* bn_shift,
                        float* out_bn, float* out_relu, const Context& ctx, const Conv2DResidual& residual) {
    if (!kernel.kernel || kernel.kernel_h != p.kernel_h || kernel.kernel_w != p.kernel_w || kernel.in_c != p.in_c ||
        kernel.filters != p.filters)
        throw std::invalid_argument("conv2d_fast_packed: the packed kernel was made for another shape (" +
                                    std::to_string(kernel.kernel_h) + "x" + std::to_string(kernel.kernel_w) + "x" +
                                    std::to_string(kernel.in_c) + "x" + std::to_string(kernel.filters) + ")");
    if (residual.shortcut && detail::winograd_applies(p)) {
        // The Winograd path has no residual epilogue: convolve as usual (into out_relu when the conv output is not
        // wanted), then join in a second pass with the same arithmetic. ResNet50's joins follow 1x1 convs, which
        // take the direct path.
        assert(out_relu);
        float* conv = out_conv ? out_conv : out_relu;
        run_packed(p, input, kernel, bias, conv, bn_scale, bn_shift, out_bn, nullptr, ctx);
        affine_add_fast(conv, bn_scale, bn_shift, residual.shortcut, residual.shortcut_scale, residual.shortcut_shift,
                        nullptr, out_relu, std::size_t(p.out_h) * std::size_t(p.out_w), std::size_t(p.filters), ctx);
        return;
    }
    run_packed(p, input, kernel, bias, out_conv, bn_scale, bn_shift, out_bn, out_relu, ctx, residual);
}

void conv2d_fast_fused_isa(const Conv2DParams& p, const float* input, const float* kernel, const float* bias,
                           float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                           float* out_relu, Isa isa, const Context& ctx) {
    const Conv2DPackedKernel packed = pack(p, kernel, isa, ctx);
    run_packed(p, input, packed, bias, out_conv, bn_scale, bn_shift, out_bn, out_relu, ctx);
}

void conv2d_fast_fused(const Conv2DParams& p, const float* input, const float* kernel, const float* bias,
                       float* out_conv, const float* bn_scale, const float* bn_shift, float* out_bn,
                       float* out_relu, const Context& ctx) {
    conv2d_fast_fused_isa(p, input, kernel, bias, out_conv, bn_scale, bn_shift, out_bn, out_relu, best_isa(), ctx);
}

void conv2d_fast(const Conv2DParams& p, const float* input, const float* kernel, const float* bias, float* output,
                 const Context& ctx) {
    conv2d_fast_fused_isa(p, input, kernel, bias, output, nullptr, nullptr, nullptr, nullptr, best_isa(), ctx);
}

}  // namespace convscope
