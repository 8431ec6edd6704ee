// grad_elementwise.cu -- the pointwise gradient ops and the reductions of training, all F32 out:
//
//   activation_backward:  dx[i] = dy[i] * act'(x[i])            act' in double (Activation.derivative)
//   l1_loss_grad:         g[i] = sign(a[i] - t[i]) / n            (0 where equal, NaN kept, as Math.signum)
//   sum_leading:          out[j] = sum_r x[r * n + j]             in double, rows in order
//   loss_mean:            out[0] = mean((a - t)^2) (mode 0) or mean(|a - t|) (mode 1), in double
//
// Layout: contiguous tensors of any floating dtype (converted exactly to F32); outputs F32.
// Launch: activation_backward and l1_loss_grad are grid-stride loops over the elements;
// sum_leading one thread per kept column (the threads of a warp read consecutive columns of a row,
// so rows are read coalesced), each summing its rows in order in double as the CPU does; loss_mean
// one block of 1024 threads, a double partial per thread over a grid-stride loop and a fixed-order
// shared-memory tree, so the result is deterministic (it differs from the CPU's sequential double sum
// only in the last bits of a double). Built with -fmad=false (cuda/build.sh default) so the double
// arithmetic rounds as Java's does. Not measured: no device was lent when it was written.
//
// CPU reference: dev.surf.core.cpu.CpuActivationBackward, CpuLoss, CpuSumLeading.
#include "common.cuh"

namespace {

// Activation.derivative, in double.
__device__ double act_derivative(int act, double x) {
    if (act == ACT_GELU_TANH) {
        const double c = sqrt(2.0 / 3.141592653589793);
        const double th = tanh(c * (x + 0.044715 * x * x * x));
        return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * c * (1.0 + 3 * 0.044715 * x * x);
    }
    if (act == ACT_SILU) {
        const double sg = 1.0 / (1.0 + exp(-x));
        return sg * (1.0 + x * (1.0 - sg));
    }
    return 1.0;
}

constexpr int LOSS_THREADS = 1024;

}  // namespace

extern "C" __global__ void activation_backward(const void* x, int xDt, const void* dy, int dyDt, float* dx,
                                               long long n, int act) {
    GRID_STRIDE(i, n) {
        const double g = load_dt(dy, dyDt, i);
        dx[i] = (float)(g * act_derivative(act, load_dt(x, xDt, i)));
    }
}

extern "C" __global__ void l1_loss_grad(const void* a, int aDt, const void* t, int tDt, float* g, long long n) {
    const float inv = 1.0f / (float)n;
    GRID_STRIDE(i, n) {
        const float d = load_dt(a, aDt, i) - load_dt(t, tDt, i);
        const float s = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : d);  // Math.signum: keeps +-0 and NaN
        g[i] = s * inv;
    }
}

extern "C" __global__ void sum_leading(const void* x, int xDt, float* out, long long rows, long long n) {
    const long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= n) return;
    double acc = 0.0;
    for (long long r = 0; r < rows; r++) acc += load_dt(x, xDt, (size_t)(r * n + j));
    out[j] = (float)acc;
}

// One block of LOSS_THREADS threads.
extern "C" __global__ void __launch_bounds__(LOSS_THREADS) loss_mean(const void* a, int aDt, const void* t, int tDt,
                                                                      float* out, long long n, int mode) {
    __shared__ double part[LOSS_THREADS];
    double s = 0.0;
    for (long long i = threadIdx.x; i < n; i += LOSS_THREADS) {
        const double d = (double)load_dt(a, aDt, i) - (double)load_dt(t, tDt, i);
        s += mode == 0 ? d * d : fabs(d);
    }
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = LOSS_THREADS / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[0] = (float)(n == 0 ? 0.0 : part[0] / (double)n);
}
