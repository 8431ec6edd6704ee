// convert.cu -- dtype conversion of a contiguous tensor.
//
// y[i] = convert(x[i]) for F32, BF16, F16, I32 and I64 in any direction, as the CPU backend does:
// floating -> floating through F32 (narrowing rounds to nearest even), integer -> floating as Java's
// int/long -> float conversion, floating -> integer as Java's (int)/(long) cast (truncate, saturate,
// NaN -> 0), I32 <-> I64 exactly; an I64 value outside the int range sets *overflow (the host then
// throws, as Math.toIntExact does on the CPU).
//
// Variants: convert (run-time dtype codes, any pair) and the unrolled, 16-byte-wide pair that the
// models use all the time: f32_to_bf16 and bf16_to_f32 (8 elements per thread when n is a multiple
// of 8 and both pointers are 16-byte aligned; the host checks and otherwise uses convert).
//
// CPU reference: dev.surf.core.cpu.CpuCopy.convert and dev.surf.core.Half.
#include "common.cuh"

extern "C" __global__ void convert(const void* x, int xDt, void* y, int yDt, long long n, int* overflow) {
    const bool xInt = xDt == DT_I32 || xDt == DT_I64;
    const bool yInt = yDt == DT_I32 || yDt == DT_I64;
    GRID_STRIDE(i, n) {
        if (xInt && yInt) {
            long long v = xDt == DT_I64 ? ((const long long*)x)[i] : ((const int*)x)[i];
            if (yDt == DT_I64) {
                ((long long*)y)[i] = v;
            } else {
                if (v < -2147483648LL || v > 2147483647LL) atomicExch(overflow, 1);
                ((int*)y)[i] = (int)v;
            }
        } else {
            store_dt(y, yDt, i, load_dt(x, xDt, i));
        }
    }
}

// n8 = n / 8 groups of 8 elements.
extern "C" __global__ void f32_to_bf16(const float4* __restrict__ x, uint4* __restrict__ y, long long n8) {
    GRID_STRIDE(i, n8) {
        const float4 a = x[2 * i];
        const float4 b = x[2 * i + 1];
        uint4 o;
        o.x = pack_bf16x2(a.x, a.y);
        o.y = pack_bf16x2(a.z, a.w);
        o.z = pack_bf16x2(b.x, b.y);
        o.w = pack_bf16x2(b.z, b.w);
        y[i] = o;
    }
}

extern "C" __global__ void bf16_to_f32(const uint4* __restrict__ x, float4* __restrict__ y, long long n8) {
    GRID_STRIDE(i, n8) {
        const uint4 v = x[i];
        y[2 * i] = make_float4(__uint_as_float(v.x << 16), __uint_as_float(v.x & 0xffff0000u),
                               __uint_as_float(v.y << 16), __uint_as_float(v.y & 0xffff0000u));
        y[2 * i + 1] = make_float4(__uint_as_float(v.z << 16), __uint_as_float(v.z & 0xffff0000u),
                                   __uint_as_float(v.w << 16), __uint_as_float(v.w & 0xffff0000u));
    }
}
