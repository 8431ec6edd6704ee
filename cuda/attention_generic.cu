// attention_generic.cu -- attention for every case the flash kernel does not take: F32 or F16
// operands, head dims other than 64/128, value dim != query dim. Same semantics as attention.cu.
//
// Computes o = softmax(scale q k^T + bias + mask) v with q [B, Lq, H, D], k [B, Lk, H, D],
// v [B, Lk, H, Dv] and o [B, Lq, H, Dv] of run-time dtypes (converted exactly to F32), F32 dot
// products with fused multiply-adds, accurate expf, and an F32 online softmax. Masks as in
// attention.cu: keyLens [B], bias F32 [H, Lq, Lk], frameRanges [frames] of key token ranges.
//
// Variant attention_generic: one warp per query row, 4 rows per block. For each chunk of 32 keys
// every lane scores one key (the q row is broadcast from shared memory), the warp agrees on the
// running max and sum with shuffles, and each lane accumulates the output columns c = lane + 32 t
// (Dv <= 32 * MAXV = 512) in registers. Correct and simple, not fast: it re-reads K and V per query
// row (from L2), so it is meant for small or unusual shapes.
//
// With a non-null lse it also writes each row's log-sum-exp of the scaled logits (natural log, as
// CpuFlashBlock): the forward of training (Backend.attentionWithLse), whose backward is
// attention_grad.cu.
//
// CPU reference: dev.surf.core.cpu.CpuAttention.
#include "common.cuh"

#include <math_constants.h>

struct GenericAttnParams {
    const void* q;
    const void* k;
    const void* v;
    void* o;
    const float* bias;
    const int* keyLens;
    const int2* frameRanges;
    float* lse;  // [B, H, Lq] row log-sum-exp m + log(l) (-inf for a row without keys), or null
    int qDt, kDt, vDt, oDt;
    int B, H, Lq, Lk, D, Dv;
    int tokensPerFrame;
    float scale;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(GenericAttnParams) == 112, "GenericAttnParams layout changed: update the Java packer");

namespace {
constexpr int ROWS = 4;
constexpr int MAXV = 16;
}  // namespace

// Dynamic shared memory: ROWS * D floats (the query rows).
extern "C" __global__ void __launch_bounds__(ROWS * 32) attention_generic(GenericAttnParams p) {
    extern __shared__ float sq[];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const long long rowId = (long long)blockIdx.x * ROWS + warp;
    if (rowId >= (long long)p.B * p.H * p.Lq) return;  // whole warps only: no block barrier follows
    const int i = (int)(rowId % p.Lq);
    const int h = (int)((rowId / p.Lq) % p.H);
    const int b = (int)(rowId / ((long long)p.Lq * p.H));

    float* q = sq + warp * p.D;
    const size_t qBase = (((size_t)b * p.Lq + i) * p.H + h) * p.D;
    for (int c = lane; c < p.D; c += 32) q[c] = load_dt(p.q, p.qDt, qBase + c);
    __syncwarp();

    int kEnd = p.keyLens != nullptr ? max(0, min(p.Lk, p.keyLens[b])) : p.Lk;
    int kStart = 0;
    if (p.frameRanges != nullptr) {
        int2 fr = p.frameRanges[i / p.tokensPerFrame];
        kStart = fr.x;
        kEnd = min(kEnd, fr.y);
    }

    float acc[MAXV];
#pragma unroll
    for (int t = 0; t < MAXV; t++) acc[t] = 0.0f;
    float m = -CUDART_INF_F;
    float l = 0.0f;
    for (int k0 = kStart; k0 < kEnd; k0 += 32) {
        const int j = k0 + lane;
        float s = -CUDART_INF_F;
        if (j < kEnd) {
            const size_t kBase = (((size_t)b * p.Lk + j) * p.H + h) * p.D;
            float dot = 0.0f;
            for (int c = 0; c < p.D; c++) dot = __fmaf_rn(q[c], load_dt(p.k, p.kDt, kBase + c), dot);
            s = dot * p.scale;
            if (p.bias != nullptr) s += p.bias[((size_t)h * p.Lq + i) * p.Lk + j];
        }
        const float mNew = fmaxf(m, warp_max(s));  // finite: key k0 is in range
        const float alpha = expf(m - mNew);        // 0 on the first chunk (m = -inf)
        const float pj = j < kEnd ? expf(s - mNew) : 0.0f;
        l = l * alpha + warp_sum(pj);
        m = mNew;
#pragma unroll
        for (int t = 0; t < MAXV; t++) acc[t] *= alpha;
        const int n = min(32, kEnd - k0);
        for (int jj = 0; jj < n; jj++) {
            const float w = __shfl_sync(0xffffffffu, pj, jj);
            const size_t vBase = (((size_t)b * p.Lk + k0 + jj) * p.H + h) * p.Dv;
#pragma unroll
            for (int t = 0; t < MAXV; t++) {
                const int c = lane + 32 * t;
                if (c < p.Dv) acc[t] = __fmaf_rn(w, load_dt(p.v, p.vDt, vBase + c), acc[t]);
            }
        }
    }
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    const size_t oBase = (((size_t)b * p.Lq + i) * p.H + h) * p.Dv;
#pragma unroll
    for (int t = 0; t < MAXV; t++) {
        const int c = lane + 32 * t;
        if (c < p.Dv) store_dt(p.o, p.oDt, oBase + c, acc[t] * inv);
    }
    if (p.lse != nullptr && lane == 0) {
        p.lse[((size_t)b * p.H + h) * p.Lq + i] = l > 0.0f ? m + logf(l) : -CUDART_INF_F;
    }
}
