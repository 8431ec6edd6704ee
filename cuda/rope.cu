// rope.cu -- rotary position embedding with interleaved pairs, as Wan applies it.
//
// x is [B, L, H, d] (any floating dtype, contiguous), cos and sin are F32 [L, d/2]. Pair j of every
// head of token l is rotated: (x[2j], x[2j+1]) -> (x[2j] c - x[2j+1] s, x[2j] s + x[2j+1] c) with
// c = cos[l, j], s = sin[l, j]; the output has x's dtype. Wan's 3D RoPE (separate frequencies for the
// time, height and width thirds of each head, "per-axis split") lives entirely in the cos/sin tables
// the model builds, so one kernel serves 1D and 3D positions.
//
// Variant rope: one thread per pair, grid-stride. Built with -fmad=false so the products and sums
// round exactly as in the Java reference: F32 results are bit-identical to the CPU.
//
// CPU reference: dev.surf.core.cpu.CpuRope.
#include "common.cuh"

extern "C" __global__ void rope(const void* __restrict__ x, void* __restrict__ y, const float* __restrict__ cosT,
                                const float* __restrict__ sinT, long long pairs, int L, int H, int half, int dt) {
    GRID_STRIDE(i, pairs) {
        const long long j = i % half;            // pair within the head
        const long long tok = (i / half / H) % L;  // token within the sequence
        const float c = cosT[tok * half + j];
        const float s = sinT[tok * half + j];
        const float x0 = load_dt(x, dt, 2 * i);
        const float x1 = load_dt(x, dt, 2 * i + 1);
        store_dt(y, dt, 2 * i, x0 * c - x1 * s);
        store_dt(y, dt, 2 * i + 1, x0 * s + x1 * c);
    }
}
