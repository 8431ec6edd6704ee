// conv3d.cu -- stride-1 3-D convolution with zero padding and causal time padding (the Wan-VAE's
// CausalConv3d; kt = 1, padFront = 0 is a 2-D convolution).
//
// x is [Cin, T, H, W] (channels first, no batch), w is [Cout, Cin, kt, kh, kw], bias [Cout] or null,
// all of run-time floating dtypes; y is [Cout, To, Ho, Wo] in x's dtype with To = T + padFront - kt + 1,
// Ho = H + 2 padH - kh + 1, Wo = W + 2 padW - kw + 1 and
//   y[o, t, r, q] = bias[o] + sum over (c, i, j, k) of w[o, c, i, j, k] * xpad[c, t + i - padFront, r + j - padH, q + k - padW]
// (xpad is 0 outside the input).
//
// Variant conv3d_direct: one thread per output element, blockIdx.y = output channel, so a warp reads
// one weight (a broadcast) and 32 consecutive input positions per tap. Each element accumulates over
// (c, i, j, k) in order with fused multiply-adds, starting from 0, padding taps included as 0 * w, and
// adds the bias (0 without one) last: the CPU's order (CpuConv), so F32 results are bit-identical. A direct
// convolution is simple and exact but CUDA-core bound; an implicit-GEMM tensor-core version is the
// next step if the VAE decode becomes a bottleneck (see cuda/NOTES.md).
//
// CPU reference: dev.surf.core.cpu.CpuConv.
#include "common.cuh"

struct Conv3dParams {
    const void* x;
    const void* w;
    const void* bias;
    void* y;
    int xDt, wDt, bDt, yDt;
    int cin, t, h, w_, cout, kt, kh, kw;
    int padFront, padH, padW;
    int to, ho, wo;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(Conv3dParams) == 104, "Conv3dParams layout changed: update the Java packer");

extern "C" __global__ void __launch_bounds__(256) conv3d_direct(Conv3dParams p) {
    const long long plane = (long long)p.ho * p.wo;
    const long long pos = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const int o = blockIdx.y;
    if (pos >= (long long)p.to * plane) return;
    const int t = (int)(pos / plane);
    const int r = (int)((pos % plane) / p.wo);
    const int q = (int)(pos % p.wo);
    const size_t wBase = (size_t)o * p.cin * p.kt * p.kh * p.kw;
    float acc = 0.0f;
    size_t tap = 0;
    for (int c = 0; c < p.cin; c++) {
        for (int i = 0; i < p.kt; i++) {
            const int ti = t + i - p.padFront;
            const bool tIn = ti >= 0 && ti < p.t;
            for (int j = 0; j < p.kh; j++) {
                const int yi = r + j - p.padH;
                const bool yIn = tIn && yi >= 0 && yi < p.h;
                const size_t rowBase = ((size_t)(c * p.t + (tIn ? ti : 0)) * p.h + (yIn ? yi : 0)) * p.w_;
                for (int k = 0; k < p.kw; k++, tap++) {
                    const int xi = q + k - p.padW;
                    const float v = (yIn && xi >= 0 && xi < p.w_) ? load_dt(p.x, p.xDt, rowBase + xi) : 0.0f;
                    acc = __fmaf_rn(v, load_dt(p.w, p.wDt, wBase + tap), acc);
                }
            }
        }
    }
    // the CPU adds the bias (0 without one) to every result, which also turns -0 into +0
    acc = __fadd_rn(acc, p.bias != nullptr ? load_dt(p.bias, p.bDt, o) : 0.0f);
    store_dt(p.y, p.yDt, (size_t)o * p.to * plane + pos, acc);
}
