// common.cuh -- helpers shared by every kernel file.
//
// dtype codes: the Java side (dev.surf.cuda.Dt) passes these integers for operands whose element type
// is chosen at run time. Kernels that move many bytes are instantiated per type instead; the run-time
// switch is for small or latency-bound operands (biases, gates, norm weights, generic fallbacks).
//
// Conversions follow the CPU reference (dev.surf.core.Half and Java casts): float -> bf16/f16 rounds to
// nearest even; bf16/f16 -> float is exact; float -> int truncates toward zero, saturates, NaN -> 0.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#define DT_F32 0
#define DT_BF16 1
#define DT_F16 2
#define DT_I32 3
#define DT_I64 4

#define ACT_NONE 0
#define ACT_GELU_TANH 1
#define ACT_SILU 2

__device__ __forceinline__ float bf16_bits_to_float(uint16_t b) {
    return __uint_as_float(((uint32_t)b) << 16);
}

__device__ __forceinline__ float to_f(float v) { return v; }
__device__ __forceinline__ float to_f(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ __forceinline__ float to_f(__half v) { return __half2float(v); }

template <typename T> __device__ __forceinline__ T from_f(float v);
template <> __device__ __forceinline__ float from_f<float>(float v) { return v; }
template <> __device__ __forceinline__ __nv_bfloat16 from_f<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }
template <> __device__ __forceinline__ __half from_f<__half>(float v) { return __float2half_rn(v); }

// Java's (int) and (long) casts of a float: truncate, saturate, NaN -> 0.
__device__ __forceinline__ int java_f2i(float v) {
    if (v != v) return 0;
    return __float2int_rz(v);  // cvt.rzi.s32.f32 saturates at the int range
}
__device__ __forceinline__ long long java_f2l(float v) {
    if (v != v) return 0;
    return __float2ll_rz(v);
}

// Element i of a tensor of run-time dtype, as float (integers as Java converts them).
__device__ __forceinline__ float load_dt(const void* p, int dt, size_t i) {
    switch (dt) {
        case DT_F32: return ((const float*)p)[i];
        case DT_BF16: return __bfloat162float(((const __nv_bfloat16*)p)[i]);
        case DT_F16: return __half2float(((const __half*)p)[i]);
        case DT_I32: return (float)((const int*)p)[i];
        default: return __ll2float_rn(((const long long*)p)[i]);
    }
}

// Stores v at element i, rounding to the run-time dtype.
__device__ __forceinline__ void store_dt(void* p, int dt, size_t i, float v) {
    switch (dt) {
        case DT_F32: ((float*)p)[i] = v; break;
        case DT_BF16: ((__nv_bfloat16*)p)[i] = __float2bfloat16_rn(v); break;
        case DT_F16: ((__half*)p)[i] = __float2half_rn(v); break;
        case DT_I32: ((int*)p)[i] = java_f2i(v); break;
        default: ((long long*)p)[i] = java_f2l(v); break;
    }
}

// The activations in F32, in the same form as CpuElementwise.apply. tanhf/expf are the accurate
// library versions unless a file is built with --use_fast_math.
__device__ __forceinline__ float act_apply(int act, float x) {
    if (act == ACT_GELU_TANH) {
        float inner = x + 0.044715f * x * x * x;
        return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * inner));
    }
    if (act == ACT_SILU) {
        return x / (1.0f + expf(-x));
    }
    return x;
}

// Grid-stride loop over [0, n).
#define GRID_STRIDE(i, n) \
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (size_t)(n); i += (size_t)gridDim.x * blockDim.x)

// --------------------------------------------------------------------------- warp / block reductions

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// scratch holds 32 floats; the fixed tree makes the result independent of timing.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int nwarps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = lane < nwarps ? scratch[lane] : 0.0f;
    return warp_sum(t);
}

// Maximum over the block, like block_sum (NaN-free inputs give the exact maximum; fmaxf drops NaN).
__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int nwarps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = lane < nwarps ? scratch[lane] : -INFINITY;
    return warp_max(t);
}

// --------------------------------------------------------------------------- async copies and tensor cores

// 16-byte global -> shared copy; bytes = 0 writes zeros (used for out-of-range rows; src must still be
// a valid address).
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, int bytes) {
    uint32_t s = (uint32_t)__cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(bytes));
}

// 4-byte global -> shared copy through L1 (.ca; .cg only takes 16 bytes); bytes = 0 writes a zero.
// For gathers whose source addresses are not 16-byte aligned (conv3d_igemm's input patches).
__device__ __forceinline__ void cp_async4(void* smem, const void* gmem, int bytes) {
    uint32_t s = (uint32_t)__cvta_generic_to_shared(smem);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(s), "l"(gmem), "r"(bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* smem) {
    uint32_t s = (uint32_t)__cvta_generic_to_shared(smem);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* smem) {
    uint32_t s = (uint32_t)__cvta_generic_to_shared(smem);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
}

// d += a * b for one m16n8k16 tile: bf16 inputs, f32 accumulators (sm_80+).
__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Two floats as a packed bf16x2 register (low half = first), rounded to nearest even.
__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&v);
}

// F32 -> TF32 (8-bit exponent, 10-bit mantissa), rounded to nearest with ties away from zero, as the
// F32 bit pattern with the 13 low mantissa bits cleared. NaN stays NaN, overflow goes to infinity.
__device__ __forceinline__ uint32_t f32_to_tf32(float v) {
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(v));
    return r;
}

// d += a * b for one m16n8k8 tile: tf32 inputs (registers from f32_to_tf32), f32 accumulators (sm_80+).
// Fragments (g = lane / 4, q = lane % 4): a0 (g, q), a1 (g + 8, q), a2 (g, q + 4), a3 (g + 8, q + 4) of
// A [16 x 8]; b0 (k = q, n = g), b1 (k = q + 4, n = g) of B [8 x 8]; d as for m16n8k16.
__device__ __forceinline__ void mma_tf32_1688(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
