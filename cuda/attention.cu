// attention.cu -- FlashAttention-2-style forward pass: bf16 q, k, v, F32 online softmax, bf16 output.
//
// Computes o = softmax(scale q k^T + bias + mask) v per (batch item, head) without materialising the
// Lq x Lk score matrix. Layout: q [B, Lq, H, D], k and v [B, Lk, H, D], o [B, Lq, H, D], all bf16 and
// contiguous (row stride H*D elements between tokens). Masks:
//   keyLens      keys at index >= keyLens[b] are masked (null: none)
//   bias         F32 [H, Lq, Lk] added to the scaled logits (null: none)
//   frameRanges  time windows: query token q of frame f = q / tokensPerFrame attends to key tokens
//                [frameRanges[f].x, frameRanges[f].y), computed on the host from TimeWindow's rule
//                (null: global). Key tiles outside the union of a query tile's ranges are skipped.
// A query row whose keys are all masked gets zeros (its softmax denominator stays 0).
//
// Variants attention_flash_d64 / attention_flash_d128 (sm_80 and newer): a block owns 64 query rows of
// one (b, h), 4 warps of 16 rows each; Q stays in registers as mma A fragments. Key/value tiles of 64
// rows are double-buffered in shared memory with cp.async; S = Q K^T and O += P V run on m16n8k16
// mma.sync (V read with ldmatrix.trans), and P is converted from the S accumulators to A fragments
// in registers. Softmax runs in the log2 domain with ex2.approx; the running max and sum are F32.
// Shared rows are D*2 bytes; 16-byte chunks are XOR-swizzled with (row & 7) so ldmatrix phases are
// bank-conflict free. Shared memory: 5 tiles of 64 x D bf16 (40 KiB for D = 64, 80 KiB for D = 128).
//
// Other head dims and dtypes go to attention_generic.cu. CPU reference: dev.surf.core.cpu.CpuAttention.
#include "common.cuh"

#include <math_constants.h>

struct FlashParams {
    const __nv_bfloat16* q;
    const __nv_bfloat16* k;
    const __nv_bfloat16* v;
    __nv_bfloat16* o;
    const float* bias;       // [H, Lq, Lk] or null
    const int* keyLens;      // [B] or null
    const int2* frameRanges; // [frames] or null
    int H, Lq, Lk;
    int tokensPerFrame;
    float scaleLog2;         // scale * log2(e)
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(FlashParams) == 80, "FlashParams layout changed: update the Java packer");

