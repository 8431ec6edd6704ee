// grad_gather.cu -- adjoints of the gathers, F32 out:
//
//   embedding_backward:  table[ids[i], c] += dy[i, c] for every position i, in position order
//   resize_backward:     dx[p, y, x] = sum_{i, j} dy[p, i, j] wy(i, y) wx(j, x), the transpose of
//                        resize's fixed per-plane linear map (bilinear: the two taps per axis with
//                        their weights; area: the box average; nearest-exact: the one source)
//
// Layout: dy [n, dim] and ids [n] (in [0, vocab), checked on the host); the table [vocab, dim] F32,
// zeroed by the host first. resize: dy [planes, outH, outW] of any floating dtype, dx F32
// [planes, inH, inW].
// Launch: embedding_backward one thread per column, adding the positions in order in F32, so
// repeated ids sum in the CPU's order and F32 results are bit-identical (-fmad=false, the build.sh
// default); parallel over columns only, which is enough for the text and time embeddings (dim >= 256).
// resize_backward one thread per input pixel (a gather, no atomics): it scans the output rows and
// columns that can read it, a conservative index range per axis with the exact tap weight tested
// (0 outside), and sums in double like the CPU's scatter (same terms, another order). Not measured:
// no device was lent when it was written.
//
// CPU reference: dev.surf.core.cpu.CpuEmbeddingBackward, CpuResizeBackward.
#include "common.cuh"

#define RESIZE_BILINEAR 0
#define RESIZE_AREA 1
#define RESIZE_NEAREST_EXACT 2

namespace {

// The weight with which output index i (of outN) reads input index y (of inN) along one axis,
// computed as CpuResizeBackward.scatter does.
__device__ double tap_weight(int mode, int i, int y, int inN, int outN) {
    if (mode == RESIZE_BILINEAR) {
        const double f = fmax(0.0, (i + 0.5) * ((double)inN / outN) - 0.5);
        const int y0 = min((int)f, inN - 1);
        const int y1 = min(y0 + 1, inN - 1);
        const double l = f - y0;
        return (y0 == y ? 1 - l : 0.0) + (y1 == y ? l : 0.0);
    }
    if (mode == RESIZE_AREA) {
        const int y0 = (int)((long long)i * inN / outN);
        const int y1 = (int)(((long long)(i + 1) * inN + outN - 1) / outN);
        return (y >= y0 && y < y1) ? 1.0 / (y1 - y0) : 0.0;
    }
    const int yy = min((int)floor((i + 0.5) * inN / outN), inN - 1);
    return yy == y ? 1.0 : 0.0;
}

// Output indices [lo, hi] that may read input index y: wide enough for every mode (the weight
// decides): bilinear reads y from f in [y - 1, y + 1), area from boxes that overlap y, nearest from
// floor((i + 0.5) inN / outN) == y; each lies within one output index of (y - 1 .. y + 2) outN / inN.
__device__ __forceinline__ int2 reader_range(int y, int inN, int outN) {
    const int lo = max(0, (int)floor((double)(y - 1) * outN / inN) - 1);
    const int hi = min(outN - 1, (int)ceil((double)(y + 2) * outN / inN) + 1);
    return make_int2(lo, hi);
}

}  // namespace

extern "C" __global__ void embedding_backward(const void* dy, int dyDt, const int* ids, float* table, int n, int dim) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= dim) return;
    for (int i = 0; i < n; i++) {
        const size_t t = (size_t)ids[i] * dim + c;
        table[t] = table[t] + load_dt(dy, dyDt, (size_t)i * dim + c);
    }
}

extern "C" __global__ void resize_backward(const void* dy, int dyDt, float* dx, long long planes, int inH, int inW,
                                           int outH, int outW, int mode) {
    GRID_STRIDE(idx, planes * inH * inW) {
        const int x = (int)(idx % inW);
        const int y = (int)((idx / inW) % inH);
        const size_t plane = idx / ((size_t)inW * inH);
        const int2 ri = reader_range(y, inH, outH);
        const int2 rj = reader_range(x, inW, outW);
        double acc = 0.0;
        for (int i = ri.x; i <= ri.y; i++) {
            const double wy = tap_weight(mode, i, y, inH, outH);
            if (wy == 0.0) continue;
            for (int j = rj.x; j <= rj.y; j++) {
                const double wx = tap_weight(mode, j, x, inW, outW);
                if (wx == 0.0) continue;
                acc += (double)load_dt(dy, dyDt, (plane * outH + i) * outW + j) * wy * wx;
            }
        }
        dx[idx] = (float)acc;
    }
}
