// elementwise.cu -- broadcasting add/mul, activations and the F32 linear combinations that the
// samplers and classifier-free guidance use.
//
//   binary_add / binary_mul  y[i] = a[i] op b[i % m]: b's shape is a suffix of a's (m = b's element
//                            count), computed in F32 and rounded to a's dtype; y may be a (in place)
//   activation               y[i] = act(x[i]) (GELU-tanh, SiLU) in F32, rounded to x's dtype
//   clamp                    y[i] = min(max(x[i], lo), hi) in x's dtype; NaN passes through
//   combine                  out[i] = ((c0 x0[i] + c1 x1[i]) + c2 x2[i]) + ...: acc = c0 * x0, then
//                            acc = fmaf(ck, xk, acc) for k = 1, 2, ..., in F32 (out is F32). With
//                            accumulate = 1 the chain continues from out[i] (more than MAX_TERMS terms
//                            run as several launches with identical bits). out may be one of the xs:
//                            each element is read before it is written.
//
// Every input may be F32, BF16 or F16 (converted exactly); dtypes are run-time codes. One thread per
// element, grid-stride, 32-bit index arithmetic when the element count allows (the common case).
// Built with -fmad=false, and combine spells its operations as __fmul_rn/__fmaf_rn, so combine is
// bit-identical to the Java reference and add/mul round exactly as Java's float arithmetic does.
//
// CPU reference: dev.surf.core.cpu.CpuElementwise (binary, activation, combineInto), CpuClamp.
#include "common.cuh"

#define MAX_TERMS 16

struct CombineParams {
    const void* x[MAX_TERMS];
    int dt[MAX_TERMS];
    float c[MAX_TERMS];
    float* out;
    long long n;
    int count;
    int accumulate;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(CombineParams) == 280, "CombineParams layout changed: update the Java packer");

namespace {

template <typename I, bool MUL>
__device__ __forceinline__ void binary_body(const void* a, int aDt, const void* b, int bDt, void* y, I n, I m) {
    for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I)gridDim.x * blockDim.x) {
        const float x = load_dt(a, aDt, i);
        const float z = load_dt(b, bDt, i % m);
        store_dt(y, aDt, i, MUL ? x * z : x + z);
    }
}

}  // namespace

extern "C" __global__ void binary_add(const void* a, int aDt, const void* b, int bDt, void* y, long long n, long long m) {
    if (n <= 0x7fffffffLL) binary_body<unsigned, false>(a, aDt, b, bDt, y, (unsigned)n, (unsigned)m);
    else binary_body<unsigned long long, false>(a, aDt, b, bDt, y, n, m);
}

extern "C" __global__ void binary_mul(const void* a, int aDt, const void* b, int bDt, void* y, long long n, long long m) {
    if (n <= 0x7fffffffLL) binary_body<unsigned, true>(a, aDt, b, bDt, y, (unsigned)n, (unsigned)m);
    else binary_body<unsigned long long, true>(a, aDt, b, bDt, y, n, m);
}

extern "C" __global__ void activation(const void* x, void* y, int dt, long long n, int act) {
    GRID_STRIDE(i, n) { store_dt(y, dt, i, act_apply(act, load_dt(x, dt, i))); }
}

extern "C" __global__ void clamp(const void* x, void* y, int dt, long long n, float lo, float hi) {
    GRID_STRIDE(i, n) {
        const float v = load_dt(x, dt, i);
        // plain comparisons are false for NaN, so NaN is kept (as in CpuClamp and torch.clamp)
        store_dt(y, dt, i, v < lo ? lo : (v > hi ? hi : v));
    }
}

extern "C" __global__ void combine(CombineParams p) {
    GRID_STRIDE(i, p.n) {
        float acc;
        int k0;
        if (p.accumulate) {
            acc = p.out[i];
            k0 = 0;
        } else {
            acc = __fmul_rn(p.c[0], load_dt(p.x[0], p.dt[0], i));
            k0 = 1;
        }
        for (int k = k0; k < p.count; k++) acc = __fmaf_rn(p.c[k], load_dt(p.x[k], p.dt[k], i), acc);
        p.out[i] = acc;
    }
}