namespace {

constexpr int BQ = 64, BKV = 64, WARPS = 4, THREADS = WARPS * 32;
constexpr float LOG2E = 1.4426950408889634f;

__device__ __forceinline__ float ex2(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

template <int D>
__device__ __forceinline__ int swz(int r, int c) {
    return r * (D * 2) + ((c ^ (r & 7)) << 4);
}

// cp.async of token rows [t0, t0 + 64) of one head into a swizzled tile; rows outside [0, tEnd) are
// zero-filled (zeros, not garbage, so that masked-out V rows cannot inject NaN through 0 * NaN).
template <int D>
__device__ __forceinline__ void load_rows(char* s, const __nv_bfloat16* head, long long rowStride, int t0, int tEnd,
                                          int tid) {
    constexpr int CPR = D / 8;
#pragma unroll
    for (int i = 0; i < BQ * CPR / THREADS; i++) {
        int id = tid + i * THREADS;
        int r = id / CPR;
        int c = id % CPR;
        int t = t0 + r;
        bool ok = t >= 0 && t < tEnd;
        const __nv_bfloat16* src = ok ? head + (long long)t * rowStride + c * 8 : head;
        cp_async16(s + swz<D>(r, c), src, ok ? 16 : 0);
    }
}

template <int D>
__device__ __forceinline__ void flash_forward(const FlashParams& p, char* smem) {
    constexpr int KD = D / 16;   // k16 steps over the head dim
    constexpr int ND = D / 8;    // n8 tiles over the head dim (output)
    constexpr int NS = BKV / 8;  // n8 tiles over a key tile (scores)
    constexpr int TILE = BQ * D * 2;
    char* sQ = smem;
    char* sK = smem + TILE;      // two buffers
    char* sV = smem + 3 * TILE;  // two buffers

    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int q0 = blockIdx.x * BQ;
    const int h = blockIdx.y;
    const int b = blockIdx.z;
    const int H = p.H;
    const long long rowStride = (long long)H * D;
    const __nv_bfloat16* qHead = p.q + ((long long)b * p.Lq * H + h) * D;
    const __nv_bfloat16* kHead = p.k + ((long long)b * p.Lk * H + h) * D;
    const __nv_bfloat16* vHead = p.v + ((long long)b * p.Lk * H + h) * D;

    // keys this block may need: the key-length limit, narrowed to the union of its frames' windows
    const int kLen = p.keyLens != nullptr ? max(0, min(p.Lk, p.keyLens[b])) : p.Lk;
    int blockStart = 0, blockEnd = kLen;
    if (p.frameRanges != nullptr) {
        int fFirst = q0 / p.tokensPerFrame;
        int fLast = (min(q0 + BQ, p.Lq) - 1) / p.tokensPerFrame;
        int lo = 0x7fffffff, hi = 0;
        for (int f = fFirst; f <= fLast; f++) {
            int2 r = p.frameRanges[f];
            lo = min(lo, r.x);
            hi = max(hi, r.y);
        }
        blockStart = lo;
        blockEnd = min(hi, kLen);
    }
    const int nTiles = blockEnd > blockStart ? (blockEnd - blockStart + BKV - 1) / BKV : 0;

    // this thread's two query rows and their allowed key ranges
    int rowQ[2], rowStart[2], rowEnd[2];
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        int r = q0 + warp * 16 + (lane >> 2) + hh * 8;
        rowQ[hh] = r;
        rowStart[hh] = 0;
        rowEnd[hh] = kLen;
        if (r >= p.Lq) {
            rowEnd[hh] = 0;  // padding row: everything masked, never stored
        } else if (p.frameRanges != nullptr) {
            int2 fr = p.frameRanges[r / p.tokensPerFrame];
            rowStart[hh] = fr.x;
            rowEnd[hh] = min(fr.y, kLen);
        }
    }

    load_rows<D>(sQ, qHead, rowStride, q0, p.Lq, tid);
    if (nTiles > 0) {
        load_rows<D>(sK, kHead, rowStride, blockStart, p.Lk, tid);
        load_rows<D>(sV, vHead, rowStride, blockStart, p.Lk, tid);
    }
    cp_async_commit();

    uint32_t qf[KD][4];
    float o[ND][4];
#pragma unroll
    for (int i = 0; i < ND; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) o[i][j] = 0.0f;
    float m[2] = {-CUDART_INF_F, -CUDART_INF_F};
    float l[2] = {0.0f, 0.0f};

    for (int it = 0; it < nTiles; it++) {
        const int kt0 = blockStart + it * BKV;
        cp_async_wait<0>();
        __syncthreads();  // tile `it` visible to all; every warp done with tile it-1's buffers
        if (it == 0) {
#pragma unroll
            for (int kk = 0; kk < KD; kk++) {
                ldmatrix_x4(qf[kk], sQ + swz<D>(warp * 16 + (lane & 15), kk * 2 + (lane >> 4)));
            }
        }
        if (it + 1 < nTiles) {
            const int nb = (it + 1) & 1;
            load_rows<D>(sK + nb * TILE, kHead, rowStride, kt0 + BKV, p.Lk, tid);
            load_rows<D>(sV + nb * TILE, vHead, rowStride, kt0 + BKV, p.Lk, tid);
        }
        cp_async_commit();
        const char* cK = sK + (it & 1) * TILE;
        const char* cV = sV + (it & 1) * TILE;

        // S = Q K^T for this warp's 16 rows x 64 keys
        float s[NS][4];
#pragma unroll
        for (int i = 0; i < NS; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) s[i][j] = 0.0f;
#pragma unroll
        for (int kk = 0; kk < KD; kk++) {
#pragma unroll
            for (int pr = 0; pr < NS / 2; pr++) {
                uint32_t t[4];
                int n = pr * 16 + ((lane >> 4) << 3) + (lane & 7);
                ldmatrix_x4(t, cK + swz<D>(n, kk * 2 + ((lane >> 3) & 1)));
                mma_bf16_16816(s[2 * pr], qf[kk], t[0], t[1]);
                mma_bf16_16816(s[2 * pr + 1], qf[kk], t[2], t[3]);
            }
        }

        // scale, bias, mask (log2 domain); element (nt, e) is row hh = e / 2, key kt0 + 8 nt + 2 (lane % 4) + e % 2
        // interior tiles (every key allowed for every row of the warp, no bias) skip the per-element tests
        const bool plain = p.bias == nullptr &&
                           __all_sync(0xffffffffu, kt0 >= max(rowStart[0], rowStart[1]) &&
                                                       kt0 + BKV <= min(rowEnd[0], rowEnd[1]));
        float tileMax[2] = {-CUDART_INF_F, -CUDART_INF_F};
#pragma unroll
        for (int nt = 0; nt < NS; nt++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int hh = e >> 1;
                float x = s[nt][e] * p.scaleLog2;
                if (!plain) {
                    const int key = kt0 + nt * 8 + (lane & 3) * 2 + (e & 1);
                    if (key < rowStart[hh] || key >= rowEnd[hh]) {
                        x = -CUDART_INF_F;
                    } else if (p.bias != nullptr) {
                        x += p.bias[((long long)h * p.Lq + rowQ[hh]) * p.Lk + key] * LOG2E;
                    }
                }
                s[nt][e] = x;
                tileMax[hh] = fmaxf(tileMax[hh], x);
            }
        }
        float alpha[2], mUse[2];
#pragma unroll
        for (int hh = 0; hh < 2; hh++) {
            float t = tileMax[hh];
            t = fmaxf(t, __shfl_xor_sync(0xffffffffu, t, 1));
            t = fmaxf(t, __shfl_xor_sync(0xffffffffu, t, 2));
            float mNew = fmaxf(m[hh], t);
            // while every key so far is masked, mNew is -inf: keep the state (zero) untouched
            mUse[hh] = mNew == -CUDART_INF_F ? 0.0f : mNew;
            alpha[hh] = ex2(m[hh] - mUse[hh]);
            m[hh] = mNew;
        }
        float rowSum[2] = {0.0f, 0.0f};
#pragma unroll
        for (int nt = 0; nt < NS; nt++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                float pe = ex2(s[nt][e] - mUse[e >> 1]);
                s[nt][e] = pe;
                rowSum[e >> 1] += pe;
            }
        }
#pragma unroll
        for (int hh = 0; hh < 2; hh++) l[hh] = l[hh] * alpha[hh] + rowSum[hh];
#pragma unroll
        for (int nd = 0; nd < ND; nd++) {
            o[nd][0] *= alpha[0];
            o[nd][1] *= alpha[0];
            o[nd][2] *= alpha[1];
            o[nd][3] *= alpha[1];
        }

