// gemm_persistent.cu -- persistent, warp-specialised bf16 GEMM on Hopper: TMA loads, wgmma (sm_90a only).
//
// Variants (one body, two schedules, see Sched):
//   gemm_bf16_persistent  cooperative: 128 x 256 tiles, both consumer warpgroups on every tile.
//   gemm_bf16_pingpong    ping-pong: 128 x 128 tiles, the consumer warpgroups take alternate tiles, so
//                         one's epilogue overlaps the other's main loop.
// Status: both schedules pass GemmKernelTest and the DiT fixtures on an H100 (2026-11-22, fifth
// session) and are AUTO's GEMM on Hopper: ping-pong for K <= 2048, cooperative above (CudaGemm).
// Kernel alone (cuda/probe, back-to-back launches): 1.47 ms at 8192^3 (748 TFLOP/s); torch.matmul
// 1.38-1.59 ms in the same session. The per-tile epilogue is still the gap on short-K shapes (0.30 ms
// at 32760 x 1536 x 1536, 0.19 ms without any epilogue; cuda/NOTES.md).
//
// Same operation, layout assumptions and epilogues as gemm_bf16.cu / gemm_wgmma.cu: acc = x W^T with
// x [M, K] and W [N, K] bf16 (K contiguous, K % 8 == 0, 16-byte aligned), F32 accumulation, then
// EPI_STORE (y = act(acc + bias)) or EPI_RESIDUAL (r += gate * (acc + bias), F32) of epilogue.cuh.
//
// What differs from gemm_wgmma.cu, and why (that kernel reaches 58 % of cuBLAS at 8192^3; see
// cuda/NOTES.md):
//   * TMA instead of cp.async. x and W reach shared memory through 2-d tensor maps (box 64 x 128 for x,
//     64 x BN for W, 128-byte swizzle: the layout the wgmma descriptors read). One producer thread
//     issues them, so no consumer thread spends issue slots on copies. Tails (M, N, K) arrive
//     zero-filled.
//   * Warp specialisation with mbarriers instead of a block-wide __syncthreads per K slice.
//     - Warpgroup 0 is the producer (24 registers); warpgroups 1 and 2 are consumers (240 registers).
//     - A 192 KiB ring with full barriers (transaction count) and empty barriers (one arrival per
//       reading warp) lets the producer run a whole ring ahead.
//     - One wgmma group stays in flight while the next one is issued.
//   * Persistent. gridDim.x = the SM count, and block i takes tiles i, i + grid, ... in grouped order
//     (8 M-tiles sweep the N-tiles, for L2 reuse of W).
//     - The producer crosses tile boundaries without a pause, so the next tile's first slices land
//       while the consumers run the epilogue: the pipeline fill is paid once per block.
//     - In the cooperative schedule the epilogue itself is exposed. Ping-pong hides it, at the price
//       of 128-wide tiles (a third more operand traffic per FLOP).
//   * The epilogue (drain_accumulators) goes through a 16 KiB staging buffer per consumer warpgroup,
//     64 columns at a time, in a loop that is not unrolled. The first version wrote every
//     accumulator pair from registers in fully unrolled code: 290 KB of SASS, now 47-51 KB. The H100
//     timings of that version fit a 611 TFLOP/s main loop plus 60-120 us per tile, which is what cold
//     instruction fetch over that much straight-line code would cost. The residual mode prefetches
//     its F32 block into L2 first.
//   * The bias columns of a tile reach shared memory by cp.async at the tile's start (copy_bias_columns)
//     and are read there by the drain, with one dtype test per run (bias_run8). Global loads in the
//     epilogue wait microseconds under the main loop's TMA traffic (cuda/probe measured it).
// Shared memory: the 192 KiB ring (4 x 48 KiB cooperative, 6 x 32 KiB ping-pong) + 2 x 16 KiB staging
// + 1 KiB bias columns + barriers + 1 KiB alignment (gemm_bf16_persistent_smem, both kernels).
//
// CPU reference: dev.surf.core.cpu.CpuGemm.
#include "epilogue.cuh"
#include "hopper.cuh"

