// philox.cu -- standard normal samples from Philox4x32-10 + Box-Muller, bit-identical to the CPU.
//
// Element i of the stream (seed, offset) is PhiloxNormal.sample(seed, offset, i): block g = i / 4 is
// Philox4x32-10 of counter (lo(g), hi(g), lo(offset), hi(offset)) and key (lo(seed), hi(seed));
// lanes 0, 1 use the words (u0, u1), lanes 2, 3 use (u2, u3): U = (a + 0.5) 2^-32, r = sqrt(-2 ln U),
// angle = 2 pi b / 2^32, even lanes r cos, odd lanes r sin, rounded to float and then to the output
// dtype (F32, BF16 or F16, round to nearest even).
//
// ln, cos and sin are not the CUDA library's: they are the fixed sequences of IEEE double operations
// that dev.surf.core.PhiloxNormal specifies (its javadoc is the specification), written here with the
// correctly rounded intrinsics __dadd_rn, __dsub_rn, __dmul_rn, __fma_rn, __ddiv_rn and __dsqrt_rn,
// which the compiler never contracts or reorders. The file is also built with -fmad=false and without
// --use_fast_math, so nothing else can drift. The coefficient tables are the Java hex literals.
//
// Variant philox_normal: one thread per block of 4 samples (grid-stride); `first` is the stream index
// of element 0 of the output (a multiple of 4 is not required).
//
// CPU reference: dev.surf.core.PhiloxNormal (and dev.surf.core.Philox for the generator).
#include "common.cuh"

