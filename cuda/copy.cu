// copy.cu -- materialised axis permutations and concatenation.
//
//   permute      y = x.permute(axes) for rank <= 8 and element sizes 1, 2, 4, 8 bytes: the host passes
//                the output dims and, per output axis, the source stride (in elements); one thread per
//                output element decomposes its index and gathers.
//   concat_part  copies one part of a concatenation: for each of `outer` slices, chunkBytes bytes from
//                src (contiguous) to dst at byte offset at + o * outRowBytes, in units of `unit` bytes
//                (16, 8, 4, 2 or 1: the largest that divides every offset and size, chosen by the host).
//
// Pure data movement: results are bit-identical to the CPU reference, dev.surf.core.cpu.CpuCopy
// (permute, concat).
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
__device__ __forceinline__ void concat_body(const char* src, char* dst, long long outer, long long chunk,
                                            long long outRow, long long at) {
    const long long perRow = chunk / (long long)sizeof(T);
    GRID_STRIDE(u, outer * perRow) {
        const long long o = (long long)u / perRow;
        const long long w = (long long)u % perRow;
        *(T*)(dst + o * outRow + at + w * (long long)sizeof(T)) = *(const T*)(src + o * chunk + w * (long long)sizeof(T));
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

extern "C" __global__ void concat_part(const char* src, char* dst, long long outer, long long chunkBytes,
                                       long long outRowBytes, long long atBytes, int unit) {
    switch (unit) {
        case 16: concat_body<uint4>(src, dst, outer, chunkBytes, outRowBytes, atBytes); break;
        case 8: concat_body<unsigned long long>(src, dst, outer, chunkBytes, outRowBytes, atBytes); break;
        case 4: concat_body<uint32_t>(src, dst, outer, chunkBytes, outRowBytes, atBytes); break;
        case 2: concat_body<uint16_t>(src, dst, outer, chunkBytes, outRowBytes, atBytes); break;
        default: concat_body<uint8_t>(src, dst, outer, chunkBytes, outRowBytes, atBytes); break;
    }
}
