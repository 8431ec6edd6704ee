// gemm_wgmma.cu -- bf16 GEMM on Hopper's warpgroup tensor-core instructions (sm_90a only).
//
// Same operation, layout assumptions and epilogues as gemm_bf16.cu (which it replaces on compute
// capability 9.0 when the host picks it): acc = x W^T with x [M, K] and W [N, K] bf16, K contiguous,
// K % 8 == 0, 16-byte aligned operands; F32 accumulation; EPI_STORE / EPI_RESIDUAL from epilogue.cuh.
//
// Variant gemm_bf16_wgmma: 128x256x64 block tile, two warpgroups (256 threads), each issuing
// wgmma.mma_async m64n256k16 for its 64 rows with both operands read from shared memory through
// matrix descriptors (128-byte swizzle, K-major: each 64-element K slice of a row is one 128-byte
// row of the tile, 16-byte chunks XOR-ed with (row & 7), 8-row groups 1024 bytes apart). Operands
// are copied global -> shared by every thread with cp.async (JCuda 12.6 has no tensor-map API, so no
// TMA yet) through a 4-stage ring; after each slice lands the writing threads fence the async proxy
// (cp.async writes are generic-proxy writes, wgmma reads through the async proxy) and the block
// synchronises. wgmma groups complete in order and one group stays in flight while the next slice is
// issued, so a stage is refilled only two iterations after it was consumed. The F32 accumulators
// (128 registers per thread) are staged through shared memory for 16-byte epilogue stores.
// Shared memory: 4 x 48 KiB + 1 KiB alignment slack (gemm_bf16_wgmma_smem).
//
// CPU reference: dev.surf.core.cpu.CpuGemm.
#include "epilogue.cuh"

