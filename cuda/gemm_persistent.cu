// gemm_persistent.cu -- persistent, warp-specialised bf16 GEMM on Hopper: TMA loads, wgmma (sm_90a only).
// The version with the epilogue from registers was verified against the CPU on an H100 (GemmKernelTest,
// 2026-11-22) but slower there than gemm_wgmma.cu at every measured shape. The staged epilogue below
// (written 2026-11-22, fourth session, without a GPU) has not run on a device yet; until it has, the
// host uses this kernel only with -Dsurf.cuda.gemmPersistent=true on compute capability 9.0, or when a
// test forces it.
//
// Same operation, layout assumptions and epilogues as gemm_bf16.cu / gemm_wgmma.cu: acc = x W^T with
// x [M, K] and W [N, K] bf16 (K contiguous, K % 8 == 0, 16-byte aligned), F32 accumulation, then
// EPI_STORE (y = act(acc + bias)) or EPI_RESIDUAL (r += gate * (acc + bias), F32) of epilogue.cuh.
//
// What differs from gemm_wgmma.cu, and why (that kernel reaches 59 % of cuBLAS at 8192^3 and 43 % on
// the DiT's 32760 x 1536 x 1536; see cuda/NOTES.md for the analysis):
//   * TMA instead of cp.async: x and W reach shared memory through 2-d tensor maps (box 64 x 128 for x,
//     64 x 256 for W, 128-byte swizzle: the layout the wgmma descriptors read); one producer thread
//     issues them, so no consumer thread spends issue slots on 12 copies and their addresses per slice,
//     and tails (M, N, K) arrive zero-filled.
//   * warp specialisation with mbarriers instead of a block-wide __syncthreads per K slice: warpgroup 0
//     is the producer (24 registers), warpgroups 1 and 2 are consumers (240 registers), each issuing
//     wgmma m64n256k16 for 64 of the tile's 128 rows. A 4-stage ring with full (transaction-count) and
//     empty (8 consumer warps) barriers lets the producer run up to 4 slices ahead (the old kernel:
//     2), with one wgmma group kept in flight while the next one is issued.
//   * persistent: gridDim.x = the SM count; block i takes tiles i, i + grid, ... in grouped order
//     (8 M-tiles sweep the N-tiles, for L2 reuse of W). The producer crosses tile boundaries without a
//     pause, so the next tile's first slices land while the consumers run the epilogue: the pipeline
//     fill (a DRAM round trip per tile in the old kernel) is paid once per block, not once per tile.
//     This matters for K = 1536 (24 slices per tile). The epilogue itself is still exposed (both
//     consumer warpgroups work on the same tile); a ping-pong schedule would hide it too (next step).
//   * the epilogue (drain_accumulators) goes through a 16 KiB staging buffer per consumer warpgroup, 64
//     columns at a time, in a loop that is not unrolled: the first version wrote every accumulator pair
//     from registers in fully unrolled code (290 KB of SASS, now 47 KB), and the H100 timings fit a
//     611 TFLOP/s main loop plus 60-120 us per tile, which is what cold instruction fetch over that
//     much straight-line code would cost. The residual mode prefetches its F32 block into L2 first.
// Tile 128 x 256 x 64; shared memory 4 x 48 KiB ring + 2 x 16 KiB staging + barriers + 1 KiB alignment
// (gemm_bf16_persistent_smem).
//
// CPU reference: dev.surf.core.cpu.CpuGemm.
#include "epilogue.cuh"
#include "hopper.cuh"

struct GemmTmaParams {
    TensorMap a;        // x [M, K]: dims (K, M), box (64, 128), 128-byte swizzle
    TensorMap b;        // W [N, K]: dims (K, N), box (64, 256), 128-byte swizzle
    EpilogueParams ep;
    int M, N, K;
};
// the Java side (CudaGemm) packs this layout and checks the same size
static_assert(sizeof(GemmTmaParams) == 384, "GemmTmaParams layout changed: update the Java packer");

