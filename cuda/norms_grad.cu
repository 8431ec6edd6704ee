// norms_grad.cu -- input gradients of the row norms and of the Wan-VAE channel RMS norm, F32 out:
//
//   row_norm_backward, centre = 1 (LayerNorm, adaLN):  dx = inv (g - mean(g) - xhat mean(g xhat))
//   row_norm_backward, centre = 0 (RMSNorm):           dx = inv (g - xhat mean(g xhat))
//     with xhat the normalised row, inv = 1 / sqrt(var + eps) (RMSNorm: mean(x^2) + eps) recomputed
//     from x, and g = dy * gain; gain is 1 (null), weight [D], or adaLN's 1 + scale[b] (addOne = 1,
//     one row of D per rowsPerGain rows).
//   channel_rms_norm_backward (y = s gamma x / n, n = max(||x[:, p]||, 1e-12), s = sqrt(C)):
//     dx = s / n (g - x (x.g) / n^2) with g = dy * gamma, or s g / 1e-12 where the bound is active.
//
// Layout: x, dy [rows, D] (channel norm: [C, n]) contiguous of any floating dtype; dx F32.
// Launch: row_norm_backward one block of 256 threads per row, four passes over the row (mean, the
// centred sum of squares, the two sums of g, then dx; re-read from global memory / L2), statistics
// and the formula in double as the CPU computes them (in F32, dx = inv (g - xhat mean(g xhat)) loses
// every digit for short rows, where xhat^2 is within 1e-7 of 1), every sum through a fixed
// shared-memory tree, so results are deterministic; the pass is memory-bound, so double costs
// little on sm_80 / sm_90. channel_rms_norm_backward one thread per position, in double in channel
// order as the CPU does. Correctness first: not measured, no device
// was lent when it was written.
//
// CPU reference: dev.surf.core.cpu.CpuNormBackward, CpuChannelNormBackward.
#include "common.cuh"

struct NormGradParams {
    const void* x;
    const void* dy;
    float* dx;
    const void* gain;      // [D], [B, D] (rowsPerGain > 0) or null
    long long rowsPerGain; // 0: one gain row for all rows
    int xDt, dyDt, gainDt;
    int D;
    int centre;            // 1: LayerNorm (subtract the mean), 0: RMSNorm
    int addOne;            // 1: the gain is 1 + gain (adaLN's scale)
    float eps;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(NormGradParams) == 72, "NormGradParams layout changed: update the Java packer");

namespace {

// g = dy * gain at column j, in double as the CPU (the gain itself is F32: 1 + scale rounds in F32 there too).
__device__ __forceinline__ double grad_at(const NormGradParams& p, size_t base, size_t gainBase, int j) {
    const double dy = load_dt(p.dy, p.dyDt, base + j);
    if (p.gain == nullptr) return dy;
    const float g = load_dt(p.gain, p.gainDt, gainBase + j);
    return dy * (p.addOne ? g + 1.0f : g);
}

// block_sum of common.cuh in double: a fixed tree, so the result is independent of timing.
__device__ __forceinline__ double block_sum_d(double v, double* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int nwarps = blockDim.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    double t = lane < nwarps ? scratch[lane] : 0.0;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) t += __shfl_xor_sync(0xffffffffu, t, o);
    return t;
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256) row_norm_backward(NormGradParams p) {
    __shared__ double scratch[32];
    const long long row = blockIdx.x;
    const size_t base = (size_t)row * p.D;
    const size_t gainBase = p.rowsPerGain > 0 ? (size_t)(row / p.rowsPerGain) * p.D : 0;
    double mean = 0.0;
    if (p.centre) {
        double s = 0.0;
        for (int j = threadIdx.x; j < p.D; j += blockDim.x) s += load_dt(p.x, p.xDt, base + j);
        mean = block_sum_d(s, scratch) / p.D;
    }
    double ss = 0.0;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        const double c = load_dt(p.x, p.xDt, base + j) - mean;
        ss += c * c;
    }
    const double inv = 1.0 / sqrt(block_sum_d(ss, scratch) / p.D + p.eps);
    double sg = 0.0;
    double sgx = 0.0;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        const double xh = (load_dt(p.x, p.xDt, base + j) - mean) * inv;
        const double g = grad_at(p, base, gainBase, j);
        sg += g;
        sgx += g * xh;
    }
    const double mg = p.centre ? block_sum_d(sg, scratch) / p.D : 0.0;
    const double mgx = block_sum_d(sgx, scratch) / p.D;
    for (int j = threadIdx.x; j < p.D; j += blockDim.x) {
        const double xh = (load_dt(p.x, p.xDt, base + j) - mean) * inv;
        p.dx[base + j] = (float)(inv * (grad_at(p, base, gainBase, j) - mg - xh * mgx));
    }
}

extern "C" __global__ void channel_rms_norm_backward(const void* x, int xDt, const void* dy, int dyDt, const void* gamma,
                                                     int gDt, float* dx, int c, long long n, float scale) {
    const double eps = 1e-12;
    const double s = scale;
    GRID_STRIDE(pos, n) {
        double ss = 0.0;
        double xg = 0.0;
        for (int ch = 0; ch < c; ch++) {
            const double v = load_dt(x, xDt, (size_t)ch * n + pos);
            ss += v * v;
            xg += v * load_dt(dy, dyDt, (size_t)ch * n + pos) * load_dt(gamma, gDt, ch);
        }
        const double norm = sqrt(ss);
        const bool bounded = norm <= eps;
        const double nn = bounded ? eps : norm;
        for (int ch = 0; ch < c; ch++) {
            const double g = (double)load_dt(dy, dyDt, (size_t)ch * n + pos) * load_dt(gamma, gDt, ch);
            const double v = load_dt(x, xDt, (size_t)ch * n + pos);
            dx[(size_t)ch * n + pos] = (float)(bounded ? s * g / nn : s / nn * (g - v * xg / (nn * nn)));
        }
    }
}