namespace {

constexpr int BM = 128, BN = 256, BK = 64, STAGES = 4, THREADS = 256;
constexpr int ROW_BYTES = BK * 2;
constexpr int TILE_A = BM * ROW_BYTES;
constexpr int TILE_B = BN * ROW_BYTES;
constexpr int STAGE_BYTES = TILE_A + TILE_B;
constexpr int LDC = BN + 8;
constexpr int RING_BYTES = STAGES * STAGE_BYTES;
constexpr int C_BYTES = BM * LDC * 4;
constexpr int SMEM_BYTES = (RING_BYTES > C_BYTES ? RING_BYTES : C_BYTES) + 1024;
constexpr int GROUP_M = 8;

static_assert(TILE_A % 1024 == 0 && STAGE_BYTES % 1024 == 0, "swizzle atoms must stay 1024-byte aligned");

// Byte offset of 16-byte chunk c (0..7) of row r: the 128-byte swizzle pattern.
__device__ __forceinline__ int swz(int r, int c) { return r * ROW_BYTES + ((c ^ (r & 7)) << 4); }

template <int ROWS>
__device__ __forceinline__ void load_slice(char* s, const __nv_bfloat16* g, long long r0, long long rows, int K, int k0,
                                           int tid) {
#pragma unroll
    for (int i = 0; i < ROWS * 8 / THREADS; i++) {
        int id = tid + i * THREADS;
        int r = id >> 3;
        int c = id & 7;
        long long gr = r0 + r;
        int gk = k0 + c * 8;
        bool ok = gr < rows && gk < K;
        const __nv_bfloat16* src = ok ? g + gr * K + gk : g;
        cp_async16(s + swz(r, c), src, ok ? 16 : 0);
    }
}

// Shared-memory matrix descriptor: start address, leading byte offset 16 (unused for swizzled K-major),
// stride byte offset 1024 (between 8-row groups), 128-byte swizzle.
__device__ __forceinline__ uint64_t descriptor(const void* p) {
    uint32_t a = (uint32_t)__cvta_generic_to_shared(p);
    return (uint64_t)((a & 0x3FFFF) >> 4) | ((uint64_t)(16 >> 4) << 16) | ((uint64_t)(1024 >> 4) << 32) |
           ((uint64_t)1 << 62);
}

// Keeps the compiler from moving accumulator reads or writes across the asynchronous wgmma.
__device__ __forceinline__ void fence_acc(float (&d)[128]) {
#pragma unroll
    for (int i = 0; i < 128; i++) asm volatile("" : "+f"(d[i])::"memory");
}

__device__ __forceinline__ void wgmma_m64n256k16(float (&d)[128], uint64_t da, uint64_t db) {
    asm volatile(
        "{\n"
        ".reg .pred p;\n"
        "setp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 {"
    "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, "
    "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, "
    "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, "
    "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, "
    "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127"
        "}, %128, %129, p, 1, 1, 0, 0;\n"
        "}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
          "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
          "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
          "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
          "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
          "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
          "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
          "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]),
          "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]),
          "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]),
          "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]),
          "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]),
          "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]),
          "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]),
          "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]),
          "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
        : "l"(da), "l"(db), "r"(1));
}

}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS, 1)
gemm_bf16_wgmma(const __nv_bfloat16* __restrict__ A, const __nv_bfloat16* __restrict__ B, int M, int N, int K,
                EpilogueParams ep) {
    extern __shared__ char smemRaw[];
    char* smem = smemRaw + ((1024 - ((uint32_t)__cvta_generic_to_shared(smemRaw) & 1023)) & 1023);
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int wg = warp >> 2;

    const int tilesM = (M + BM - 1) / BM;
    const int tilesN = (N + BN - 1) / BN;
    const int pid = blockIdx.x;
    const int perGroup = GROUP_M * tilesN;
    const int firstM = (pid / perGroup) * GROUP_M;
    const int groupRows = min(tilesM - firstM, GROUP_M);
    const long long m0 = (long long)(firstM + (pid % perGroup) % groupRows) * BM;
    const long long n0 = (long long)((pid % perGroup) / groupRows) * BN;

    float d[128];
#pragma unroll
    for (int i = 0; i < 128; i++) d[i] = 0.0f;

    const int KT = (K + BK - 1) / BK;
#pragma unroll
    for (int s = 0; s < STAGES - 2; s++) {
        if (s < KT) {
            char* st = smem + s * STAGE_BYTES;
            load_slice<BM>(st, A, m0, M, K, s * BK, tid);
            load_slice<BN>(st + TILE_A, B, n0, N, K, s * BK, tid);
        }
        cp_async_commit();
    }

    for (int kt = 0; kt < KT; kt++) {
        cp_async_wait<STAGES - 3>();                               // slice kt is in shared memory
        asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");  // visible to the async proxy
        __syncthreads();  // ... for every thread's copies; and every warpgroup is done with slice kt-2
        const int nk = kt + STAGES - 2;
        if (nk < KT) {
            char* st = smem + (nk % STAGES) * STAGE_BYTES;
            load_slice<BM>(st, A, m0, M, K, nk * BK, tid);
            load_slice<BN>(st + TILE_A, B, n0, N, K, nk * BK, tid);
        }
        cp_async_commit();

        const char* st = smem + (kt % STAGES) * STAGE_BYTES;
        const uint64_t da = descriptor(st + wg * 64 * ROW_BYTES);
        const uint64_t db = descriptor(st + TILE_A);
        fence_acc(d);
        asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
        for (int k = 0; k < BK / 16; k++) {
            // advancing the start address by 32 bytes selects the next 16 elements of K; the hardware
            // applies the swizzle to the final addresses
            wgmma_m64n256k16(d, da + 2 * k, db + 2 * k);
        }
        asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
        fence_acc(d);
        asm volatile("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");
        fence_acc(d);
    }
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
    fence_acc(d);
    cp_async_wait<0>();
    __syncthreads();  // the ring becomes the C tile

    // accumulator layout: warp w of a warpgroup owns rows 16 (w % 4) .. +15 of the warpgroup's 64;
    // registers 4j .. 4j+3 are the m16n8 C fragment of columns 8j .. 8j+7
    float* sC = reinterpret_cast<float*>(smem);
    const int r = wg * 64 + (warp & 3) * 16 + (lane >> 2);
#pragma unroll
    for (int j = 0; j < BN / 8; j++) {
        const int c = j * 8 + (lane & 3) * 2;
        *reinterpret_cast<float2*>(sC + r * LDC + c) = make_float2(d[4 * j], d[4 * j + 1]);
        *reinterpret_cast<float2*>(sC + (r + 8) * LDC + c) = make_float2(d[4 * j + 2], d[4 * j + 3]);
    }
    __syncthreads();
    epilogue_tile(ep, sC, LDC, BM, BN, m0, n0, M, N);
}

// Dynamic shared memory bytes of gemm_bf16_wgmma (read by the host with cuModuleGetGlobal).
extern "C" __constant__ int gemm_bf16_wgmma_smem = SMEM_BYTES;
