// epilogue.cuh -- the fused GEMM epilogues shared by the tensor-core and SIMT GEMMs.
//
// Given acc = (x W^T)[row, col] in F32:
//   EPI_STORE:    y[row, col] = act(acc + bias[col])                     rounded to y's dtype
//   EPI_RESIDUAL: r[row, col] += gate[row / rowsPerBatch, col] * (acc + bias[col])   all in F32
// exactly in the CPU reference's order (CpuGemmEpilogue: add the bias, multiply by the gate, add to
// the residual). Sums and products are written with explicit _rn intrinsics so that no compiler
// contraction makes the GPU differ from the CPU's separate multiply and add.
#pragma once

#include "common.cuh"

#define EPI_STORE 0
#define EPI_RESIDUAL 1

struct EpilogueParams {
    void* out;           // EPI_STORE: y [M, N] of dtype outDt; EPI_RESIDUAL: r [M, N] F32
    const void* bias;    // [N] of dtype biasDt, or null
    const void* gate;    // [B, N] of dtype gateDt, or null (gate 1)
    long long rowsPerBatch;
    int outDt;           // EPI_STORE: y's dtype (unused by EPI_RESIDUAL, whose r is F32)
    int biasDt;
    int gateDt;
    int act;             // ACT_* (EPI_STORE only)
    int mode;            // EPI_*
    int vec8;            // N % 8 == 0 and out 16-byte aligned: runs of 8 columns may use 16-byte accesses
};
// the Java side (ParamStruct) packs this layout and checks the same size
static_assert(sizeof(EpilogueParams) == 56, "EpilogueParams layout changed: update the Java packer");

// The epilogue of one element (row, col); the caller checks row < M and col < N.
__device__ __forceinline__ void epilogue_one(const EpilogueParams& e, long long row, int col, int N, float acc) {
    float v = acc;
    if (e.bias != nullptr) v = __fadd_rn(v, load_dt(e.bias, e.biasDt, col));
    size_t idx = (size_t)row * N + col;
    if (e.mode == EPI_STORE) {
        store_dt(e.out, e.outDt, idx, act_apply(e.act, v));
    } else {
        if (e.gate != nullptr) {
            long long b = row / e.rowsPerBatch;
            v = __fmul_rn(load_dt(e.gate, e.gateDt, (size_t)b * N + col), v);
        }
        float* r = (float*)e.out;
        r[idx] = __fadd_rn(r[idx], v);
    }
}

// The column operands of the run of 8 elements (row, col .. col+7) in F32: bias[col + j] and, in
// residual mode, gate[row / rowsPerBatch, col + j] (entries past N or without an operand are not set).
// Kernels whose threads run many rows over the same 8 columns load them once per chunk of rows
// (gemm_persistent.cu's drain, for the gate; its bias comes from shared memory) rather than per run.
struct Run8Operands {
    float bias[8];
    float gate[8];
};

__device__ __forceinline__ void load_run8_operands(const EpilogueParams& e, long long row, int col, int N, Run8Operands& o) {
    const bool gated = e.mode == EPI_RESIDUAL && e.gate != nullptr;
    const size_t g = gated ? (size_t)(row / e.rowsPerBatch) * N + col : 0;
#pragma unroll
    for (int j = 0; j < 8; j++) {
        if (col + j < N) {
            if (e.bias != nullptr) o.bias[j] = load_dt(e.bias, e.biasDt, col + j);
            if (gated) o.gate[j] = load_dt(e.gate, e.gateDt, g + j);
        }
    }
}

// Whether the run at col takes the 16-byte path (a whole run inside N, and a dtype it writes whole).
__device__ __forceinline__ bool run8_vector(const EpilogueParams& e, int col, int N) {
    return e.vec8 && col + 8 <= N && (e.mode == EPI_RESIDUAL || e.outDt == DT_BF16 || e.outDt == DT_F32);
}

