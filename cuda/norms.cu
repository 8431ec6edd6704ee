// norms.cu -- LayerNorm (optionally affine), LayerNorm fused with adaLN modulation, and RMSNorm over
// the last dimension.
//
//   layer_norm:  y = (x - mean) / sqrt(var + eps) [* weight] [+ bias]      population variance
//   layer_norm with shift/scale (adaLN):  y = LN(x) * (1 + scale[b]) + shift[b],  b = row / rowsPerBatch
//   rms_norm:    y = x / sqrt(mean(x^2) + eps) [* weight]
//
// Layout: x is [rows, D] contiguous of any floating dtype; weight/bias [D] of any floating dtype;
// shift/scale F32 [B, D]; y [rows, D] of the requested dtype. Statistics are F32 and two-pass (mean,
// then the centred sum of squares), so an offset in the data costs no digits; each block reduces with
// a fixed tree, so results are deterministic.
//
// Variants: one block of 256 threads per row; the row is cached as F32 in dynamic shared memory
// (D * 4 bytes, chosen by the host when it fits) so global memory is read once, else re-read (L2).
// Built with -fmad=false: like the Java reference, products and sums round separately.
//
// CPU reference: dev.surf.core.cpu.CpuNorms (statistics in double there).
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
