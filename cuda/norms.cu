// norms.cu -- LayerNorm (optionally affine), LayerNorm fused with adaLN modulation, and RMSNorm over
// the last dimension.
//
//   layer_norm:  y = (x - mean) / sqrt(var + eps) [* weight] [+ bias]      population variance
//   layer_norm with shift/scale (adaLN):  y = LN(x) * (1 + scale[b]) + shift[b],  b = row / rowsPerBatch
//   rms_norm:    y = x / sqrt(mean(x^2) + eps) [* weight]
//   channel_rms_norm (the Wan-VAE's RMS_norm over dim 0): x is [C, n], every position p normalised over
//                its C channels, y[c, p] = x[c, p] / max(||x[:, p]||, 1e-12) * sqrt(C) * gamma[c]
//   softmax_rows: s[r, :] = softmax(scale * s[r, :]) in place, F32: the middle step of attention on the
//                GEMM path (CudaAttention: S = Q K^T on the GEMM, this, then S V), used for F32
//                attention with heads too wide for the flash kernels, the Wan-VAE's 384-dim one. A NaN
//                anywhere in a row makes the whole row NaN, as softmax does on the CPU.
//
// Layout: x is [rows, D] contiguous of any floating dtype; weight/bias [D] of any floating dtype;
// shift/scale F32 [B, D]; y [rows, D] of the requested dtype. Statistics are F32 and two-pass (mean,
// then the centred sum of squares), so an offset in the data costs no digits; each block reduces with
// a fixed tree, so results are deterministic.
//
// channel_rms_norm: one thread per position (channel-strided reads are coalesced across the warp),
// the sum of squares in double in channel order exactly as the CPU does it, so F32 is bit-identical.
//
// Variants: layer_norm and rms_norm use one block of 256 threads per row; the row is cached as F32 in dynamic shared memory
// (D * 4 bytes, chosen by the host when it fits) so global memory is read once, else re-read (L2).
// layer_norm_warp and rms_norm_warp: one warp per row for D % 128 == 0, D <= 2048 (see there).
// Built with -fmad=false: like the Java reference, products and sums round separately.
//
// CPU reference: dev.surf.core.cpu.CpuNorms (statistics in double there) and CpuChannelNorm;
// softmax_rows through the attention it belongs to, dev.surf.core.cpu.CpuAttention.
#include "common.cuh"

struct NormParams {
    const void* x;
    void* y;
    const void* weight;  // [D] or null
    const void* bias;    // [D] or null (layer_norm only)
    const float* shift;  // [B, D] or null (adaLN)
    const float* scale;  // [B, D] or null (adaLN)
    long long rowsPerBatch;
    int xDt, yDt, wDt, bDt;
    int D;
    int cached;          // 1: the row fits the dynamic shared memory cache
    float eps;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(NormParams) == 88, "NormParams layout changed: update the Java packer");

namespace {

__device__ __forceinline__ float row_value(const NormParams& p, const float* cache, size_t base, int j) {
    return p.cached ? cache[j] : load_dt(p.x, p.xDt, base + j);
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256) layer_norm(NormParams p) {
    extern __shared__ float cache[];
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const size_t base = (size_t)row * p.D;
    float s = 0.0f;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        float v = load_dt(p.x, p.xDt, base + j);
        if (p.cached) cache[j] = v;
        s += v;
    }
    const float mean = block_sum(s, scratch) / p.D;
    float ss = 0.0f;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        float c = row_value(p, cache, base, j) - mean;
        ss += c * c;
    }
    const float var = block_sum(ss, scratch) / p.D;
    const float inv = 1.0f / sqrtf(var + p.eps);
    const float* sh = p.shift != nullptr ? p.shift + (size_t)(row / p.rowsPerBatch) * p.D : nullptr;
    const float* sc = p.scale != nullptr ? p.scale + (size_t)(row / p.rowsPerBatch) * p.D : nullptr;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        float v = (row_value(p, cache, base, j) - mean) * inv;
        if (p.weight != nullptr) v = v * load_dt(p.weight, p.wDt, j);
        if (p.bias != nullptr) v = v + load_dt(p.bias, p.bDt, j);
        if (sc != nullptr) v = v * (1.0f + sc[j]) + sh[j];
        store_dt(p.y, p.yDt, base + j, v);
    }
}