// The epilogue of the 8 elements (row, col .. col+7) given their column operands o (load_run8_operands
// for this row's batch); the caller checks row < M. Columns past N are skipped; runs that are not
// run8_vector go element by element through epilogue_one, which loads its own operands.
__device__ __forceinline__ void epilogue_run8_with(const EpilogueParams& e, long long row, int col, int N,
                                                   const float (&acc)[8], const Run8Operands& o) {
    if (!run8_vector(e, col, N)) {
        for (int j = 0; j < 8 && col + j < N; j++) epilogue_one(e, row, col + j, N, acc[j]);
        return;
    }
    // one test per run for each operand and the activation, not one per element: the per-element
    // tests made this the hot spot of gemm_persistent.cu's epilogue (branches and reconvergence)
    float v[8];
#pragma unroll
    for (int j = 0; j < 8; j++) v[j] = acc[j];
    if (e.bias != nullptr) {
#pragma unroll
        for (int j = 0; j < 8; j++) v[j] = __fadd_rn(v[j], o.bias[j]);
    }
    size_t idx = (size_t)row * N + col;
    if (e.mode == EPI_STORE) {
        if (e.act == ACT_GELU_TANH) {
#pragma unroll
            for (int j = 0; j < 8; j++) v[j] = act_apply(ACT_GELU_TANH, v[j]);
        } else if (e.act == ACT_SILU) {
#pragma unroll
            for (int j = 0; j < 8; j++) v[j] = act_apply(ACT_SILU, v[j]);
        }
        if (e.outDt == DT_BF16) {
            uint4 packed;
            packed.x = pack_bf16x2(v[0], v[1]);
            packed.y = pack_bf16x2(v[2], v[3]);
            packed.z = pack_bf16x2(v[4], v[5]);
            packed.w = pack_bf16x2(v[6], v[7]);
            *reinterpret_cast<uint4*>((__nv_bfloat16*)e.out + idx) = packed;
        } else {
            float4* out = reinterpret_cast<float4*>((float*)e.out + idx);
            out[0] = make_float4(v[0], v[1], v[2], v[3]);
            out[1] = make_float4(v[4], v[5], v[6], v[7]);
        }
        return;
    }
    if (e.gate != nullptr) {
#pragma unroll
        for (int j = 0; j < 8; j++) v[j] = __fmul_rn(o.gate[j], v[j]);
    }
    float4* r = reinterpret_cast<float4*>((float*)e.out + idx);
    float4 r0 = r[0], r1 = r[1];
    r0.x = __fadd_rn(r0.x, v[0]);
    r0.y = __fadd_rn(r0.y, v[1]);
    r0.z = __fadd_rn(r0.z, v[2]);
    r0.w = __fadd_rn(r0.w, v[3]);
    r1.x = __fadd_rn(r1.x, v[4]);
    r1.y = __fadd_rn(r1.y, v[5]);
    r1.z = __fadd_rn(r1.z, v[6]);
    r1.w = __fadd_rn(r1.w, v[7]);
    r[0] = r0;
    r[1] = r1;
}

// The epilogue of the 8 elements (row, col .. col+7), loading their column operands itself.
__device__ __forceinline__ void epilogue_run8(const EpilogueParams& e, long long row, int col, int N, const float (&acc)[8]) {
    Run8Operands o;
    if (run8_vector(e, col, N)) load_run8_operands(e, row, col, N, o);
    epilogue_run8_with(e, row, col, N, acc, o);
}

// Runs the epilogue over a [rows, cols] F32 tile staged in shared memory (row stride ldc floats) whose
// element (0, 0) is (m0, n0) of the output; each thread takes runs of 8 columns. cols % 8 == 0.
__device__ __forceinline__ void epilogue_tile(const EpilogueParams& e, const float* sC, int ldc, int rows, int cols,
                                              long long m0, long long n0, long long M, int N) {
    const int runsPerRow = cols / 8;
#pragma unroll 1
    for (int id = threadIdx.x; id < rows * runsPerRow; id += blockDim.x) {
        int r = id / runsPerRow;
        int c = (id % runsPerRow) * 8;
        long long row = m0 + r;
        int col = (int)n0 + c;
        if (row >= M || col >= N) continue;
        const float4* s = reinterpret_cast<const float4*>(sC + r * ldc + c);
        float4 a = s[0], b = s[1];
        float acc[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
        epilogue_run8(e, row, col, N, acc);
    }
}