struct GemmTmaParams {
    TensorMap a;        // x [M, K]: dims (K, M), box (64, 128), 128-byte swizzle
    TensorMap b;        // W [N, K]: dims (K, N), box (64, BN): 256 rows (cooperative) or 128 (ping-pong)
    EpilogueParams ep;
    int M, N, K;
};
// the Java side (CudaGemm) packs this layout and checks the same size
static_assert(sizeof(GemmTmaParams) == 384, "GemmTmaParams layout changed: update the Java packer");

namespace {

constexpr int BM = 128, BK = 64, THREADS = 384;
constexpr int ROWB = BK * 2;  // one 128-byte swizzled row per tile row and K slice
constexpr int TILE_A = BM * ROWB;
constexpr int RING_BYTES = 192 * 1024;  // the operand ring of both schedules
constexpr int MAX_STAGES = 6;
constexpr int GROUP_M = 8;
constexpr int PRODUCER_REGS = 24, CONSUMER_REGS = 240;
constexpr int CHUNK = 64;                   // output columns a consumer warpgroup stages at a time
constexpr int STAGE_C_FLOATS = 64 * CHUNK;  // its staging buffer: 64 rows x CHUNK columns, F32 (16 KiB)
constexpr int BIAS_BYTES = 1024;            // a tile's bias columns: 256 F32 (cooperative) or 2 x 128 (ping-pong)
constexpr int SMEM_BYTES = 1024 + RING_BYTES + 2 * STAGE_C_FLOATS * 4 + BIAS_BYTES + 16 * MAX_STAGES;
constexpr int TURN_BAR = 3;  // ping-pong: named barrier 3 + cw starts consumer warpgroup cw's turn (1, 2: drains)
constexpr int BIAS_BAR = 3;  // cooperative: named barrier 3 joins both consumer warpgroups around the bias buffer
static_assert(SMEM_BYTES <= 227 * 1024, "more shared memory than a Hopper block may have");

// The two schedules. Cooperative: 128 x 256 tiles, both consumer warpgroups on every tile (64 rows
// each, wgmma m64n256k16), 4 stages of 48 KiB, a slot released by 8 warps. Ping-pong: 128 x 128 tiles,
// each consumer warpgroup on every other tile of the block (all 128 rows, two wgmma m64n128k16 per k16
// step), 6 stages of 32 KiB, a slot released by the 4 warps of the warpgroup that read it.
template <bool PINGPONG>
struct Sched {
    static constexpr int BN = PINGPONG ? 128 : 256;
    static constexpr int TILE_B = BN * ROWB;
    static constexpr int STAGE_BYTES = TILE_A + TILE_B;
    static constexpr int STAGES = RING_BYTES / STAGE_BYTES;
    static constexpr int SLOT_READERS = PINGPONG ? 4 : 8;
    static_assert(TILE_A % 1024 == 0 && STAGE_BYTES % 1024 == 0, "swizzle atoms must stay 1024-byte aligned");
    static_assert(STAGES * STAGE_BYTES == RING_BYTES && STAGES <= MAX_STAGES, "the ring is whole stages");
};

// Tile t of the grouped order: GROUP_M consecutive M-tiles sweep all N-tiles together.
template <int BN>
__device__ __forceinline__ void tile_origin(int t, int tilesM, int tilesN, int& m0, int& n0) {
    const int perGroup = GROUP_M * tilesN;
    const int firstM = (t / perGroup) * GROUP_M;
    const int groupRows = min(tilesM - firstM, GROUP_M);
    m0 = (firstM + (t % perGroup) % groupRows) * BM;
    n0 = ((t % perGroup) / groupRows) * BN;
}

// Float offset of (r, c) in a staging buffer: 16-byte column group g of row r is stored at g ^ 2 (r % 8).
// With it the accumulator writes (per half-warp 4 rows x 4 column pairs) hit 32 distinct banks, and so
// do the run reads, given that the threads with runs 4..7 of a row read their second half first
// (cuda/emulate/emu_drain.py counts both).
__device__ __forceinline__ int stage_off(int r, int c) { return r * CHUNK + (((c >> 2) ^ ((r & 7) << 1)) << 2) + (c & 3); }

// L2 prefetches of the F32 residual block [r0, r0 + ROWS) x [n0, n0 + COLS) that this warpgroup's
// epilogue will read and write (t: the thread's index in its warpgroup), issued before the tile's main
// loop: the epilogue's loads then wait for L2, not for DRAM, one chunk after another.
template <int ROWS, int COLS>
__device__ __forceinline__ void prefetch_residual(const GemmTmaParams& p, int r0, int n0, int t) {
    constexpr int LINES_PER_ROW = COLS / 32;  // 128-byte lines
    const float* r = static_cast<const float*>(p.ep.out);
#pragma unroll
    for (int i = 0; i < ROWS * LINES_PER_ROW / 128; i++) {
        const int id = t + 128 * i;
        const int row = r0 + id / LINES_PER_ROW;
        const int col = n0 + (id % LINES_PER_ROW) * 32;
        if (row < p.M && col < p.N) {
            asm volatile("prefetch.global.L2 [%0];\n" ::"l"(r + (size_t)row * p.N + col));
        }
    }
}

// Copies the bias of columns n0 .. n0 + BN - 1 (raw, in its dtype of 2 or 4 bytes, 4-byte aligned in
// global memory) to `dst` with cp.async, 4 bytes per thread and step (thread `tid` of `threads`); bytes
// past column N - 1 are zero-filled, not read. Issued at a tile's start, waited for before its drain.
// Why not plain loads in the epilogue: under the main loop's TMA traffic a global load takes several
// microseconds, and the loads before each chunk (even one chunk ahead) cost 0.1 ms of 0.33 at
// 32760 x 1536 x 1536 (H100, 2026-11-22; cuda/probe); loaded as accumulator start values at the tile's
// start they cost as much, exposed before the first wgmma.
__device__ __forceinline__ void copy_bias_columns(const EpilogueParams& e, int n0, int bn, int N, char* dst, int tid,
                                                  int threads) {
    const int es = e.biasDt == DT_F32 ? 4 : 2;
    const long long valid = (long long)min(N - n0, bn) * es;
    const char* src = static_cast<const char*>(e.bias) + (size_t)n0 * es;
    for (int u = tid; u < bn * es / 4; u += threads) {
        const int bytes = (int)max(0LL, min(4LL, valid - 4LL * u));
        cp_async4(dst + 4 * u, bytes > 0 ? src + 4 * u : src, bytes);
    }
    cp_async_commit();
}

// The 8 bias values of columns lc .. lc + 7 (from n0) of a copy_bias_columns buffer, as F32: one
// dtype test and 16-byte reads (lc is a multiple of 8), not a load_dt switch per element.
__device__ __forceinline__ void bias_run8(const char* bias, int dt, int lc, float (&b)[8]) {
    if (dt == DT_F32) {
        const float4 x = *reinterpret_cast<const float4*>(bias + 4 * lc);
        const float4 y = *reinterpret_cast<const float4*>(bias + 4 * lc + 16);
        b[0] = x.x, b[1] = x.y, b[2] = x.z, b[3] = x.w, b[4] = y.x, b[5] = y.y, b[6] = y.z, b[7] = y.w;
        return;
    }
    const uint4 h = *reinterpret_cast<const uint4*>(bias + 2 * lc);
    const uint32_t w[4] = {h.x, h.y, h.z, h.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        if (dt == DT_BF16) {
            b[2 * i] = bf16_bits_to_float((uint16_t)(w[i] & 0xFFFF));
            b[2 * i + 1] = bf16_bits_to_float((uint16_t)(w[i] >> 16));
        } else {  // DT_F16
            b[2 * i] = __half2float(__ushort_as_half((unsigned short)(w[i] & 0xFFFF)));
            b[2 * i + 1] = __half2float(__ushort_as_half((unsigned short)(w[i] >> 16)));
        }
    }
}

// The epilogue of one consumer warpgroup's 64 x (2 NREG) accumulators (the D fragment of a wgmma
// m64n(2 NREG)k16; output rows r0.., columns n0..), CHUNK columns at a time through its staging buffer
// `stg` (warpgroup barrier `bar`, t: the thread's index in its warpgroup): the accumulator fragments
// go to shared memory, then runs of 8 columns of one row come back for epilogue_run8, 8 consecutive
// threads per row (128 contiguous bytes of a bf16 output), with 16-byte accesses.
// Why the chunk loop is not unrolled (the next chunk's 32 registers are moved down into d[0..31]
// instead): the fully unrolled epilogue from registers made this kernel 290 KB of SASS, run once per
// tile from cold instruction caches; fitting the H100 timings of 2026-11-22 (four shapes, two
// unknowns) gave a 611 TFLOP/s main loop and 60-120 us per tile outside it.
template <int NREG>
__device__ __forceinline__ void drain_accumulators(const GemmTmaParams& p, float (&d)[NREG], float* stg, const char* bias,
                                                   int r0, int n0,
                                                   int warp, int lane, int t, int bar) {
    const int wr = (warp & 3) * 16 + (lane >> 2);  // this thread's first accumulator row
    // the global operands: the gate, and the bias unless its columns are in shared memory (`bias`)
    EpilogueParams ep = p.ep;
    if (bias != nullptr) ep.bias = nullptr;
    // Whether all 64 rows share one gate row (always without a gate): then a chunk's global operands
    // are loaded once per thread, since every run a thread takes in a chunk has the same 8 columns.
    // (Loading them one chunk ahead measured no faster on the H100.)
    const bool oneBatch = ep.gate == nullptr || r0 / ep.rowsPerBatch == (r0 + 63) / ep.rowsPerBatch;
#pragma unroll 1
    for (int c = 0; c < 2 * NREG; c += CHUNK) {
        Run8Operands ops;  // issued before the staging writes, so their latency overlaps them
        if (oneBatch) load_run8_operands(ep, r0, n0 + c + (t & 7) * 8, p.N, ops);
        if (bias != nullptr) bias_run8(bias, p.ep.biasDt, c + (t & 7) * 8, ops.bias);
        // accumulator register 4j + e: row wr + 8 (e / 2), column 8j + 2 (lane % 4) + e % 2 of the chunk
#pragma unroll
        for (int j = 0; j < CHUNK / 8; j++) {
            const int col = j * 8 + (lane & 3) * 2;
            *reinterpret_cast<float2*>(stg + stage_off(wr, col)) = make_float2(d[4 * j], d[4 * j + 1]);
            *reinterpret_cast<float2*>(stg + stage_off(wr + 8, col)) = make_float2(d[4 * j + 2], d[4 * j + 3]);
        }
        named_sync(bar, 128);
#pragma unroll 1
        for (int id = t; id < 64 * (CHUNK / 8); id += 128) {
            const int r = id >> 3;
            const int c8 = (id & 7) * 8;
            const long long row = (long long)r0 + r;
            const int col = n0 + c + c8;
            if (row < p.M && col < p.N) {
                if (!oneBatch) load_run8_operands(ep, row, col, p.N, ops);
                const int h = (id & 4) ? 4 : 0;  // which half of the run is read first
                const float4 a = *reinterpret_cast<const float4*>(stg + stage_off(r, c8 + h));
                const float4 b = *reinterpret_cast<const float4*>(stg + stage_off(r, c8 + 4 - h));
                const float4 lo = h ? b : a, hi = h ? a : b;
                const float acc[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
                epilogue_run8_with(p.ep, row, col, p.N, acc, ops);
            }
        }
        named_sync(bar, 128);  // the buffer is read before the next chunk overwrites it
#pragma unroll
        for (int i = 0; i < NREG - 32; i++) d[i] = d[i + 32];
    }
}

// The producer thread: every K slice of every tile of this block, in order, into ring slot it % STAGES
// (pass it / STAGES), each slot refilled once its readers have released it.
template <bool PP>
__device__ __forceinline__ void produce(const GemmTmaParams& p, char* smem, uint64_t* full, uint64_t* empty, int tiles,
                                        int tilesM, int tilesN, int KT) {
    using S = Sched<PP>;
    tma_prefetch_map(&p.a);
    tma_prefetch_map(&p.b);
    int it = 0;
#pragma unroll 1
    for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
        int m0, n0;
        tile_origin<S::BN>(t, tilesM, tilesN, m0, n0);
#pragma unroll 1
        for (int kt = 0; kt < KT; kt++, it++) {
            const int st = it % S::STAGES;
            mbar_wait(empty + st, ((it / S::STAGES) & 1) ^ 1);
            mbar_arrive_expect_tx(full + st, S::STAGE_BYTES);
            char* dst = smem + st * S::STAGE_BYTES;
            tma_load_2d(dst, &p.a, full + st, kt * BK, m0);
            tma_load_2d(dst + TILE_A, &p.b, full + st, kt * BK, n0);
        }
    }
}

// Consumer side of the ring: wait until slice `it` has landed; release slice `it` (its wgmma group has
// retired), one arrival per warp.
template <bool PP>
__device__ __forceinline__ uint32_t await_slice(uint64_t* full, uint32_t ring, int it) {
    using S = Sched<PP>;
    const int st = it % S::STAGES;
    mbar_wait_warp(full + st, (it / S::STAGES) & 1);
    return ring + st * S::STAGE_BYTES;
}

template <bool PP>
__device__ __forceinline__ void release_slice(uint64_t* empty, int it, int lane) {
    __syncwarp();
    if (lane == 0) mbar_arrive(empty + it % Sched<PP>::STAGES);
}

// Cooperative consumer warpgroup cw: rows 64 cw .. 64 cw + 63 of every tile of the block.
__device__ __forceinline__ void consume_cooperative(const GemmTmaParams& p, uint32_t ring, float* stg, char* bias, uint64_t* full,
                                                    uint64_t* empty, int tiles, int tilesM, int tilesN, int KT, int cw,
                                                    int warp, int lane, int t) {
    using S = Sched<false>;
    float d[128];
#pragma unroll
    for (int i = 0; i < 128; i++) d[i] = 0.0f;
    int it = 0;
#pragma unroll 1
    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        int m0, n0;
        tile_origin<S::BN>(tile, tilesM, tilesN, m0, n0);
        // the tile's bias columns into shared memory, once both warpgroups have drained the last tile
        if (bias != nullptr) {
            named_sync(BIAS_BAR, 2 * 128);
            copy_bias_columns(p.ep, n0, S::BN, p.N, bias, cw * 128 + t, 2 * 128);
        }
        if (p.ep.mode == EPI_RESIDUAL) prefetch_residual<64, S::BN>(p, m0 + cw * 64, n0, t);
#pragma unroll 1
        for (int kt = 0; kt < KT; kt++, it++) {
            const uint32_t sa = await_slice<false>(full, ring, it) + cw * 64 * ROWB;
            const uint32_t sb = sa - cw * 64 * ROWB + TILE_A;
            wgmma_fence();
#pragma unroll
            for (int k = 0; k < BK / 16; k++) {
                // the first k16 step of a tile overwrites the previous tile's accumulators
                wgmma_ss_m64n256k16(d, sw128_desc(sa + 32 * k, 16, 1024), sw128_desc(sb + 32 * k, 16, 1024),
                                    (kt > 0 || k > 0) ? 1 : 0);
            }
            wgmma_commit();
            wgmma_wait<1>();  // the previous slice's group has retired: its slot may be refilled
            fence_regs(d);
            if (kt > 0) release_slice<false>(empty, it - 1, lane);
        }
        wgmma_wait<0>();
        fence_regs(d);
        release_slice<false>(empty, it - 1, lane);
        if (bias != nullptr) {
            cp_async_wait<0>();
            named_sync(BIAS_BAR, 2 * 128);  // both warpgroups' copies have landed
        }
        drain_accumulators(p, d, stg, bias, m0 + cw * 64, n0, warp, lane, t, 1 + cw);
    }
}