extern "C" __global__ void __launch_bounds__(256) rms_norm(NormParams p) {
    extern __shared__ float cache[];
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const size_t base = (size_t)row * p.D;
    float ss = 0.0f;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        float v = load_dt(p.x, p.xDt, base + j);
        if (p.cached) cache[j] = v;
        ss += v * v;
    }
    const float inv = 1.0f / sqrtf(block_sum(ss, scratch) / p.D + p.eps);
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        float v = row_value(p, cache, base, j) * inv;
        if (p.weight != nullptr) v = v * load_dt(p.weight, p.wDt, j);
        store_dt(p.y, p.yDt, base + j, v);
    }
}

// --------------------------------------------------------------------------- one warp per row

// Variants layer_norm_warp and rms_norm_warp: the same operations for the DiT's rows, one warp per row
// and 8 rows per 256-thread block (the host takes them when D % 128 == 0, D <= 2048, x and y F32 or
// BF16, weight and bias (when given) F32 or BF16, and x, weight, bias, shift and scale 16-byte
// aligned). Lane l holds the 4-element groups starting at
// 4 (l + 32 i) in registers (at most 64 floats), loaded with one 16-byte (F32) or 8-byte (BF16) access
// each, all in flight together; the sums are shuffle trees, so no shared memory and no block barrier.
// Why: the block kernels above, with their per-element loads and two block reductions, moved 1.1-1.3
// TB/s on an H100 for [32760, 1536] rows (a third of HBM bandwidth; 91 + 90 calls per 1.3B forward).
// Per-element arithmetic is the block kernels', in the same order; only the order of the statistics'
// sums differs.
namespace {

constexpr int WARP_GROUPS = 16;  // 128-element groups per row: D <= 2048

__device__ __forceinline__ void load4(const void* x, int dt, size_t i, float (&v)[4]) {
    if (dt == DT_F32) {
        const float4 a = *reinterpret_cast<const float4*>(static_cast<const float*>(x) + i);
        v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w;
    } else {  // DT_BF16
        const uint2 a = *reinterpret_cast<const uint2*>(static_cast<const __nv_bfloat16*>(x) + i);
        v[0] = bf16_bits_to_float((uint16_t)(a.x & 0xFFFF)), v[1] = bf16_bits_to_float((uint16_t)(a.x >> 16));
        v[2] = bf16_bits_to_float((uint16_t)(a.y & 0xFFFF)), v[3] = bf16_bits_to_float((uint16_t)(a.y >> 16));
    }
}

__device__ __forceinline__ void store4(void* y, int dt, size_t i, const float (&v)[4]) {
    if (dt == DT_F32) {
        *reinterpret_cast<float4*>(static_cast<float*>(y) + i) = make_float4(v[0], v[1], v[2], v[3]);
    } else {  // DT_BF16
        *reinterpret_cast<uint2*>(static_cast<__nv_bfloat16*>(y) + i) = make_uint2(pack_bf16x2(v[0], v[1]), pack_bf16x2(v[2], v[3]));
    }
}

// Loads the row's groups into v; returns this lane's sum of them.
__device__ __forceinline__ float load_row(const NormParams& p, size_t base, int lane, float (&v)[WARP_GROUPS][4]) {
    const int groups = p.D >> 7;
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < WARP_GROUPS; i++) {
        if (i < groups) {
            load4(p.x, p.xDt, base + 4 * (lane + 32 * i), v[i]);
            s += v[i][0] + v[i][1] + v[i][2] + v[i][3];
        }
    }
    return s;
}

