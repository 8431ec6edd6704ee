// attention_grad.cu -- the backward of attention with recomputation from the forward's row
// log-sum-exp (flash-attention style: the probabilities are rebuilt, never stored). With
// p_ij = exp(scale q_i.k_j + bias_ij - lse_i) over exactly the keys the forward let row i see (key
// lengths, time-window frame ranges), delta_i = dO_i.O_i and ds_ij = scale p_ij (dO_i.v_j - delta_i):
//
//   attention_grad_delta:  delta [B, H, Lq]
//   attention_grad_dq:     dq_i = sum_j ds_ij k_j
//   attention_grad_dkdv:   dk_j = sum_i ds_ij q_i,  dv_j = sum_i p_ij dO_i
//
// Layout: q, o, dO [B, Lq, H, D|Dv], k [B, Lk, H, D], v [B, Lk, H, Dv] of run-time floating dtypes
// (converted exactly to F32), lse F32 [B, H, Lq] (-inf: a row without keys, whose gradient is 0),
// bias F32 [H, Lq, Lk] or null, keyLens [B] or null, frameRanges [frames] of key token ranges or null
// (DeviceTables.frameRanges: a time window with its cyclic shift and wrap mask as key ranges). dq, dk,
// dv F32 in the shapes of q, k, v.
//
// Launch: one warp per row, 4 rows per block; lane l holds the columns c = l + 32 t (D, Dv <= 512)
// in registers, dot products are warp-shuffle sums. Every output row is owned by one warp, which
// visits its keys (dq) or queries (dk, dv) in order: no atomics, deterministic. The dk/dv pass visits
// the queries of its (batch, head) in order, with a time window only those of the frames whose key
// range holds the key. Correct and
// simple, not fast (K, V, Q, dO are re-read per row from L2); not measured, no device was lent when
// it was written. Plain -O3 (FMA contraction allowed; tolerance 1e-5 against the CPU's FMAs).
//
// CPU reference: dev.surf.core.cpu.CpuAttentionBackward.
#include "common.cuh"

#include <math_constants.h>

struct AttnGradParams {
    const void* q;
    const void* k;
    const void* v;
    const void* o;
    const void* dO;
    const float* lse;
    const float* bias;
    const int* keyLens;
    const int2* frameRanges;
    float* delta;
    float* dq;
    float* dk;
    float* dv;
    int qDt, kDt, vDt, oDt, dODt;
    int B, H, Lq, Lk, D, Dv;
    int tokensPerFrame;
    float scale;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(AttnGradParams) == 160, "AttnGradParams layout changed: update the Java packer");

namespace {
constexpr int ROWS = 4;
constexpr int MAXC = 16;  // columns per lane: D, Dv <= 32 * MAXC

// Loads row `base` of length n into lane registers r[t] = x[base + lane + 32 t] (0 past n).
__device__ __forceinline__ void load_row(const void* x, int dt, size_t base, int n, int lane, float (&r)[MAXC]) {
#pragma unroll
    for (int t = 0; t < MAXC; t++) {
        const int c = lane + 32 * t;
        r[t] = c < n ? load_dt(x, dt, base + c) : 0.0f;
    }
}

// The dot product of the lane registers r with row `base` of x (length n), summed over the warp.
__device__ __forceinline__ float dot_row(const float (&r)[MAXC], const void* x, int dt, size_t base, int n, int lane) {
    float s = 0.0f;
#pragma unroll
    for (int t = 0; t < MAXC; t++) {
        const int c = lane + 32 * t;
        if (c < n) s = __fmaf_rn(r[t], load_dt(x, dt, base + c), s);
    }
    return warp_sum(s);
}

__device__ __forceinline__ void store_row(float* y, size_t base, int n, int lane, const float (&r)[MAXC]) {
#pragma unroll
    for (int t = 0; t < MAXC; t++) {
        const int c = lane + 32 * t;
        if (c < n) y[base + c] = r[t];
    }
}

__device__ __forceinline__ int key_end(const AttnGradParams& p, int b) {
    return p.keyLens != nullptr ? max(0, min(p.Lk, p.keyLens[b])) : p.Lk;
}

// This warp's row of a [B, H, len] grid of rows: its position in the sequence, head and batch item.
struct RowPos {
    long long row;
    int pos, h, b;
};

__device__ __forceinline__ RowPos warp_row(int len, int heads) {
    RowPos r;
    r.row = (long long)blockIdx.x * ROWS + (threadIdx.x >> 5);
    r.pos = (int)(r.row % len);
    r.h = (int)((r.row / len) % heads);
    r.b = (int)(r.row / ((long long)len * heads));
    return r;
}

// Offset of token (b, pos) of head h in a [B, len, H, width] tensor.
__device__ __forceinline__ size_t token_base(int b, int len, int pos, int heads, int h, int width) {
    return (((size_t)b * len + pos) * heads + h) * width;
}

// p_ij and ds_ij (x, y) of query i and key j from the dot products q_i.k_j and dO_i.v_j.
__device__ __forceinline__ float2 prob_and_ds(const AttnGradParams& p, int h, int i, int j, float qk, float dov,
                                              float lse, float delta) {
    float s = p.scale * qk;
    if (p.bias != nullptr) s += p.bias[((size_t)h * p.Lq + i) * p.Lk + j];
    const float pr = expf(s - lse);
    return make_float2(pr, pr * (dov - delta) * p.scale);
}

}  // namespace