// Ping-pong consumer warpgroup cw: all 128 rows of the block's tiles cw, cw + 2, ... (in the block's
// order), so one warpgroup's epilogue runs while the other's wgmmas keep the tensor cores busy.
// The turns are needed for correctness, not only for order. A warpgroup skips the other's slices, and
// a parity wait cannot tell a phase from the one two phases later. So warpgroup cw waits on the
// slices of its tile `local` only after the other warpgroup has passed every wait of tile local - 1
// (named barriers TURN_BAR + cw, 2 x 128 threads, the arrivals balanced so that none is left pending
// at exit). Then every stage is at most one phase behind the slice waited for.
// cuda/emulate/emu_persistent.py shows reads of never-loaded stages without the turns.
__device__ __forceinline__ void consume_pingpong(const GemmTmaParams& p, uint32_t ring, float* stg, char* bias, uint64_t* full,
                                                 uint64_t* empty, int tiles, int tilesM, int tilesN, int KT, int cw,
                                                 int warp, int lane, int t) {
    using S = Sched<true>;
    float d0[64], d1[64];  // rows 0..63 and 64..127 of the tile
#pragma unroll
    for (int i = 0; i < 64; i++) d0[i] = d1[i] = 0.0f;
    int local = cw;  // the tile's index in this block's sequence: its first slice is slice local * KT
#pragma unroll 1
    for (int tile = blockIdx.x + cw * gridDim.x; tile < tiles; tile += 2 * gridDim.x, local += 2) {
        int m0, n0;
        tile_origin<S::BN>(tile, tilesM, tilesN, m0, n0);
        // this warpgroup's last drain has read its bias columns (it ended on a warpgroup barrier)
        if (bias != nullptr) copy_bias_columns(p.ep, n0, S::BN, p.N, bias, t, 128);
        if (p.ep.mode == EPI_RESIDUAL) prefetch_residual<128, S::BN>(p, m0, n0, t);
        if (local > 0) named_sync(TURN_BAR + cw, 2 * 128);
        int it = local * KT;
#pragma unroll 1
        for (int kt = 0; kt < KT; kt++, it++) {
            const uint32_t sa = await_slice<true>(full, ring, it);
            const uint32_t sb = sa + TILE_A;
            wgmma_fence();
#pragma unroll
            for (int k = 0; k < BK / 16; k++) {
                const uint64_t db = sw128_desc(sb + 32 * k, 16, 1024);
                const int acc = (kt > 0 || k > 0) ? 1 : 0;
                wgmma_ss_m64n128k16(d0, sw128_desc(sa + 32 * k, 16, 1024), db, acc);
                wgmma_ss_m64n128k16(d1, sw128_desc(sa + 64 * ROWB + 32 * k, 16, 1024), db, acc);
            }
            wgmma_commit();
            wgmma_wait<1>();
            fence_regs(d0);
            fence_regs(d1);
            if (kt > 0) release_slice<true>(empty, it - 1, lane);
        }
        if (tile + gridDim.x < tiles) named_arrive(TURN_BAR + (1 - cw), 2 * 128);  // the block has a tile local + 1
        wgmma_wait<0>();
        fence_regs(d0);
        fence_regs(d1);
        release_slice<true>(empty, it - 1, lane);
        if (bias != nullptr) {
            cp_async_wait<0>();
            named_sync(1 + cw, 128);  // the warpgroup's copies have landed
        }
        // one copy of the epilogue code for both row halves (see drain_accumulators): d1 moves into d0
#pragma unroll 1
        for (int half = 0; half < 2; half++) {
            drain_accumulators(p, d0, stg, bias, m0 + 64 * half, n0, warp, lane, t, 1 + cw);
#pragma unroll
            for (int i = 0; i < 64; i++) d0[i] = d1[i];
        }
    }
}

