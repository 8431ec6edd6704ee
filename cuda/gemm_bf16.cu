// gemm_bf16.cu -- bf16 tensor-core GEMM with F32 accumulation and fused epilogues.
//
// Computes, for x [M, K] and W [N, K] (both bf16, row-major, K contiguous: a linear layer's weight as
// stored), acc = x W^T in F32 and then one epilogue of epilogue.cuh:
//   EPI_STORE     y [M, N] (bf16) = act(acc + bias)                  act: none, GELU-tanh, SiLU
//   EPI_RESIDUAL  r [M, N] (F32) += gate[row / rowsPerBatch, :] * (acc + bias)
//
// Layout assumptions (checked by dev.surf.cuda.CudaGemm, which falls back to gemm_simt.cu otherwise):
// K % 8 == 0 and x, W 16-byte aligned, so every 8-element row chunk is one 16-byte cp.async. M and N
// tails are handled here (zero-filled loads, guarded stores); a K tail inside the last BK slice is
// zero-filled too.
//
// Variant gemm_bf16_tc (sm_80 and newer): 128x128x32 block tile, 8 warps as 2 (M) x 4 (N), warp tile
// 64x32 made of m16n8k16 mma.sync tiles; operands stream global -> shared with cp.async through a
// 4-stage ring and reach registers with ldmatrix. The F32 C tile is then staged in the same shared
// memory (68 KiB dynamic in all, see gemm_bf16_tc_smem) so the epilogue writes 16-byte runs. Shared rows are
// 64 bytes; the 16-byte chunk index is XOR-swizzled with (row >> 1) & 3 so that the 8 row addresses of
// every ldmatrix phase fall in 8 different bank groups. Blocks are rasterised in groups of 8 M-tiles
// so that consecutive blocks reuse the same W panel from L2.
//
// CPU reference: dev.surf.core.cpu.CpuGemm (linear, linearResidual).
#include "epilogue.cuh"

