// gemm_probe.cu -- a stand-alone timing probe for the persistent GEMM kernels (cuda/gemm_persistent.cu),
// for experiments on the device machine that the Java benchmark cannot isolate: kernel time alone (CUDA
// events around back-to-back launches, no host work in between) and variants of the kernel source that
// cuda/lab/probe/build.sh derives with sed (no epilogue, no global stores, ...), so that a per-tile cost
// can be attributed to one part of the kernel. It checks nothing: correctness is GemmKernelTest's job.
//
//   gemm_probe M N K [pingpong] [bias] [reps]        prints: variant M N K ms-per-launch TFLOP/s
//
// Built with -DGEMM_SOURCE='"path/to/variant.cu"' -DVARIANT='"name"'. cuTensorMapEncodeTiled comes
// from the driver through the runtime's entry-point query, so the build needs no libcuda.
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include GEMM_SOURCE

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e_)); exit(1); } } while (0)

static TensorMap matrix_map(void* base, long long rows, int k, int boxRows) {
    CUtensorMap m;
    cuuint64_t dims[2] = {(cuuint64_t)k, (cuuint64_t)rows};
    cuuint64_t strides[1] = {(cuuint64_t)k * 2};
    cuuint32_t box[2] = {64, (cuuint32_t)boxRows};
    cuuint32_t es[2] = {1, 1};
    static PFN_cuTensorMapEncodeTiled_v12000 encode = nullptr;
    if (!encode) {
        cudaDriverEntryPointQueryResult q;
        CK(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", (void**)&encode, 12000, cudaEnableDefault, &q));
        if (q != cudaDriverEntryPointSuccess) { fprintf(stderr, "no cuTensorMapEncodeTiled in the driver\n"); exit(1); }
    }
    CUresult r = encode(&m, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2, base, dims, strides, box, es,
                                        CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                                        CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    if (r != CUDA_SUCCESS) { fprintf(stderr, "cuTensorMapEncodeTiled: %d\n", (int)r); exit(1); }
    TensorMap t;
    memcpy(&t, &m, sizeof t);
    return t;
}

__global__ void fill_bf16(__nv_bfloat16* p, size_t n, unsigned seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        unsigned h = (unsigned)i * 2654435761u ^ seed;
        h ^= h >> 13; h *= 0x5bd1e995u; h ^= h >> 15;
        p[i] = __float2bfloat16((float)(h & 0xFFFF) / 65536.0f - 0.5f);
    }
}

int main(int argc, char** argv) {
    if (argc < 4) { fprintf(stderr, "usage: gemm_probe M N K [pingpong] [bias] [reps]\n"); return 2; }
    const int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]);
    bool pingpong = false, bias = false;
    int reps = 20;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "pingpong")) pingpong = true;
        else if (!strcmp(argv[i], "bias")) bias = true;
        else reps = atoi(argv[i]);
    }
    CK(cudaFree(0));
    __nv_bfloat16 *x, *w, *y;
    float* b = nullptr;
    CK(cudaMalloc(&x, (size_t)M * K * 2));
    CK(cudaMalloc(&w, (size_t)N * K * 2));
    CK(cudaMalloc(&y, (size_t)M * N * 2));
    fill_bf16<<<1024, 256>>>(x, (size_t)M * K, 1);
    fill_bf16<<<1024, 256>>>(w, (size_t)N * K, 2);
    if (bias) { CK(cudaMalloc(&b, N * 4)); CK(cudaMemset(b, 0, N * 4)); }
    const int bn = pingpong ? 128 : 256;
    GemmTmaParams p;
    memset(&p, 0, sizeof p);
    p.a = matrix_map(x, M, K, 128);
    p.b = matrix_map(w, N, K, bn);
    p.ep.out = y;
    p.ep.bias = b;
    p.ep.biasDt = DT_F32;
    p.ep.outDt = DT_BF16;
    p.ep.rowsPerBatch = M;
    p.ep.act = ACT_NONE;
    p.ep.mode = EPI_STORE;
    p.ep.vec8 = 1;
    p.M = M, p.N = N, p.K = K;
    auto kern = pingpong ? gemm_bf16_pingpong : gemm_bf16_persistent;
    CK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, SMEM_BYTES));
    int sms;
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    const long long tiles = (long long)((M + 127) / 128) * ((N + bn - 1) / bn);
    const int grid = (int)(tiles < sms ? tiles : sms);
    for (int i = 0; i < 3; i++) kern<<<grid, THREADS, SMEM_BYTES>>>(p);
    CK(cudaDeviceSynchronize());
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    CK(cudaEventRecord(e0));
    for (int i = 0; i < reps; i++) kern<<<grid, THREADS, SMEM_BYTES>>>(p);
    CK(cudaEventRecord(e1));
    CK(cudaEventSynchronize(e1));
    CK(cudaGetLastError());
    float ms;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    ms /= reps;
    printf("%-12s %-9s %6d %6d %6d %s %9.4f ms %7.1f TFLOP/s\n", VARIANT, pingpong ? "pingpong" : "coop", M, N, K,
           bias ? "bias" : "    ", ms, 2.0 * M * N * K / (ms * 1e-3) / 1e12);
    return 0;
}