namespace {

constexpr int BM = 128, BN = 256, BK = 64, STAGES = 4, THREADS = 384;
constexpr int ROWB = BK * 2;  // one 128-byte swizzled row per tile row and K slice
constexpr int TILE_A = BM * ROWB;
constexpr int TILE_B = BN * ROWB;
constexpr int STAGE_BYTES = TILE_A + TILE_B;
constexpr int CONSUMER_WARPS = 8;
constexpr int GROUP_M = 8;
constexpr int PRODUCER_REGS = 24, CONSUMER_REGS = 240;
constexpr int CHUNK = 64;                   // output columns a consumer warpgroup stages at a time
constexpr int STAGE_C_FLOATS = 64 * CHUNK;  // its staging buffer: 64 rows x CHUNK columns, F32 (16 KiB)
constexpr int SMEM_BYTES = 1024 + STAGES * STAGE_BYTES + 2 * STAGE_C_FLOATS * 4 + 16 * STAGES;
static_assert(SMEM_BYTES <= 227 * 1024, "more shared memory than a Hopper block may have");

static_assert(TILE_A % 1024 == 0 && STAGE_BYTES % 1024 == 0, "swizzle atoms must stay 1024-byte aligned");

// Tile t of the grouped order: GROUP_M consecutive M-tiles sweep all N-tiles together.
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

// L2 prefetches of the F32 residual block [r0, r0 + 64) x [n0, n0 + BN) that this warpgroup's epilogue
// will read and write (t: the thread's index in its warpgroup), issued before the tile's main loop: the
// epilogue's loads then wait for L2, not for DRAM, one chunk after another.
__device__ __forceinline__ void prefetch_residual(const GemmTmaParams& p, int r0, int n0, int t) {
    const float* r = static_cast<const float*>(p.ep.out);
#pragma unroll
    for (int i = 0; i < 64 * (BN / 32) / 128; i++) {  // 128-byte lines, 8 per row
        const int id = t + 128 * i;
        const int row = r0 + (id >> 3);
        const int col = n0 + (id & 7) * 32;
        if (row < p.M && col < p.N) {
            asm volatile("prefetch.global.L2 [%0];\n" ::"l"(r + (size_t)row * p.N + col));
        }
    }
}

// The epilogue of one consumer warpgroup's 64 x BN accumulators (output rows r0.., columns n0..), CHUNK
// columns at a time through its staging buffer `stg` (warpgroup barrier `bar`, t: the thread's index
// in its warpgroup): the accumulator fragments go to shared memory, then runs of 8 columns of one row
// come back for epilogue_run8, 8 consecutive threads per row (128 contiguous bytes of a bf16 output),
// with 16-byte accesses.
// Why the chunk loop is not unrolled (the next chunk's 32 registers are moved down into d[0..31]
// instead): the fully unrolled epilogue from registers made this kernel 290 KB of SASS, run once per
// tile from cold instruction caches; fitting the H100 timings of 2026-11-22 (four shapes, two
// unknowns) gave a 611 TFLOP/s main loop and 60-120 us per tile outside it.
__device__ __forceinline__ void drain_accumulators(const GemmTmaParams& p, float (&d)[128], float* stg, int r0, int n0,
                                                   int warp, int lane, int t, int bar) {
    const int wr = (warp & 3) * 16 + (lane >> 2);  // this thread's first accumulator row
#pragma unroll 1
    for (int c = 0; c < BN; c += CHUNK) {
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
                const int h = (id & 4) ? 4 : 0;  // which half of the run is read first
                const float4 a = *reinterpret_cast<const float4*>(stg + stage_off(r, c8 + h));
                const float4 b = *reinterpret_cast<const float4*>(stg + stage_off(r, c8 + 4 - h));
                const float4 lo = h ? b : a, hi = h ? a : b;
                const float acc[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
                epilogue_run8(p.ep, row, col, p.N, acc);
            }
        }
        named_sync(bar, 128);  // the buffer is read before the next chunk overwrites it
#pragma unroll
        for (int i = 0; i < 128 - 32; i++) d[i] = d[i + 32];
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS, 1) gemm_bf16_persistent(const __grid_constant__ GemmTmaParams p) {
    extern __shared__ char smemRaw[];
    char* smem = smemRaw + ((1024 - (smem_u32(smemRaw) & 1023)) & 1023);
    float* stage = reinterpret_cast<float*>(smem + STAGES * STAGE_BYTES);  // the consumers' C staging buffers
    uint64_t* full = reinterpret_cast<uint64_t*>(smem + STAGES * STAGE_BYTES + 2 * STAGE_C_FLOATS * 4);
    uint64_t* empty = full + STAGES;

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int wg = warp >> 2;
    const int tilesM = (p.M + BM - 1) / BM;
    const int tilesN = (p.N + BN - 1) / BN;
    const int tiles = tilesM * tilesN;
    const int KT = (p.K + BK - 1) / BK;

    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < STAGES; s++) {
            mbar_init(full + s, 1);  // the producer's arrive.expect_tx; TMA completes the bytes
            mbar_init(empty + s, CONSUMER_WARPS);
        }
        mbar_fence_init();
    }
    __syncthreads();

    if (wg == 0) {
        regs_dealloc<PRODUCER_REGS>();
        if (warp == 0 && lane == 0) {
            tma_prefetch_map(&p.a);
            tma_prefetch_map(&p.b);
            int it = 0;  // slices loaded so far: ring slot it % STAGES, pass it / STAGES
#pragma unroll 1
            for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
                int m0, n0;
                tile_origin(t, tilesM, tilesN, m0, n0);
#pragma unroll 1
                for (int kt = 0; kt < KT; kt++, it++) {
                    const int st = it % STAGES;
                    mbar_wait(empty + st, ((it / STAGES) & 1) ^ 1);
                    mbar_arrive_expect_tx(full + st, STAGE_BYTES);
                    char* dst = smem + st * STAGE_BYTES;
                    tma_load_2d(dst, &p.a, full + st, kt * BK, m0);
                    tma_load_2d(dst + TILE_A, &p.b, full + st, kt * BK, n0);
                }
            }
        }
    } else {
        regs_alloc<CONSUMER_REGS>();
        const int cw = wg - 1;  // this warpgroup's 64 rows of the tile
        const uint32_t ring = smem_u32(smem);
        float d[128];
#pragma unroll
        for (int i = 0; i < 128; i++) d[i] = 0.0f;
        int it = 0;
#pragma unroll 1
        for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
            int m0, n0;
            tile_origin(t, tilesM, tilesN, m0, n0);
            if (p.ep.mode == EPI_RESIDUAL) prefetch_residual(p, m0 + cw * 64, n0, tid & 127);
#pragma unroll 1
            for (int kt = 0; kt < KT; kt++, it++) {
                const int st = it % STAGES;
                mbar_wait_warp(full + st, (it / STAGES) & 1);
                const uint32_t sa = ring + st * STAGE_BYTES + cw * 64 * ROWB;
                const uint32_t sb = ring + st * STAGE_BYTES + TILE_A;
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
                if (kt > 0) {
                    __syncwarp();
                    if (lane == 0) mbar_arrive(empty + (it - 1) % STAGES);
                }
            }
            wgmma_wait<0>();
            fence_regs(d);
            __syncwarp();
            if (lane == 0) mbar_arrive(empty + (it - 1) % STAGES);

            drain_accumulators(p, d, stage + cw * STAGE_C_FLOATS, m0 + cw * 64, n0, warp, lane, tid & 127, 1 + cw);
        }
    }
}

// Dynamic shared memory bytes of gemm_bf16_persistent (read by the host with cuModuleGetGlobal).
extern "C" __constant__ int gemm_bf16_persistent_smem = SMEM_BYTES;
