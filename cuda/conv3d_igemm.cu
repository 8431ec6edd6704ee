// conv3d_igemm.cu -- stride-1 3-D convolution (the Wan-VAE's CausalConv3d) as an implicit GEMM on TF32
// tensor cores. Verified against the CPU and the Wan-VAE fixtures on an H100 (2026-11-22): the default
// conv3d of dev.surf.cuda.CudaConv for F32 inputs (-Dsurf.cuda.conv=direct gives the bit-exact kernel
// of conv3d.cu instead); about cuDNN's speed on the decoder's layers (cuda/NOTES.md).
//
// Computes the same function as conv3d.cu: x [Cin, T, H, W] (channels first, no batch), weights
// w [Cout, Cin, kt, kh, kw], bias [Cout] or null, output y [Cout, To, Ho, Wo] with To = T + padFront - kt + 1,
// Ho = H + 2 padH - kh + 1, Wo = W + 2 padW - kw + 1 and
//   y[o, t, r, q] = bias[o] + sum over (c, i, j, k) of w[o, c, i, j, k] * xpad[c, t + i - padFront, r + j - padH, q + k - padW]
// (xpad is 0 outside the input: padFront zero frames in front only, padH / padW on both sides).
//
// As a GEMM: rows are the M = To Ho Wo output positions (flat, so a block may span frames), columns
// the N = Cout output channels, and the reduction runs over K = taps x Cin, tap-major: a K slice of
// BK = 32 is 32 consecutive input channels under ONE tap (i, j, k). That order is what makes the
// gather cheap: within a slice every thread reads one position's 32 channels at one fixed offset
// (each channel a plane of T H W floats further on) with a single padding test per slice.
//
// Kernels:
//   conv3d_pack_tf32    w [Cout, Cin, taps] (any float dtype) -> wp [Cout, taps, CinP] F32, each value
//                       rounded to TF32, channels Cin..CinP-1 zero (CinP = Cin rounded up to BK). Runs
//                       before every convolution (cost: one read and write of the weights, 16 MB for the
//                       largest VAE layer, ~15 us); the zero channels let every slice be a full 32.
//   conv3d_igemm_tf32   the convolution. Operands and output F32; products on TF32 tensor cores
//                       (mma.sync m16n8k8, F32 accumulation), i.e. what PyTorch's fp32 Conv3d gives when
//                       cuDNN may use TF32 (its default for convolutions): ~1e-3 relative error. Inputs
//                       are rounded to nearest (cvt.rna) rather than truncated, so the error has no bias.
//
// Tiling: block tile 128 positions x 96 channels (96 divides every VAE width: 96, 192, 384, 768), 4 warps
// as 2 (M) x 2 (N) of 64 x 48, K slices of 32 through a 3-stage cp.async ring (91.5 KiB, 2 blocks / SM).
//   A tile (input patches) [BK][BM + 8] floats, k-major: gathered with 4-byte cp.async (a tap shifts the
//     source by any number of floats, so 16-byte copies would be misaligned), one position per thread,
//     warp lanes on consecutive positions (coalesced); positions in the padding, past M, or channels
//     past Cin are zero-filled by the copy (src-size 0). Row stride BM + 8 = 136 (= 8 mod 32 banks)
//     makes the scalar fragment loads a(k = q, m = g) hit 32 distinct banks.
//   B tile (packed weights) [BN][BK + 4] floats, 16-byte cp.async (rows of the packed weight are
//     contiguous in K and 16-byte aligned); fragments with ldmatrix.x4 (a b16 8x8 matrix is an 8 x 4
//     tf32 matrix, so thread l receives element (row l / 4, col l % 4): exactly b0 / b1). Row stride
//     36 floats = 144 B puts the 8 rows of each ldmatrix phase in 8 different bank groups.
//   Time taps whose frames lie in the causal padding for every row of the block are skipped (a
//   single-frame chunk with padFront 2 runs 1 of 3 time taps).
//   Epilogue: accumulators staged in shared memory as [BN][BM + 4] (conflict-free fragment stores),
//   then each warp writes whole 128-position runs of one output channel (16-byte stores when aligned),
//   adding the bias in F32.
//
// Host requirements (CudaConv checks them, else the direct kernel runs): x F32; Cin T H W, Cout To Ho Wo
// and Cout taps CinP all below 2^31 (32-bit offsets); Cout <= 65535 is not needed (1-D grid).
//
// CPU reference: dev.surf.core.cpu.CpuConv (tested against it at 2e-3 relative L2 error, the TF32 bound).
#include "common.cuh"