namespace {

constexpr int BM = 128, BN = 128, BK = 32, STAGES = 4, THREADS = 256;
constexpr int WARPS_N = 4;
constexpr int WM = 64, WN = 32;
constexpr int MT = WM / 16;  // m16 tiles per warp
constexpr int NT = WN / 8;   // n8 tiles per warp
constexpr int ROW_BYTES = BK * 2;
constexpr int TILE_A = BM * ROW_BYTES;
constexpr int TILE_B = BN * ROW_BYTES;
constexpr int STAGE_BYTES = TILE_A + TILE_B;
constexpr int GROUP_M = 8;
// C tile row stride in floats: 8 floats of padding put the 8 rows of a float2 fragment store in
// distinct bank groups.
constexpr int LDC = BN + 8;
constexpr int SMEM_BYTES = STAGES * STAGE_BYTES > BM * LDC * 4 ? STAGES * STAGE_BYTES : BM * LDC * 4;

// Byte offset of 16-byte chunk c (0..3) of row r inside a tile.
__device__ __forceinline__ int swz(int r, int c) { return r * ROW_BYTES + ((c ^ ((r >> 1) & 3)) << 4); }

// Issues the cp.async copies of one BK slice of rows [r0, r0 + ROWS) of a [rows, K] matrix.
template <int ROWS>
__device__ __forceinline__ void load_slice(char* s, const __nv_bfloat16* g, long long r0, long long rows, int K, int k0,
                                           int tid) {
#pragma unroll
    for (int i = 0; i < ROWS * 4 / THREADS; i++) {
        int id = tid + i * THREADS;
        int r = id >> 2;
        int c = id & 3;
        long long gr = r0 + r;
        int gk = k0 + c * 8;
        bool ok = gr < rows && gk < K;
        const __nv_bfloat16* src = ok ? g + gr * K + gk : g;
        cp_async16(s + swz(r, c), src, ok ? 16 : 0);
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS, 2)
gemm_bf16_tc(const __nv_bfloat16* __restrict__ A, const __nv_bfloat16* __restrict__ B, int M, int N, int K,
             EpilogueParams ep) {
    extern __shared__ __align__(128) char smem[];
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int wm = warp / WARPS_N;
    const int wn = warp % WARPS_N;

    // grouped rasterisation: GROUP_M consecutive M-tiles sweep all N-tiles together
    const int tilesM = (M + BM - 1) / BM;
    const int tilesN = (N + BN - 1) / BN;
    const int pid = blockIdx.x;
    const int perGroup = GROUP_M * tilesN;
    const int firstM = (pid / perGroup) * GROUP_M;
    const int groupRows = min(tilesM - firstM, GROUP_M);
    const int tm = firstM + (pid % perGroup) % groupRows;
    const int tn = (pid % perGroup) / groupRows;
    const long long m0 = (long long)tm * BM;
    const long long n0 = (long long)tn * BN;

    float acc[MT][NT][4];
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT; j++)
#pragma unroll
            for (int q = 0; q < 4; q++) acc[i][j][q] = 0.0f;

    const int KT = (K + BK - 1) / BK;
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < KT) {
            char* st = smem + s * STAGE_BYTES;
            load_slice<BM>(st, A, m0, M, K, s * BK, tid);
            load_slice<BN>(st + TILE_A, B, n0, N, K, s * BK, tid);
        }
        cp_async_commit();
    }

    for (int kt = 0; kt < KT; kt++) {
        // slice kt has landed once at most STAGES-2 younger groups are pending; the barrier also
        // tells every warp that the slot about to be refilled (read in iteration kt-1) is free
        cp_async_wait<STAGES - 2>();
        __syncthreads();
        const int nk = kt + STAGES - 1;
        if (nk < KT) {
            char* st = smem + (nk % STAGES) * STAGE_BYTES;
            load_slice<BM>(st, A, m0, M, K, nk * BK, tid);
            load_slice<BN>(st + TILE_A, B, n0, N, K, nk * BK, tid);
        }
        cp_async_commit();

        const char* sA = smem + (kt % STAGES) * STAGE_BYTES;
        const char* sB = sA + TILE_A;
#pragma unroll
        for (int ks = 0; ks < BK / 16; ks++) {
            uint32_t a[MT][4];
            uint32_t b[NT][2];
#pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                int r = wm * WM + mt * 16 + (lane & 15);
                ldmatrix_x4(a[mt], sA + swz(r, ks * 2 + (lane >> 4)));
            }
#pragma unroll
            for (int p = 0; p < NT / 2; p++) {
                int n = wn * WN + p * 16 + ((lane >> 4) << 3) + (lane & 7);
                uint32_t t[4];
                ldmatrix_x4(t, sB + swz(n, ks * 2 + ((lane >> 3) & 1)));
                b[2 * p][0] = t[0];
                b[2 * p][1] = t[1];
                b[2 * p + 1][0] = t[2];
                b[2 * p + 1][1] = t[3];
            }
#pragma unroll
            for (int mt = 0; mt < MT; mt++)
#pragma unroll
                for (int nt = 0; nt < NT; nt++) mma_bf16_16816(acc[mt][nt], a[mt], b[nt][0], b[nt][1]);
        }
    }
    cp_async_wait<0>();
    __syncthreads();  // every warp is done with the ring before it becomes the C tile

    // accumulator (mt, nt): c0, c1 at (lane / 4, 2 (lane % 4) + {0, 1}); c2, c3 eight rows lower.
    // Staged through shared memory so that the epilogue writes whole 16-byte runs of a row.
    float* sC = reinterpret_cast<float*>(smem);
#pragma unroll
    for (int mt = 0; mt < MT; mt++) {
#pragma unroll
        for (int nt = 0; nt < NT; nt++) {
            const int r = wm * WM + mt * 16 + (lane >> 2);
            const int c = wn * WN + nt * 8 + (lane & 3) * 2;
            *reinterpret_cast<float2*>(sC + r * LDC + c) = make_float2(acc[mt][nt][0], acc[mt][nt][1]);
            *reinterpret_cast<float2*>(sC + (r + 8) * LDC + c) = make_float2(acc[mt][nt][2], acc[mt][nt][3]);
        }
    }
    __syncthreads();
    epilogue_tile(ep, sC, LDC, BM, BN, m0, n0, M, N);
}

// Dynamic shared memory bytes of gemm_bf16_tc, read by the host (cuModuleGetGlobal) before launching.
extern "C" __constant__ int gemm_bf16_tc_smem = SMEM_BYTES;