namespace {

__device__ const double LN_COEF[12] = {
    0x1.0000000000000p0, 0x1.5555555555555p-2, 0x1.999999999999ap-3, 0x1.2492492492492p-3,
    0x1.c71c71c71c71cp-4, 0x1.745d1745d1746p-4, 0x1.3b13b13b13b14p-4, 0x1.1111111111111p-4,
    0x1.e1e1e1e1e1e1ep-5, 0x1.af286bca1af28p-5, 0x1.8618618618618p-5, 0x1.642c8590b2164p-5,
};

__device__ const double SIN_COEF[11] = {
    0x1.0000000000000p0, -0x1.5555555555555p-3, 0x1.1111111111111p-7, -0x1.a01a01a01a01ap-13,
    0x1.71de3a556c734p-19, -0x1.ae64567f544e4p-26, 0x1.6124613a86d09p-33, -0x1.ae7f3e733b81fp-41,
    0x1.952c77030ad4ap-49, -0x1.2f49b46814157p-57, 0x1.71b8ef6dcf572p-66,
};

__device__ const double COS_COEF[12] = {
    0x1.0000000000000p0, -0x1.0000000000000p-1, 0x1.5555555555555p-5, -0x1.6c16c16c16c17p-10,
    0x1.a01a01a01a01ap-16, -0x1.27e4fb7789f5cp-22, 0x1.1eed8eff8d898p-29, -0x1.93974a8c07c9dp-37,
    0x1.ae7f3e733b81fp-45, -0x1.6827863b97d97p-53, 0x1.e542ba4020225p-62, -0x1.0ce396db7f853p-70,
};

constexpr double TWO_POW_M32 = 0x1.0p-32;
constexpr double TWO_POW_M30 = 0x1.0p-30;
constexpr double SQRT2 = 0x1.6a09e667f3bcdp0;
constexpr double LN2 = 0x1.62e42fefa39efp-1;
constexpr double HALF_PI = 0x1.921fb54442d18p0;

__device__ __forceinline__ void philox4x32_10(uint32_t c[4], uint32_t k0, uint32_t k1) {
#pragma unroll
    for (int r = 0; r < 10; r++) {
        const uint32_t hi0 = __umulhi(0xD2511F53u, c[0]);
        const uint32_t lo0 = 0xD2511F53u * c[0];
        const uint32_t hi1 = __umulhi(0xCD9E8D57u, c[2]);
        const uint32_t lo1 = 0xCD9E8D57u * c[2];
        const uint32_t n0 = hi1 ^ c[1] ^ k0;
        const uint32_t n2 = hi0 ^ c[3] ^ k1;
        c[1] = lo1;
        c[3] = lo0;
        c[0] = n0;
        c[2] = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
}

// PhiloxNormal.ln: natural log of u in (0, 1], normal doubles only.
__device__ __forceinline__ double ln_fixed(double u) {
    const long long bits = __double_as_longlong(u);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    double m = __longlong_as_double((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    if (m > SQRT2) {
        m = __dmul_rn(m, 0.5);
        e += 1;
    }
    const double s = __ddiv_rn(__dsub_rn(m, 1.0), __dadd_rn(m, 1.0));
    const double z = __dmul_rn(s, s);
    double p = LN_COEF[11];
#pragma unroll
    for (int k = 10; k >= 0; k--) p = __fma_rn(p, z, LN_COEF[k]);
    const double lnm = __dmul_rn(__dmul_rn(2.0, s), p);
    return __fma_rn((double)e, LN2, lnm);
}

// PhiloxNormal.cosSinTurn: cos and sin of 2 pi b / 2^32.
__device__ __forceinline__ void cos_sin_turn(uint32_t b, double& cosOut, double& sinOut) {
    const uint32_t q = b >> 30;
    const double phi = __dmul_rn(__dmul_rn((double)(int)(b & 0x3fffffffu), TWO_POW_M30), HALF_PI);
    const double z = __dmul_rn(phi, phi);
    double ps = SIN_COEF[10];
#pragma unroll
    for (int k = 9; k >= 0; k--) ps = __fma_rn(ps, z, SIN_COEF[k]);
    const double s = __dmul_rn(phi, ps);
    double c = COS_COEF[11];
#pragma unroll
    for (int k = 10; k >= 0; k--) c = __fma_rn(c, z, COS_COEF[k]);
    switch (q) {
        case 0: cosOut = c; sinOut = s; break;
        case 1: cosOut = -s; sinOut = c; break;
        case 2: cosOut = -c; sinOut = -s; break;
        default: cosOut = s; sinOut = -c; break;
    }
}

// The four samples of block g.
__device__ __forceinline__ void normal_block(unsigned long long seed, unsigned long long offset, unsigned long long g,
                                             float out[4]) {
    uint32_t c[4] = {(uint32_t)g, (uint32_t)(g >> 32), (uint32_t)offset, (uint32_t)(offset >> 32)};
    philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
#pragma unroll
    for (int pr = 0; pr < 2; pr++) {
        const double u = __dmul_rn(__dadd_rn((double)c[2 * pr], 0.5), TWO_POW_M32);
        const double r = __dsqrt_rn(__dmul_rn(-2.0, ln_fixed(u)));
        double cs, sn;
        cos_sin_turn(c[2 * pr + 1], cs, sn);
        out[2 * pr] = __double2float_rn(__dmul_rn(r, cs));
        out[2 * pr + 1] = __double2float_rn(__dmul_rn(r, sn));
    }
}

}  // namespace

// Writes elements [first, first + n) of the stream to y[0 .. n) in dtype dt.
extern "C" __global__ void philox_normal(void* y, int dt, long long n, unsigned long long seed,
                                         unsigned long long offset, unsigned long long first) {
    const unsigned long long gFirst = first >> 2;
    const unsigned long long gLast = (first + (unsigned long long)n - 1) >> 2;
    GRID_STRIDE(t, gLast - gFirst + 1) {
        const unsigned long long g = gFirst + t;
        float four[4];
        normal_block(seed, offset, g, four);
#pragma unroll
        for (int lane = 0; lane < 4; lane++) {
            const unsigned long long i = 4 * g + lane;  // stream index
            if (i >= first && i < first + (unsigned long long)n) store_dt(y, dt, i - first, four[lane]);
        }
    }
}
