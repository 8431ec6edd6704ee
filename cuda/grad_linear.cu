// grad_linear.cu -- the two products of a linear layer's backward, in F32 on CUDA cores:
//
//   grad_gemm with transA = 0:  C[m, n] = sum_k A[m, k] B[k, n]   (dx = dy W:   A = dy [m, out], B = W [out, in])
//   grad_gemm with transA = 1:  C[m, n] = sum_k A[k, m] B[k, n]   (dW = dy^T x: A = dy [rows, out], B = x [rows, in])
//
// Layout: A and B row-major and contiguous of any floating dtype (converted exactly to F32 on load),
// C F32 row-major [m, n]. The forward GEMM kernels (CudaGemm) compute x W^T only, so the backward's
// layouts get this plain kernel rather than new tensor-core paths.
//
// Launch: a 16 x 16 thread block per 16 x 16 tile of C, grid (ceil(m / 16), ceil(n / 16)) (rows on x, whose limit is 2^31 - 1); each step
// stages a 16 x 16 tile of A and of B in shared memory, and every thread accumulates its element as
// one FMA chain over k in order (the CPU reference CpuMatmul.gemm is also one FMA chain per element,
// so F32 results agree to rounding of the chain, not bit for bit). Correctness first: not measured,
// no device was lent when it was written; the tensor-core backward is for a session with a GPU.
//
// CPU reference: dev.surf.core.cpu.CpuLinearBackward.
#include "common.cuh"

namespace {
constexpr int TILE = 16;
}  // namespace

extern "C" __global__ void __launch_bounds__(TILE * TILE) grad_gemm(const void* a, int aDt, const void* b, int bDt,
                                                                     float* c, int m, int n, int k, int transA) {
    __shared__ float sa[TILE][TILE + 1];
    __shared__ float sb[TILE][TILE + 1];
    const int tx = threadIdx.x % TILE;
    const int ty = threadIdx.x / TILE;
    const int row = blockIdx.x * TILE + ty;
    const int col = blockIdx.y * TILE + tx;
    float acc = 0.0f;
    for (int k0 = 0; k0 < k; k0 += TILE) {
        // sa[r][kk] = A(blockRow + r, k0 + kk), however A is stored
        const int ar = blockIdx.x * TILE + ty;
        const int ak = k0 + tx;
        if (transA) {
            // read along A's rows (contiguous in m) for coalescing: thread (ty, tx) loads A[k0 + ty, blockRow + tx]
            const int kr = k0 + ty;
            const int mc = blockIdx.x * TILE + tx;
            sa[tx][ty] = (kr < k && mc < m) ? load_dt(a, aDt, (size_t)kr * m + mc) : 0.0f;
        } else {
            sa[ty][tx] = (ar < m && ak < k) ? load_dt(a, aDt, (size_t)ar * k + ak) : 0.0f;
        }
        const int bk = k0 + ty;
        sb[ty][tx] = (bk < k && col < n) ? load_dt(b, bDt, (size_t)bk * n + col) : 0.0f;
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TILE; kk++) acc = __fmaf_rn(sa[ty][kk], sb[kk][tx], acc);
        __syncthreads();
    }
    if (row < m && col < n) c[(size_t)row * n + col] = acc;
}
