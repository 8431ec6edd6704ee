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
#include "hopper.cuh"

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
        const uint64_t da = sw128_desc(smem_u32(st + wg * 64 * ROW_BYTES), 16, 1024);
        const uint64_t db = sw128_desc(smem_u32(st + TILE_A), 16, 1024);
        fence_regs(d);
        wgmma_fence();
#pragma unroll
        for (int k = 0; k < BK / 16; k++) {
            // advancing the start address by 32 bytes selects the next 16 elements of K; the hardware
            // applies the swizzle to the final addresses
            wgmma_ss_m64n256k16(d, da + 2 * k, db + 2 * k, 1);
        }
        wgmma_commit();
        fence_regs(d);
        wgmma_wait<1>();
        fence_regs(d);
    }
    wgmma_wait<0>();
    fence_regs(d);
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
