// gemm_simt.cu -- F32 CUDA-core GEMM for the full-precision paths (time embedding, head, F32 models)
// and for every dtype mix the tensor-core kernel does not take.
//
// Computes acc = x W^T with x [M, K] and W [N, K] (row-major, K contiguous) of run-time dtypes
// (F32, BF16, F16, each converted exactly to F32), F32 fused multiply-adds, then one epilogue of
// epilogue.cuh (bias, activation, or the gated residual add into an F32 stream).
//
// Variants:
//   gemm_simt  64x64 block tile, BK = 16, 256 threads each owning a 4x4 strided sub-tile; operands are
//              staged transposed in shared memory ([k][row]) so the inner loop reads broadcasts and
//              consecutive words. Any M, N, K (tails zero-filled).
//   gemv_simt  M <= 8 (one timestep embedding, a batch of modulation vectors): one warp per output
//              column streams its W row once with coalesced loads and keeps the M partial sums in
//              registers; the warp sum order is fixed, so results are deterministic.
//
// CPU reference: dev.surf.core.cpu.CpuGemm. The summation order differs from the CPU's sequential
// loop, so results agree to rounding (relative error ~1e-6 for K in the thousands), not bit for bit.
#include "epilogue.cuh"

namespace {
constexpr int TM = 64, TN = 64, TK = 16, THREADS = 256;
constexpr int GEMV_MAX_M = 8;
}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS)
gemm_simt(const void* __restrict__ A, int aDt, const void* __restrict__ B, int bDt, int M, int N, int K,
          EpilogueParams ep) {
    // the operand tiles, then (after the K loop) the C tile for the epilogue
    __shared__ __align__(16) float buf[TM * (TN + 4)];
    float (*sA)[TM + 4] = reinterpret_cast<float (*)[TM + 4]>(buf);
    float (*sB)[TN + 4] = reinterpret_cast<float (*)[TN + 4]>(buf + TK * (TM + 4));
    const int tid = threadIdx.x;
    const int tx = tid & 15;
    const int ty = tid >> 4;
    const int tilesN = (N + TN - 1) / TN;
    const long long m0 = (long long)(blockIdx.x / tilesN) * TM;
    const long long n0 = (long long)(blockIdx.x % tilesN) * TN;

    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TK) {
        // consecutive threads read consecutive k of one row: coalesced for K-contiguous operands
#pragma unroll
        for (int i = 0; i < TM * TK / THREADS; i++) {
            int id = tid + i * THREADS;
            int r = id / TK;
            int kk = id % TK;
            long long gr = m0 + r;
            int gk = k0 + kk;
            sA[kk][r] = (gr < M && gk < K) ? load_dt(A, aDt, (size_t)gr * K + gk) : 0.0f;
            long long gn = n0 + r;
            sB[kk][r] = (gn < N && gk < K) ? load_dt(B, bDt, (size_t)gn * K + gk) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = sA[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = sB[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = __fmaf_rn(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }

    // one epilogue call site (through shared memory) keeps the code small; see epilogue_tile
    constexpr int LDC = TN + 4;
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) buf[(ty + 16 * i) * LDC + tx + 16 * j] = acc[i][j];
    __syncthreads();
    epilogue_tile(ep, buf, LDC, TM, TN, m0, n0, M, N);
}

// One warp per output column; blockDim.x = 256 (8 columns per block).
extern "C" __global__ void __launch_bounds__(THREADS)
gemv_simt(const void* __restrict__ A, int aDt, const void* __restrict__ B, int bDt, int M, int N, int K,
          EpilogueParams ep) {
    const int lane = threadIdx.x & 31;
    const long long col = (long long)blockIdx.x * (THREADS / 32) + (threadIdx.x >> 5);
    if (col >= N) return;
    float acc[GEMV_MAX_M];
#pragma unroll
    for (int i = 0; i < GEMV_MAX_M; i++) acc[i] = 0.0f;
    for (int k = lane; k < K; k += 32) {
        float w = load_dt(B, bDt, (size_t)col * K + k);
#pragma unroll
        for (int i = 0; i < GEMV_MAX_M; i++) {
            if (i < M) acc[i] = __fmaf_rn(load_dt(A, aDt, (size_t)i * K + k), w, acc[i]);
        }
    }
    __shared__ float sums[THREADS / 32][GEMV_MAX_M];
    float* mine = sums[threadIdx.x >> 5];
#pragma unroll
    for (int i = 0; i < GEMV_MAX_M; i++) {
        float s = warp_sum(acc[i]);
        if (lane == 0) mine[i] = s;
    }
    __syncwarp();
    if (lane == 0) {
#pragma unroll 1
        for (int i = 0; i < M; i++) epilogue_one(ep, i, (int)col, N, mine[i]);
    }
}