struct ConvGemmParams {
    const float* x;     // [cin, t, h, w] F32
    const float* wp;    // [cout, kt kh kw, cinP] F32 holding TF32 values (conv3d_pack_tf32)
    const void* bias;   // [cout] of dtype bDt, or null
    float* y;           // [cout, to, ho, wo] F32
    int bDt;
    int cin, cinP, t, h, w, cout, kt, kh, kw;
    int padFront, padH, padW;
    int to, ho, wo;
    int tilesN;         // ceil(cout / BN); blockIdx.x = mTile * tilesN + nTile
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(ConvGemmParams) == 104, "ConvGemmParams layout changed: update the Java packer");

namespace {

constexpr int BM = 128, BN = 96, BK = 32, STAGES = 3, THREADS = 128;
constexpr int WARPS_N = 2;
constexpr int WM = 64, WN = 48;
constexpr int MT = WM / 16;  // m16 tiles per warp: 4
constexpr int NT = WN / 8;   // n8 tiles per warp: 6
constexpr int LDA = BM + 8;  // floats per A row (one k)
constexpr int LDB = BK + 4;  // floats per B row (one output channel)
constexpr int LDC = BM + 4;  // floats per staged C row (one output channel)
constexpr int TILE_A = BK * LDA;
constexpr int TILE_B = BN * LDB;
constexpr int STAGE = TILE_A + TILE_B;
constexpr int SMEM_FLOATS = STAGES * STAGE > BN * LDC ? STAGES * STAGE : BN * LDC;
constexpr int B_CHUNKS = BN * BK / 4 / THREADS;  // 16-byte copies per thread per B slice: 6
static_assert(THREADS == BM, "one gathered position per thread");
static_assert((BN * BK / 4) % THREADS == 0 && THREADS % (BK / 4) == 0, "B copies must tile the block evenly");
static_assert(WM * (THREADS / 32 / WARPS_N) == BM && WN * WARPS_N == BN, "warp tiles must cover the block tile");

// Position in the K loop: tap (i, j, k) and the first channel c0 of the slice. Channels run fastest,
// so consecutive slices usually share a tap.
struct Slice {
    int i, j, k, c0;
};

__device__ __forceinline__ void next_slice(Slice& s, const ConvGemmParams& p) {
    s.c0 += BK;
    if (s.c0 < p.cinP) return;
    s.c0 = 0;
    if (++s.k < p.kw) return;
    s.k = 0;
    if (++s.j < p.kh) return;
    s.j = 0;
    s.i++;
}

// Queues the copies of one K slice: A (this thread's position, 32 channels) and its share of B.
// (ot, oy, ox) is the thread's output position, mIn whether it exists; wRow points at packed weight row
// n0 + tid / 8, chunk tid % 8 (only dereferenced for rows below Cout: each of the 6 rows is checked).
__device__ __forceinline__ void load_slice(float* sA, float* sB, const ConvGemmParams& p, const Slice& s, int tid,
                                           bool mIn, int ot, int oy, int ox, int n0, const float* wRow, int kp) {
    const int ti = ot + s.i - p.padFront;
    const int yi = oy + s.j - p.padH;
    const int xi = ox + s.k - p.padW;
    const bool ok = mIn && (unsigned)ti < (unsigned)p.t && (unsigned)yi < (unsigned)p.h && (unsigned)xi < (unsigned)p.w;
    const int plane = p.t * p.h * p.w;  // floats between consecutive channels
    const int nValid = ok ? min(BK, p.cin - s.c0) : 0;
    float* dst = sA + tid;
    if (nValid == BK) {
        const float* src = p.x + (s.c0 * plane + (ti * p.h + yi) * p.w + xi);
#pragma unroll
        for (int r = 0; r < BK; r++) cp_async4(dst + r * LDA, src + r * plane, 4);
    } else {
        // padding, a row past M, or the channel tail (Cin % 32 != 0): zeros where there is no input;
        // the source must still be a valid address, hence p.x for the zero-filled copies
        const float* src = nValid > 0 ? p.x + (s.c0 * plane + (ti * p.h + yi) * p.w + xi) : p.x;
#pragma unroll
        for (int r = 0; r < BK; r++) {
            const bool in = r < nValid;
            cp_async4(dst + r * LDA, in ? src + r * plane : p.x, in ? 4 : 0);
        }
    }
    // B: rows n0 + tid / 8 + 16 u (u < 6) of the packed weights, 16-byte chunk tid % 8 of this slice
    const int koff = ((s.i * p.kh + s.j) * p.kw + s.k) * p.cinP + s.c0;
    const int row0 = tid >> 3;
    const int chunk = tid & 7;
#pragma unroll
    for (int u = 0; u < B_CHUNKS; u++) {
        const int r = row0 + u * (THREADS / 8);
        const bool in = n0 + r < p.cout;
        cp_async16(sB + r * LDB + chunk * 4, in ? wRow + (size_t)u * (THREADS / 8) * kp + koff : p.wp, in ? 16 : 0);
    }
}

// The warp's 64 x 48 tile over one K slice: 4 k-steps of 4 x 6 mma.sync m16n8k8.
__device__ __forceinline__ void mma_slice(const float* sA, const float* sB, float (&acc)[MT][NT][4], int wm, int wn,
                                          int lane) {
    const int g = lane >> 2;
    const int q = lane & 3;
#pragma unroll
    for (int ks = 0; ks < BK / 8; ks++) {
        uint32_t a[MT][4];
        uint32_t b[NT][2];
        // a0 (m = g, k = q), a1 (g + 8, q), a2 (g, q + 4), a3 (g + 8, q + 4); sA is [k][m]
        const float* pa = sA + (ks * 8 + q) * LDA + wm * WM + g;
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
            a[mt][0] = f32_to_tf32(pa[mt * 16]);
            a[mt][1] = f32_to_tf32(pa[mt * 16 + 8]);
            a[mt][2] = f32_to_tf32(pa[4 * LDA + mt * 16]);
            a[mt][3] = f32_to_tf32(pa[4 * LDA + mt * 16 + 8]);
        }
        // ldmatrix.x4 matrices: (n 0-7, k 0-3), (n 0-7, k 4-7), (n 8-15, k 0-3), (n 8-15, k 4-7) of a
        // 16-channel pair of n8 tiles; lane l supplies row l % 8 of matrix l / 8. The packed weights
        // are TF32 already, so the registers feed the mma as they are.
        const float* pb = sB + (wn * WN + ((lane >> 4) << 3) + (lane & 7)) * LDB + ks * 8 + ((lane >> 3) & 1) * 4;
#pragma unroll
        for (int pp = 0; pp < NT / 2; pp++) {
            uint32_t t4[4];
            ldmatrix_x4(t4, pb + pp * 16 * LDB);
            b[2 * pp][0] = t4[0];
            b[2 * pp][1] = t4[1];
            b[2 * pp + 1][0] = t4[2];
            b[2 * pp + 1][1] = t4[3];
        }
#pragma unroll
        for (int mt = 0; mt < MT; mt++)
#pragma unroll
            for (int nt = 0; nt < NT; nt++) mma_tf32_1688(acc[mt][nt], a[mt], b[nt][0], b[nt][1]);
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256) conv3d_pack_tf32(const void* w, int wDt, float* wp, int cout, int cin,
                                                                   int cinP, int taps) {
    const size_t n = (size_t)cout * taps * cinP;
    GRID_STRIDE(e, n) {
        const int c = (int)(e % cinP);
        const size_t ot = e / cinP;
        const int tap = (int)(ot % taps);
        const size_t o = ot / taps;
        const float v = c < cin ? load_dt(w, wDt, (o * cin + c) * taps + tap) : 0.0f;
        wp[e] = __uint_as_float(f32_to_tf32(v));
    }
}

extern "C" __global__ void __launch_bounds__(THREADS, 2) conv3d_igemm_tf32(ConvGemmParams p) {
    extern __shared__ __align__(128) float smem[];
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int wm = warp / WARPS_N;
    const int wn = warp % WARPS_N;

    // N tiles fastest: the blocks that run together share the same input positions (the large operand),
    // while the weights (at most a few MB) stay in L2 for every M tile
    const int tn = blockIdx.x % p.tilesN;
    const int tm = blockIdx.x / p.tilesN;
    const int plane = p.ho * p.wo;
    const int M = p.to * plane;
    const int m0 = tm * BM;
    const int n0 = tn * BN;

    // the output position whose patches this thread gathers (row tid of the A tile)
    const int m = m0 + tid;
    const bool mIn = m < M;
    int ot = 0, oy = 0, ox = 0;
    if (mIn) {
        ot = m / plane;
        const int rem = m - ot * plane;
        oy = rem / p.wo;
        ox = rem - oy * p.wo;
    }

    // time taps i for which some frame of the block reads an input frame (0 <= t + i - padFront < T);
    // the others multiply zeros only and are skipped. The range may be empty (an output frame made of
    // padding only): then the result is the bias.
    const int tFirst = m0 / plane;
    const int tLast = (min(m0 + BM, M) - 1) / plane;
    const int iLo = max(0, p.padFront - tLast);
    const int iHi = min(p.kt - 1, p.t - 1 + p.padFront - tFirst);
    const int slices = iHi < iLo ? 0 : (iHi - iLo + 1) * p.kh * p.kw * (p.cinP / BK);

    const int kp = p.kt * p.kh * p.kw * p.cinP;  // packed weight row length
    const float* wRow = p.wp + (size_t)(n0 + (tid >> 3)) * kp + (tid & 7) * 4;

    float acc[MT][NT][4];
#pragma unroll
    for (int i = 0; i < MT; i++)
#pragma unroll
        for (int j = 0; j < NT; j++)
#pragma unroll
            for (int v = 0; v < 4; v++) acc[i][j][v] = 0.0f;

    Slice next = {iLo, 0, 0, 0};
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < slices) {
            float* st = smem + s * STAGE;
            load_slice(st, st + TILE_A, p, next, tid, mIn, ot, oy, ox, n0, wRow, kp);
            next_slice(next, p);
        }
        cp_async_commit();
    }

    int readStage = 0;
    int writeStage = STAGES - 1;
    for (int kt = 0; kt < slices; kt++) {
        // slice kt has landed once at most STAGES-2 younger groups are pending; the barrier also tells
        // every warp that the stage about to be refilled (read in iteration kt-1) is free
        cp_async_wait<STAGES - 2>();
        __syncthreads();
        if (kt + STAGES - 1 < slices) {
            float* st = smem + writeStage * STAGE;
            load_slice(st, st + TILE_A, p, next, tid, mIn, ot, oy, ox, n0, wRow, kp);
            next_slice(next, p);
        }
        cp_async_commit();
        const float* sA = smem + readStage * STAGE;
        mma_slice(sA, sA + TILE_A, acc, wm, wn, lane);
        readStage = readStage == STAGES - 1 ? 0 : readStage + 1;
        writeStage = writeStage == STAGES - 1 ? 0 : writeStage + 1;
    }
    cp_async_wait<0>();
    __syncthreads();  // every warp is done with the ring before it becomes the C tile

    // accumulator (mt, nt): d0, d1 at (m = g, n = 2q, 2q + 1), d2, d3 at m = g + 8; staged as sC[n][m]
    // (bank (8q + g + const) mod 32: conflict-free) so that the stores below are runs along m
    float* sC = smem;
    {
        const int g = lane >> 2;
        const int q = lane & 3;
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
#pragma unroll
            for (int nt = 0; nt < NT; nt++) {
                const int r = wm * WM + mt * 16 + g;
                const int c = wn * WN + nt * 8 + 2 * q;
                sC[c * LDC + r] = acc[mt][nt][0];
                sC[(c + 1) * LDC + r] = acc[mt][nt][1];
                sC[c * LDC + r + 8] = acc[mt][nt][2];
                sC[(c + 1) * LDC + r + 8] = acc[mt][nt][3];
            }
        }
    }
    __syncthreads();

    // each warp writes output channels warp, warp + 4, ...: 128 positions = 32 lanes x 4 floats
    const bool vec = m0 + BM <= M && (M & 3) == 0 && ((uintptr_t)p.y & 15) == 0;
    for (int n = warp; n < BN && n0 + n < p.cout; n += THREADS / 32) {
        const float b = p.bias != nullptr ? load_dt(p.bias, p.bDt, n0 + n) : 0.0f;
        const float4 v = *reinterpret_cast<const float4*>(sC + n * LDC + lane * 4);
        float* out = p.y + (size_t)(n0 + n) * M + m0 + lane * 4;
        if (vec) {
            *reinterpret_cast<float4*>(out) = make_float4(v.x + b, v.y + b, v.z + b, v.w + b);
        } else {
            const int left = M - (m0 + lane * 4);
            if (left > 0) out[0] = v.x + b;
            if (left > 1) out[1] = v.y + b;
            if (left > 2) out[2] = v.z + b;
            if (left > 3) out[3] = v.w + b;
        }
    }
}

// Dynamic shared memory bytes of conv3d_igemm_tf32 and its tile sizes, read by the host
// (cuModuleGetGlobal) so that CudaConv cannot drift from the kernel.
extern "C" __constant__ int conv3d_igemm_tf32_smem = SMEM_FLOATS * 4;
extern "C" __constant__ int conv3d_igemm_tf32_bm = BM;
extern "C" __constant__ int conv3d_igemm_tf32_bn = BN;
extern "C" __constant__ int conv3d_igemm_tf32_bk = BK;
extern "C" __constant__ int conv3d_igemm_tf32_threads = THREADS;
