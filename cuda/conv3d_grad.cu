// conv3d_grad.cu -- the two gradients of conv3d (stride 1, zero padding, causal in time), F32 out:
//
//   conv3d_grad_input:   dx[c, t, y, x]    = sum_(o, i, j, k) dy[o, t + pf - i, y + ph - j, x + pw - k] w[o, c, i, j, k]
//   conv3d_grad_weight:  dw[o, c, i, j, k] = sum_(t, y, x)    dy[o, t, y, x] x[c, t + i - pf, y + j - ph, x + k - pw]
//   (terms outside dy or x are zero)
//
// Layout: dy [Cout, To, Ho, Wo], w [Cout, Cin, kt, kh, kw], x [Cin, T, H, W], contiguous, of any
// floating dtype (converted exactly to F32); dx and dw F32.
// Launch: one thread per output element (grid-stride), direct loops in the CPU reference's order in
// double; a product of two floats is exact in double and -fmad=false (the build.sh default) keeps
// the sums unfused, so F32 results are bit-identical to CpuConvBackward. Slow by design (dw sums
// To Ho Wo terms per thread): the correct baseline a tiled or implicit-GEMM kernel would be tested
// against. Not measured: no device was lent when it was written.
//
// CPU reference: dev.surf.core.cpu.CpuConvBackward.
#include "common.cuh"

struct ConvGradParams {
    const void* dy;
    const void* other;  // w (grad input) or x (grad weight)
    float* out;         // dx or dw
    int dyDt, otherDt;
    int cout, cin, t, h, w, kt, kh, kw, to, ho, wo, pf, ph, pw;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(ConvGradParams) == 88, "ConvGradParams layout changed: update the Java packer");

extern "C" __global__ void conv3d_grad_input(ConvGradParams p) {
    GRID_STRIDE(idx, (size_t)p.cin * p.t * p.h * p.w) {
        const int x = (int)(idx % p.w);
        const int y = (int)((idx / p.w) % p.h);
        const int t = (int)((idx / ((size_t)p.w * p.h)) % p.t);
        const int c = (int)(idx / ((size_t)p.w * p.h * p.t));
        double acc = 0.0;
        for (int o = 0; o < p.cout; o++) {
            for (int i = 0; i < p.kt; i++) {
                const int ot = t + p.pf - i;
                if (ot < 0 || ot >= p.to) continue;
                for (int j = 0; j < p.kh; j++) {
                    const int oy = y + p.ph - j;
                    if (oy < 0 || oy >= p.ho) continue;
                    for (int k = 0; k < p.kw; k++) {
                        const int ox = x + p.pw - k;
                        if (ox >= 0 && ox < p.wo) {
                            acc += (double)load_dt(p.dy, p.dyDt, (((size_t)o * p.to + ot) * p.ho + oy) * p.wo + ox)
                                   * load_dt(p.other, p.otherDt, ((((size_t)o * p.cin + c) * p.kt + i) * p.kh + j) * p.kw + k);
                        }
                    }
                }
            }
        }
        p.out[idx] = (float)acc;
    }
}

extern "C" __global__ void conv3d_grad_weight(ConvGradParams p) {
    GRID_STRIDE(idx, (size_t)p.cout * p.cin * p.kt * p.kh * p.kw) {
        const int k = (int)(idx % p.kw);
        const int j = (int)((idx / p.kw) % p.kh);
        const int i = (int)((idx / ((size_t)p.kw * p.kh)) % p.kt);
        const int c = (int)((idx / ((size_t)p.kw * p.kh * p.kt)) % p.cin);
        const int o = (int)(idx / ((size_t)p.kw * p.kh * p.kt * p.cin));
        double acc = 0.0;
        for (int t = 0; t < p.to; t++) {
            const int xt = t + i - p.pf;
            if (xt < 0 || xt >= p.t) continue;
            for (int y = 0; y < p.ho; y++) {
                const int xy = y + j - p.ph;
                if (xy < 0 || xy >= p.h) continue;
                const size_t gRow = (((size_t)o * p.to + t) * p.ho + y) * p.wo;
                const size_t xRow = (((size_t)c * p.t + xt) * p.h + xy) * p.w;
                for (int xx = 0; xx < p.wo; xx++) {
                    const int xi = xx + k - p.pw;
                    if (xi >= 0 && xi < p.w) {
                        acc += (double)load_dt(p.dy, p.dyDt, gRow + xx) * load_dt(p.other, p.otherDt, xRow + xi);
                    }
                }
            }
        }
        p.out[idx] = (float)acc;
    }
}
