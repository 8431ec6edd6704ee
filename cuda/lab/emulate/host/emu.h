// emu.h -- runs CUDA kernel source on the host, for checking a kernel's logic without a GPU: one
// std::thread per CUDA thread, the blocks of a grid one after the other, __syncthreads and the warp
// shuffles through std::barrier (a shuffle is a write to the warp's slots, a barrier, a read, a
// barrier), __shared__ as static storage (shared by the block that runs; blocks never overlap).
// What it cannot see: races between threads that the hardware would expose, memory ordering,
// timing, anything that differs between the device's and the host's float functions (expf, tanh),
// and a warp that diverges around a shuffle (every kernel it runs keeps shuffles warp-uniform).
// Include it first, then the kernel file (with its common.cuh by absolute path or -I cuda).
#pragma once
#include <barrier>
#include <thread>
#include <vector>
#include <functional>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
struct dim3_ { unsigned x = 0, y = 0, z = 0; };
inline thread_local dim3_ threadIdx;
inline dim3_ blockIdx, blockDim, gridDim;
inline std::barrier<>* g_block;
inline std::barrier<>* g_warp[32];
inline double g_slot[32][32];
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
inline void __syncthreads() { g_block->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { g_warp[threadIdx.x >> 5]->arrive_and_wait(); }
template <typename T> T __shfl_xor_sync(unsigned, T v, int o) {
    int w = threadIdx.x >> 5, l = threadIdx.x & 31;
    g_slot[w][l] = (double)v;
    g_warp[w]->arrive_and_wait();
    T r = (T)g_slot[w][l ^ o];
    g_warp[w]->arrive_and_wait();
    return r;
}
template <typename T> T __shfl_sync(unsigned, T v, int src) {
    int w = threadIdx.x >> 5, l = threadIdx.x & 31;
    g_slot[w][l] = (double)v;
    g_warp[w]->arrive_and_wait();
    T r = (T)g_slot[w][src];
    g_warp[w]->arrive_and_wait();
    return r;
}
inline size_t __cvta_generic_to_shared(const void* p) { return (size_t)p; }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline float __fmaf_rn(float a, float b, float c) { return std::fmaf(a, b, c); }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline int __float2int_rz(float v) { if (v >= 2147483647.0f) return 2147483647; if (v <= -2147483648.0f) return (-2147483647 - 1); return (int)v; }
inline long long __float2ll_rz(float v) { return (long long)v; }
inline float __ll2float_rn(long long v) { return (float)v; }
using std::min; using std::max;
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }

// Runs kernel(args...) on a grid of (gx, gy) blocks of `threads` threads. Warps must be full (the
// kernels launch multiples of 32).
template <typename F>
void launch(int gx, int gy, int threads, F kernel) {
    gridDim.x = gx; gridDim.y = gy; gridDim.z = 1;
    blockDim.x = threads; blockDim.y = 1; blockDim.z = 1;
    for (int by = 0; by < gy; by++) {
        for (int bx = 0; bx < gx; bx++) {
            blockIdx.x = bx; blockIdx.y = by; blockIdx.z = 0;
            std::barrier<> block(threads);
            g_block = &block;
            std::vector<std::unique_ptr<std::barrier<>>> warps;
            for (int w = 0; w < threads / 32; w++) { warps.emplace_back(new std::barrier<>(32)); g_warp[w] = warps.back().get(); }
            std::vector<std::thread> ts;
            for (int t = 0; t < threads; t++) ts.emplace_back([t, &kernel] { threadIdx.x = t; threadIdx.y = 0; threadIdx.z = 0; kernel(); });
            for (auto& t : ts) t.join();
        }
    }
}

// ||a - ref|| / ||ref|| (||a - ref|| where ref is 0); infinity if a holds a NaN (an unwritten output).
inline double rel_error(const std::vector<float>& a, const std::vector<double>& ref) {
    double n = 0, d = 0;
    for (size_t i = 0; i < a.size(); i++) {
        if (std::isnan(a[i])) return std::numeric_limits<double>::infinity();
        n += (a[i] - ref[i]) * (a[i] - ref[i]);
        d += ref[i] * ref[i];
    }
    return d == 0 ? std::sqrt(n) : std::sqrt(n / d);
}

inline int g_failures = 0;

// F32 outputs of a double reference: only the rounding of the outputs and of F32 sums may differ.
inline void check(const char* what, double err, double tol = 1e-6) {
    bool ok = err <= tol;
    if (!ok) g_failures++;
    std::printf("%s %-60s %.2e\n", ok ? "ok  " : "FAIL", what, err);
}