        // O += P V: the S accumulators of n-tiles 2j, 2j+1 are the A fragment of key step j
#pragma unroll
        for (int j = 0; j < BKV / 16; j++) {
            uint32_t pa[4];
            pa[0] = pack_bf16x2(s[2 * j][0], s[2 * j][1]);
            pa[1] = pack_bf16x2(s[2 * j][2], s[2 * j][3]);
            pa[2] = pack_bf16x2(s[2 * j + 1][0], s[2 * j + 1][1]);
            pa[3] = pack_bf16x2(s[2 * j + 1][2], s[2 * j + 1][3]);
#pragma unroll
            for (int pr = 0; pr < ND / 2; pr++) {
                uint32_t t[4];
                int keyRow = j * 16 + ((lane >> 3) & 1) * 8 + (lane & 7);
                ldmatrix_x4_trans(t, cV + swz<D>(keyRow, pr * 2 + (lane >> 4)));
                mma_bf16_16816(o[2 * pr], pa, t[0], t[1]);
                mma_bf16_16816(o[2 * pr + 1], pa, t[2], t[3]);
            }
        }
    }
    cp_async_wait<0>();

    // the row sums were kept per thread; the four threads of a quad share a row
    float inv[2];
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        float t = l[hh];
        t += __shfl_xor_sync(0xffffffffu, t, 1);
        t += __shfl_xor_sync(0xffffffffu, t, 2);
        inv[hh] = t > 0.0f ? 1.0f / t : 0.0f;
    }
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        if (rowQ[hh] >= p.Lq) continue;
        __nv_bfloat16* orow = p.o + ((long long)(b * (long long)p.Lq + rowQ[hh]) * H + h) * D;
#pragma unroll
        for (int nd = 0; nd < ND; nd++) {
            int c = nd * 8 + (lane & 3) * 2;
            *reinterpret_cast<__nv_bfloat162*>(orow + c) =
                __floats2bfloat162_rn(o[nd][2 * hh] * inv[hh], o[nd][2 * hh + 1] * inv[hh]);
        }
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS, 2) attention_flash_d64(FlashParams p) {
    extern __shared__ __align__(128) char smem[];
    flash_forward<64>(p, smem);
}

extern "C" __global__ void __launch_bounds__(THREADS, 2) attention_flash_d128(FlashParams p) {
    extern __shared__ __align__(128) char smem[];
    flash_forward<128>(p, smem);
}

// Dynamic shared memory bytes of each variant (read by the host with cuModuleGetGlobal).
extern "C" __constant__ int attention_flash_d64_smem = 5 * BQ * 64 * 2;
extern "C" __constant__ int attention_flash_d128_smem = 5 * BQ * 128 * 2;
