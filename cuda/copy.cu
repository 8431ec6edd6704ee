// copy.cu -- materialised axis permutations and concatenation.
//
//   permute      y = x.permute(axes) for rank <= 8 and element sizes 1, 2, 4, 8 bytes: the host passes
//                the output dims and, per output axis, the source stride (in elements); one thread per
//                output element decomposes its index and gathers.
//   transpose_tiles  y [N, C, R] = x [N, R, C] transposed per batch item, for element sizes 2 and 4:
//                the permutations that reduce to a (batched) 2-d transpose once unit axes are dropped and
//                runs of axes that stay in order are merged (the host finds them). 32 x 32 tiles pass
//                through shared memory (one column of padding against bank conflicts), so both the
//                reads and the writes are coalesced; the generic permute reads with a stride there
//                (the umT5 relative bias, [512 x 512, 64] -> [64, 512 x 512] F32, ran at 0.5 TB/s).
//   copy_rows    for each of `outer` slices o, copies chunkBytes bytes from src + o * srcRow + srcOff to
//                dst + o * dstRow + dstOff, in units of `unit` bytes (16, 8, 4, 2 or 1: the largest that
//                divides every offset, stride and size, chosen by the host). One part of a concat is
//                (srcRow = chunk, srcOff = 0, dstRow = the output row, dstOff = the part's position);
//                narrow is (srcRow = the input row, srcOff = start, dstRow = chunk, dstOff = 0).
//   gather_rows  dst row i = src row ids[i] (rows of rowBytes, in units of `unit` bytes as above): the
//                embedding lookup. One launch for any number of rows: the T5 relative-position bias
//                gathers 512 x 512 rows per block, which as one copy call per row took seconds.
//                Ids are checked on the host (OpChecks.embedding) and trusted here.
//
// Pure data movement: results are bit-identical to the CPU reference, dev.surf.core.cpu.CpuCopy
// (permute, concat), CpuNarrow and CpuBackend.embedding (gather_rows).
#include "common.cuh"

struct PermuteParams {
    const void* x;
    void* y;
    long long n;
    long long outDims[8];
    long long srcStrides[8];
    int rank;
    int esize;
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(PermuteParams) == 160, "PermuteParams layout changed: update the Java packer");

namespace {

template <typename T>
__device__ __forceinline__ void permute_body(const PermuteParams& p) {
    const T* x = (const T*)p.x;
    T* y = (T*)p.y;
    GRID_STRIDE(i, p.n) {
        unsigned long long rem = i;
        unsigned long long src = 0;
        for (int d = p.rank - 1; d >= 0; d--) {
            const unsigned long long dim = (unsigned long long)p.outDims[d];
            src += (rem % dim) * (unsigned long long)p.srcStrides[d];
            rem /= dim;
        }
        y[i] = x[src];
    }
}

template <typename T>
__device__ __forceinline__ void rows_body(const char* src, char* dst, long long outer, long long chunk, long long srcRow,
                                         long long srcOff, long long dstRow, long long dstOff) {
    const long long perRow = chunk / (long long)sizeof(T);
    GRID_STRIDE(u, outer * perRow) {
        const long long o = (long long)u / perRow;
        const long long w = ((long long)u % perRow) * (long long)sizeof(T);
        *(T*)(dst + o * dstRow + dstOff + w) = *(const T*)(src + o * srcRow + srcOff + w);
    }
}

// 256 threads: lane = column within the tile, warp w handles tile rows w, w + 8, ...
template <typename T>
__device__ __forceinline__ void transpose_body(const T* x, T* y, T (*tile)[33], int rows, int cols) {
    const long long plane = (long long)rows * cols;
    x += blockIdx.z * plane;
    y += blockIdx.z * plane;
    const int tx = threadIdx.x & 31;
    const int ty = threadIdx.x >> 5;
    const int c0 = blockIdx.x * 32;
    const int r0 = blockIdx.y * 32;
    for (int i = ty; i < 32; i += 8) {
        const int r = r0 + i, c = c0 + tx;
        if (r < rows && c < cols) tile[i][tx] = x[(long long)r * cols + c];
    }
    __syncthreads();
    for (int i = ty; i < 32; i += 8) {
        const int c = c0 + i, r = r0 + tx;
        if (c < cols && r < rows) y[(long long)c * rows + r] = tile[tx][i];
    }
}

template <typename T>
__device__ __forceinline__ void gather_body(const char* src, const int* ids, char* dst, long long rows, long long rowBytes) {
    const long long perRow = rowBytes / (long long)sizeof(T);
    GRID_STRIDE(u, rows * perRow) {
        const long long i = (long long)u / perRow;
        const long long w = ((long long)u % perRow) * (long long)sizeof(T);
        *(T*)(dst + i * rowBytes + w) = *(const T*)(src + (long long)ids[i] * rowBytes + w);
    }
}

}  // namespace

extern "C" __global__ void permute(PermuteParams p) {
    switch (p.esize) {
        case 1: permute_body<uint8_t>(p); break;
        case 2: permute_body<uint16_t>(p); break;
        case 4: permute_body<uint32_t>(p); break;
        default: permute_body<unsigned long long>(p); break;
    }
}

extern "C" __global__ void copy_rows(const char* src, char* dst, long long outer, long long chunkBytes,
                                     long long srcRowBytes, long long srcOffBytes, long long dstRowBytes,
                                     long long dstOffBytes, int unit) {
    switch (unit) {
        case 16: rows_body<uint4>(src, dst, outer, chunkBytes, srcRowBytes, srcOffBytes, dstRowBytes, dstOffBytes); break;
        case 8: rows_body<unsigned long long>(src, dst, outer, chunkBytes, srcRowBytes, srcOffBytes, dstRowBytes, dstOffBytes); break;
        case 4: rows_body<uint32_t>(src, dst, outer, chunkBytes, srcRowBytes, srcOffBytes, dstRowBytes, dstOffBytes); break;
        case 2: rows_body<uint16_t>(src, dst, outer, chunkBytes, srcRowBytes, srcOffBytes, dstRowBytes, dstOffBytes); break;
        default: rows_body<uint8_t>(src, dst, outer, chunkBytes, srcRowBytes, srcOffBytes, dstRowBytes, dstOffBytes); break;
    }
}

extern "C" __global__ void gather_rows(const char* src, const int* ids, char* dst, long long rows, long long rowBytes,
                                       int unit) {
    switch (unit) {
        case 16: gather_body<uint4>(src, ids, dst, rows, rowBytes); break;
        case 8: gather_body<unsigned long long>(src, ids, dst, rows, rowBytes); break;
        case 4: gather_body<uint32_t>(src, ids, dst, rows, rowBytes); break;
        case 2: gather_body<uint16_t>(src, ids, dst, rows, rowBytes); break;
        default: gather_body<uint8_t>(src, ids, dst, rows, rowBytes); break;
    }
}

// grid (ceil(C / 32), ceil(R / 32), N), 256 threads; esize 2 or 4 (the host sends others to permute)
extern "C" __global__ void transpose_tiles(const void* x, void* y, int rows, int cols, int esize) {
    __shared__ uint32_t tile[32][33];
    if (esize == 4) {
        transpose_body<uint32_t>((const uint32_t*)x, (uint32_t*)y, tile, rows, cols);
    } else {
        transpose_body<uint16_t>((const uint16_t*)x, (uint16_t*)y, reinterpret_cast<uint16_t(*)[33]>(tile), rows, cols);
    }
}