template <bool PP>
__device__ __forceinline__ void persistent_gemm(const GemmTmaParams& p, char* smemRaw) {
    using S = Sched<PP>;
    char* smem = smemRaw + ((1024 - (smem_u32(smemRaw) & 1023)) & 1023);
    float* stage = reinterpret_cast<float*>(smem + RING_BYTES);  // the consumers' C staging buffers
    char* biasCols = smem + RING_BYTES + 2 * STAGE_C_FLOATS * 4;  // BIAS_BYTES
    uint64_t* full = reinterpret_cast<uint64_t*>(biasCols + BIAS_BYTES);
    uint64_t* empty = full + S::STAGES;

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int wg = warp >> 2;
    const int tilesM = (p.M + BM - 1) / BM;
    const int tilesN = (p.N + S::BN - 1) / S::BN;
    const int tiles = tilesM * tilesN;
    const int KT = (p.K + BK - 1) / BK;

    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < S::STAGES; s++) {
            mbar_init(full + s, 1);  // the producer's arrive.expect_tx; TMA completes the bytes
            mbar_init(empty + s, S::SLOT_READERS);
        }
        mbar_fence_init();
    }
    __syncthreads();

    if (wg == 0) {
        regs_dealloc<PRODUCER_REGS>();
        if (warp == 0 && lane == 0) produce<PP>(p, smem, full, empty, tiles, tilesM, tilesN, KT);
        return;
    }
    regs_alloc<CONSUMER_REGS>();
    const int cw = wg - 1;
    float* stg = stage + cw * STAGE_C_FLOATS;
    // the tiles' bias columns go through shared memory (cooperative: one buffer for both warpgroups,
    // ping-pong: a half each) where cp.async can take them: 4-byte aligned, at most 4-byte elements
    const bool biasAsync = p.ep.bias != nullptr && (reinterpret_cast<uintptr_t>(p.ep.bias) & 3) == 0
                           && (p.ep.biasDt == DT_F32 || p.ep.biasDt == DT_BF16 || p.ep.biasDt == DT_F16);
    char* bias = biasAsync ? biasCols + (PP ? cw * (BIAS_BYTES / 2) : 0) : nullptr;
    if (PP) {
        consume_pingpong(p, smem_u32(smem), stg, bias, full, empty, tiles, tilesM, tilesN, KT, cw, warp, lane, tid & 127);
    } else {
        consume_cooperative(p, smem_u32(smem), stg, bias, full, empty, tiles, tilesM, tilesN, KT, cw, warp, lane, tid & 127);
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS, 1) gemm_bf16_persistent(const __grid_constant__ GemmTmaParams p) {
    extern __shared__ char smemRaw[];
    persistent_gemm<false>(p, smemRaw);
}

extern "C" __global__ void __launch_bounds__(THREADS, 1) gemm_bf16_pingpong(const __grid_constant__ GemmTmaParams p) {
    extern __shared__ char smemRaw[];
    persistent_gemm<true>(p, smemRaw);
}

// Dynamic shared memory bytes of both kernels (read by the host with cuModuleGetGlobal).
extern "C" __constant__ int gemm_bf16_persistent_smem = SMEM_BYTES;