// Row (b, h, i) of delta: rows in [B, H, Lq] order.
extern "C" __global__ void __launch_bounds__(ROWS * 32) attention_grad_delta(AttnGradParams p) {
    const int lane = threadIdx.x & 31;
    const RowPos r = warp_row(p.Lq, p.H);
    if (r.row >= (long long)p.B * p.H * p.Lq) return;  // whole warps only: no block barrier follows
    const size_t oBase = token_base(r.b, p.Lq, r.pos, p.H, r.h, p.Dv);
    float g[MAXC];
    load_row(p.dO, p.dODt, oBase, p.Dv, lane, g);
    const float d = dot_row(g, p.o, p.oDt, oBase, p.Dv, lane);
    if (lane == 0) p.delta[r.row] = d;
}

// Query row (b, h, i) of dq: rows in [B, H, Lq] order.
extern "C" __global__ void __launch_bounds__(ROWS * 32) attention_grad_dq(AttnGradParams p) {
    const int lane = threadIdx.x & 31;
    const RowPos r = warp_row(p.Lq, p.H);
    if (r.row >= (long long)p.B * p.H * p.Lq) return;
    const size_t qBase = token_base(r.b, p.Lq, r.pos, p.H, r.h, p.D);
    float acc[MAXC];
#pragma unroll
    for (int t = 0; t < MAXC; t++) acc[t] = 0.0f;
    const float l = p.lse[r.row];
    if (l != -CUDART_INF_F) {
        float q[MAXC];
        float g[MAXC];
        load_row(p.q, p.qDt, qBase, p.D, lane, q);
        load_row(p.dO, p.dODt, token_base(r.b, p.Lq, r.pos, p.H, r.h, p.Dv), p.Dv, lane, g);
        const float delta = p.delta[r.row];
        int kStart = 0;
        int kEnd = key_end(p, r.b);
        if (p.frameRanges != nullptr) {
            const int2 fr = p.frameRanges[r.pos / p.tokensPerFrame];
            kStart = fr.x;
            kEnd = min(kEnd, fr.y);
        }
        for (int j = kStart; j < kEnd; j++) {
            const size_t kBase = token_base(r.b, p.Lk, j, p.H, r.h, p.D);
            const float qk = dot_row(q, p.k, p.kDt, kBase, p.D, lane);
            const float dov = dot_row(g, p.v, p.vDt, token_base(r.b, p.Lk, j, p.H, r.h, p.Dv), p.Dv, lane);
            const float ds = prob_and_ds(p, r.h, r.pos, j, qk, dov, l, delta).y;
#pragma unroll
            for (int t = 0; t < MAXC; t++) {
                const int c = lane + 32 * t;
                if (c < p.D) acc[t] = __fmaf_rn(ds, load_dt(p.k, p.kDt, kBase + c), acc[t]);
            }
        }
    }
    store_row(p.dq, qBase, p.D, lane, acc);
}

// Key row (b, h, j) of dk and dv: rows in [B, H, Lk] order.
extern "C" __global__ void __launch_bounds__(ROWS * 32) attention_grad_dkdv(AttnGradParams p) {
    const int lane = threadIdx.x & 31;
    const RowPos r = warp_row(p.Lk, p.H);
    if (r.row >= (long long)p.B * p.H * p.Lk) return;
    const int j = r.pos;
    const size_t kBase = token_base(r.b, p.Lk, j, p.H, r.h, p.D);
    const size_t vBase = token_base(r.b, p.Lk, j, p.H, r.h, p.Dv);
    float dk[MAXC];
    float dv[MAXC];
#pragma unroll
    for (int t = 0; t < MAXC; t++) dk[t] = dv[t] = 0.0f;
    if (j < key_end(p, r.b)) {
        float k[MAXC];
        float v[MAXC];
        load_row(p.k, p.kDt, kBase, p.D, lane, k);
        load_row(p.v, p.vDt, vBase, p.Dv, lane, v);
        const size_t statBase = ((size_t)r.b * p.H + r.h) * p.Lq;
        // query i's contribution to this key's dk and dv
        auto add_query = [&](int i) {
            const float l = p.lse[statBase + i];
            if (l == -CUDART_INF_F) return;
            const size_t qBase = token_base(r.b, p.Lq, i, p.H, r.h, p.D);
            const size_t oBase = token_base(r.b, p.Lq, i, p.H, r.h, p.Dv);
            const float qk = dot_row(k, p.q, p.qDt, qBase, p.D, lane);
            const float dov = dot_row(v, p.dO, p.dODt, oBase, p.Dv, lane);
            const float2 pds = prob_and_ds(p, r.h, i, j, qk, dov, l, p.delta[statBase + i]);
#pragma unroll
            for (int t = 0; t < MAXC; t++) {
                const int c = lane + 32 * t;
                if (c < p.D) dk[t] = __fmaf_rn(pds.y, load_dt(p.q, p.qDt, qBase + c), dk[t]);
                if (c < p.Dv) dv[t] = __fmaf_rn(pds.x, load_dt(p.dO, p.dODt, oBase + c), dv[t]);
            }
        };
        if (p.frameRanges != nullptr) {
            // a window needs Lq = frames x tokensPerFrame: visit only the frames whose key range holds j
            for (int f = 0; f * p.tokensPerFrame < p.Lq; f++) {
                const int2 fr = p.frameRanges[f];
                if (j < fr.x || j >= fr.y) continue;
                for (int i = f * p.tokensPerFrame; i < min(p.Lq, (f + 1) * p.tokensPerFrame); i++) add_query(i);
            }
        } else {
            for (int i = 0; i < p.Lq; i++) add_query(i);
        }
    }
    store_row(p.dk, kBase, p.D, lane, dk);
    store_row(p.dv, vBase, p.Dv, lane, dv);
}