// One warp's row: LayerNorm when `centred` (mean subtracted; weight, bias, adaLN shift/scale as given),
// RMSNorm otherwise (the same code with the mean taken as 0, which changes no bit: v - 0 is v).
__device__ __forceinline__ void norm_row_warp(const NormParams& p, long long rows, bool centred) {
    const long long row = (long long)blockIdx.x * 8 + (threadIdx.x >> 5);
    if (row >= rows) return;
    const int lane = threadIdx.x & 31;
    const int groups = p.D >> 7;
    const size_t base = (size_t)row * p.D;
    float v[WARP_GROUPS][4];
    const float s = load_row(p, base, lane, v);
    const float mean = centred ? warp_sum(s) / p.D : 0.0f;
    float ss = 0.0f;
#pragma unroll
    for (int i = 0; i < WARP_GROUPS; i++) {
        if (i < groups) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const float c = v[i][e] - mean;
                ss += c * c;
            }
        }
    }
    const float inv = 1.0f / sqrtf(warp_sum(ss) / p.D + p.eps);
    const size_t mod = p.shift != nullptr ? (size_t)(row / p.rowsPerBatch) * p.D : 0;
#pragma unroll
    for (int i = 0; i < WARP_GROUPS; i++) {
        if (i < groups) {
            const int j0 = 4 * (lane + 32 * i);
            float o[4], w[4] = {1.0f, 1.0f, 1.0f, 1.0f}, b[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            if (p.weight != nullptr) load4(p.weight, p.wDt, j0, w);
            if (p.bias != nullptr) load4(p.bias, p.bDt, j0, b);
#pragma unroll
            for (int e = 0; e < 4; e++) {
                float t = (v[i][e] - mean) * inv;
                if (p.weight != nullptr) t = t * w[e];
                if (p.bias != nullptr) t = t + b[e];
                o[e] = t;
            }
            if (p.shift != nullptr) {
                const float4 sc = *reinterpret_cast<const float4*>(p.scale + mod + j0);
                const float4 sh = *reinterpret_cast<const float4*>(p.shift + mod + j0);
                o[0] = o[0] * (1.0f + sc.x) + sh.x;
                o[1] = o[1] * (1.0f + sc.y) + sh.y;
                o[2] = o[2] * (1.0f + sc.z) + sh.z;
                o[3] = o[3] * (1.0f + sc.w) + sh.w;
            }
            store4(p.y, p.yDt, base + j0, o);
        }
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256) layer_norm_warp(NormParams p, long long rows) {
    norm_row_warp(p, rows, true);
}

extern "C" __global__ void __launch_bounds__(256) rms_norm_warp(NormParams p, long long rows) {
    norm_row_warp(p, rows, false);
}

// scale = (float) sqrt(C), computed on the host exactly as the CPU reference does.
extern "C" __global__ void channel_rms_norm(const void* __restrict__ x, void* __restrict__ y, const void* __restrict__ gamma,
                                            int dt, int gDt, int C, long long n, float scale) {
    GRID_STRIDE(p, n) {
        double ss = 0.0;
        for (int c = 0; c < C; c++) {
            const double v = load_dt(x, dt, (size_t)c * n + p);
            ss = __dadd_rn(ss, __dmul_rn(v, v));
        }
        const double len = __dsqrt_rn(ss);
        const float norm = (float)(len != len || len > 1e-12 ? len : 1e-12);  // Math.max: NaN wins
        for (int c = 0; c < C; c++) {
            const size_t i = (size_t)c * n + p;
            store_dt(y, dt, i, __fmul_rn(__fmul_rn(__fdiv_rn(load_dt(x, dt, i), norm), scale), load_dt(gamma, gDt, c)));
        }
    }
}

// One block of 256 threads per row (grid-strided over rows); the row is read three times (max, exp
// and sum, scale), from L2 for the VAE's 6240-wide rows.
extern "C" __global__ void softmax_rows(float* s, long long rows, int cols, float scale) {
    __shared__ float scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        float* row = s + r * (long long)cols;
        float m = -INFINITY;
        bool nan = false;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            float v = row[j] * scale;
            nan |= isnan(v);
            m = fmaxf(m, v);
        }
        m = block_max(m, scratch);
        if (__syncthreads_or(nan)) {
            m = NAN;
        }
        float sum = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            float e = expf(row[j] * scale - m);
            row[j] = e;
            sum += e;
        }
        float inv = 1.0f / block_sum(sum, scratch);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            row[j] *= inv;
        }
    }
}
