// attention_wgmma.cu -- flash-attention forward on Hopper: TMA loads, warpgroup MMA, warp specialisation
// (sm_90a only). Verified against the CPU on an H100 (AttentionKernelTest, 2026-11-22); the host's
// default for BF16 attention with head dim 64/128 on compute capability 9.0 (-Dsurf.cuda.attnWgmma).
//
// Computes the same thing as attention.cu (whose contract this file keeps exactly):
//   o = softmax(scale q k^T + bias + mask) v      per (batch item, head), F32 online softmax, bf16 out
// q [B, Lq, H, D], k and v [B, Lk, H, D], o [B, Lq, H, D], bf16, contiguous (row stride H*D); masks:
// keyLens [B] (keys >= keyLens[b] masked), bias F32 [H, Lq, Lk], frameRanges [frames] (query token q
// attends to key tokens [frameRanges[q / tokensPerFrame].x, .y)); rows with every key masked get zeros.
//
// Layout assumptions: D = 64 or 128; q, k, v reachable through 4-d TMA tensor maps built by the host
// (dev.surf.cuda.TensorMaps) over dims (D, H, L, B) with a box of (64, 1, 128, 1) and the 128-byte
// swizzle, so each box lands as 128 rows of 128 bytes (one 64-wide slice of the head dim for 128 tokens)
// in exactly the layout wgmma's K-major and MN-major descriptors read (see hopper.cuh). Rows past the
// end of the sequence arrive as zeros (TMA out-of-bounds fill), so tails need no special loads.
//
// Block (384 threads, one per SM): 128 query rows of one (b, h).
//   warpgroup 0, producer: one thread issues every TMA load (Q once; then K and V tiles of 128 keys
//     into a 3-stage ring, each stage guarded by a "full" mbarrier with a transaction count and an
//     "empty" mbarrier the consumer warps arrive on). setmaxnreg gives it 24 registers. Another of
//     its threads is a watchdog that traps if the block has not finished after 10 s (a hang guard
//     for the first device runs, see watchdog()).
//   warpgroups 1 and 2, consumers (240 registers each for D = 128, 184 for D = 64): 64 query rows
//     each. Per key tile:
//     S = Q K^T   wgmma m64n128k16, Q and K from shared memory (K-major descriptors), F32 in registers;
//     softmax     scale, bias, masks and the online max/sum on the S registers (log2 domain, ex2.approx);
//     O += P V    wgmma m64nDk16 with P as the register A operand (the S accumulator layout of each
//                 warp is the A fragment layout, so P is converted to bf16 in place, no shuffles) and V
//                 from shared memory through an MN-major descriptor (imm-trans-b = 1: V stays [keys, d]).
// Variants: attention_wgmma_d{64,128} overlap the softmax of tile j with the P V product of tile j-1
// (FA3's intra-warpgroup pipelining: S_j = Q K_j^T and O += P_{j-1} V_{j-1} are in flight together);
// and take turns with the other consumer warpgroup to issue products (FA3's ping-pong, named barriers
// 1 and 2), so one warpgroup's softmax runs while the other's products occupy the tensor cores;
// attention_wgmma_simple_d{64,128} run the two products and the softmax strictly one after the other,
// with no turns (the bisecting fallback: if only the overlapped kernels fail, the bug is in the
// pipelining or the turns).
//
// Shared memory (1024-byte aligned): Q 128 x D, then STAGES x K tiles, STAGES x V tiles (128 x D each),
// then the mbarriers (the last one is the watchdog's "done" barrier, see watchdog()): 225 KiB for
// D = 128, 113 KiB for D = 64 (attention_wgmma_d*_smem).
//
// CPU reference: dev.surf.core.cpu.CpuAttention; the sm_80 kernel with the same contract: attention.cu.
#include "common.cuh"
#include "hopper.cuh"

#include <math_constants.h>

struct WgAttnParams {
    TensorMap q;             // over q [B, Lq, H, D]: dims (D, H, Lq, B), box (64, 1, 128, 1), 128-byte swizzle
    TensorMap k;             // over k [B, Lk, H, D], same box
    TensorMap v;             // over v [B, Lk, H, D], same box
    __nv_bfloat16* o;
    const float* bias;       // [H, Lq, Lk] or null
    const int* keyLens;      // [B] or null
    const int2* frameRanges; // [frames] or null
    int H, Lq, Lk;
    int tokensPerFrame;
    float scaleLog2;         // scale * log2(e)
};
// the Java side (CudaAttention) packs this layout and checks the same size
static_assert(sizeof(WgAttnParams) == 448, "WgAttnParams layout changed: update the Java packer");

namespace {

constexpr int BM = 128;            // query rows per block: two consumer warpgroups of 64
constexpr int BN = 128;            // keys per tile
constexpr int STAGES = 3;          // K/V ring depth: loads are issued two tiles ahead (D = 128: 225 KiB of shared memory)
constexpr int THREADS = 384;       // producer warpgroup + 2 consumer warpgroups
constexpr int CONSUMER_WARPS = 8;
constexpr int ROWB = 128;          // bytes of one swizzled row: 64 bf16
constexpr int Q_SLICE = BM * ROWB; // one 64-wide head-dim slice of the Q tile
constexpr int KV_SLICE = BN * ROWB;
constexpr int PRODUCER_REGS = 24;
constexpr int PINGPONG_BAR = 1;    // named barriers 1 and 2: consumer warpgroup 0's and 1's turn to issue
constexpr float LOG2E = 1.4426950408889634f;

template <int D>
struct Cfg {
    static constexpr int SLICES = D / 64;
    static constexpr int Q_BYTES = SLICES * Q_SLICE;
    static constexpr int KV_BYTES = SLICES * KV_SLICE;
    static constexpr int BARRIERS = 2 + 4 * STAGES;
    static constexpr int SMEM = 1024 + Q_BYTES + 2 * STAGES * KV_BYTES + 8 * BARRIERS;
    // 128 x 24 + 256 x 240 = 64512 <= 65536 registers per SM. D = 64 needs far fewer (O is 32
    // registers); ptxas 13.0 leaves 8-32 bytes of spills in one or the other D = 64 variant at most
    // caps between 200 and 240 (heuristic noise; 200 was clean before the watchdog's extra barrier
    // and is not after it), none at 176-192 with or without the watchdog.
    static constexpr int CONSUMER_REGS = D == 128 ? 240 : 184;
};

// Watchdog, kept from the kernel's first device runs: a barrier count, parity or transaction-byte
// mistake (in a later change) would hang the launch until the device session's step timeout (minutes of a 30-minute budget, and every
// later test of that JVM lost). One otherwise idle thread of the producer warpgroup waits for the
// block's "done" barrier (each consumer warp arrives once, after its epilogue) and traps if that takes
// longer than ATTN_WATCHDOG_NS: the launch then fails at once with a CUDA error (the context is lost,
// so the rest of that test run fails fast instead of hanging). A block legitimately finishes in about
// a millisecond per 32K keys. The check lives outside the consumers on purpose: bounded waits inside
// them changed ptxas's register allocation of the overlapped kernels (spills, serialized wgmmas).
// -DATTN_WATCHDOG_NS=0 removes it.
#ifndef ATTN_WATCHDOG_NS
#define ATTN_WATCHDOG_NS 10000000000ull
#endif

// The try_wait suspends this thread for up to 1 ms (suspend-time hint) and wakes it as soon as the
// phase completes, so the watchdog takes almost no issue slots from the consumer warps beside it.
__device__ __forceinline__ void watchdog(uint64_t* done) {
    uint64_t t0;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
    const uint32_t addr = smem_u32(done);
    for (;;) {
        uint32_t ok;
        asm volatile(
            "{\n"
            ".reg .pred p;\n"
            "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], 0, 1000000;\n"
            "selp.u32 %0, 1, 0, p;\n"
            "}\n"
            : "=r"(ok)
            : "r"(addr)
            : "memory");
        if (ok) return;
        uint64_t t;
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
        if (t - t0 > ATTN_WATCHDOG_NS) __trap();
    }
}

__device__ __forceinline__ float ex2(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

// The keys a block may need: the key-length limit narrowed to the union of its frames' windows.
// Producer and consumers compute it identically, so they agree on the tile count.
struct KeyRange {
    int kLen, start, tiles;
};

__device__ __forceinline__ KeyRange key_range(const WgAttnParams& p, int b, int q0) {
    KeyRange r;
    r.kLen = p.keyLens != nullptr ? max(0, min(p.Lk, p.keyLens[b])) : p.Lk;
    int end = r.kLen;
    r.start = 0;
    if (p.frameRanges != nullptr) {
        const int fFirst = q0 / p.tokensPerFrame;
        const int fLast = (min(q0 + BM, p.Lq) - 1) / p.tokensPerFrame;
        int lo = 0x7fffffff, hi = 0;
        for (int f = fFirst; f <= fLast; f++) {
            const int2 fr = p.frameRanges[f];
            lo = min(lo, fr.x);
            hi = max(hi, fr.y);
        }
        r.start = lo;
        end = min(hi, r.kLen);
    }
    r.tiles = end > r.start ? (end - r.start + BN - 1) / BN : 0;
    return r;
}

struct Barriers {
    uint64_t* fullQ;
    uint64_t* fullK;   // [STAGES]
    uint64_t* fullV;   // [STAGES]
    uint64_t* emptyK;  // [STAGES]
    uint64_t* emptyV;  // [STAGES]
    uint64_t* done;    // each consumer warp arrives once, at its end (the watchdog waits for it)
};

// ------------------------------------------------------------------------------------------ producer

// One thread: Q, then K_j and V_j for every tile j, each into its ring slot once the consumers have
// released the slot's previous contents.
template <int D>
__device__ __forceinline__ void produce(const WgAttnParams& p, char* sQ, char* sK, char* sV, const Barriers& bar,
                                        int q0, int h, int b, const KeyRange& kr) {
    using C = Cfg<D>;
    tma_prefetch_map(&p.q);
    tma_prefetch_map(&p.k);
    tma_prefetch_map(&p.v);
    mbar_arrive_expect_tx(bar.fullQ, C::Q_BYTES);
#pragma unroll
    for (int s = 0; s < C::SLICES; s++) tma_load_4d(sQ + s * Q_SLICE, &p.q, bar.fullQ, s * 64, h, q0, b);
#pragma unroll 1
    for (int j = 0; j < kr.tiles; j++) {
        const int st = j % STAGES;
        const uint32_t phase = (j / STAGES) & 1;
        const int kt0 = kr.start + j * BN;
        mbar_wait(bar.emptyK + st, phase ^ 1);
        mbar_arrive_expect_tx(bar.fullK + st, C::KV_BYTES);
#pragma unroll
        for (int s = 0; s < C::SLICES; s++) {
            tma_load_4d(sK + st * C::KV_BYTES + s * KV_SLICE, &p.k, bar.fullK + st, s * 64, h, kt0, b);
        }
        mbar_wait(bar.emptyV + st, phase ^ 1);
        mbar_arrive_expect_tx(bar.fullV + st, C::KV_BYTES);
#pragma unroll
        for (int s = 0; s < C::SLICES; s++) {
            tma_load_4d(sV + st * C::KV_BYTES + s * KV_SLICE, &p.v, bar.fullV + st, s * 64, h, kt0, b);
        }
    }
}

// ------------------------------------------------------------------------------------------ consumers

// This thread's two query rows (lane / 4 and lane / 4 + 8 of its warp's 16) and their key ranges.
struct Rows {
    int q[2], start[2], end[2];
};

// S = Q K^T for this warpgroup's 64 rows and one tile of 128 keys: D/16 wgmma k16 steps, the first one
// overwriting the accumulators (scale-d = 0). qAddr: this warpgroup's first Q row; kAddr: the K tile.
template <int D>
__device__ __forceinline__ void issue_qk(float (&s)[64], uint32_t qAddr, uint32_t kAddr) {
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < D / 16; kk++) {
        const uint32_t k = (kk / 4) * Q_SLICE + (kk % 4) * 32;  // 64-wide slice, then 16 elements = 32 bytes
        const uint32_t n = (kk / 4) * KV_SLICE + (kk % 4) * 32;
        wgmma_ss_m64n128k16(s, sw128_desc(qAddr + k, 16, 1024), sw128_desc(kAddr + n, 16, 1024), kk > 0 ? 1 : 0);
    }
    wgmma_commit();
}

// O += P V for one tile: 8 k16 steps over the keys; V [keys, D] is MN-major: 16 keys = 16 rows further
// (2048 bytes), the second 64-column block of D is KV_SLICE further (the leading byte offset).
template <int D>
__device__ __forceinline__ void issue_pv(float (&o)[D / 2], const uint32_t (&pa)[BN / 16][4], uint32_t vAddr) {
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < BN / 16; kk++) {
        const uint64_t db = sw128_desc(vAddr + kk * 16 * ROWB, KV_SLICE, 1024);
        if constexpr (D == 128) {
            wgmma_rs_m64n128k16_tb(o, pa[kk], db);
        } else {
            wgmma_rs_m64n64k16_tb(o, pa[kk], db);
        }
    }
    wgmma_commit();
}

// Scale, bias and masks on the S registers of one tile (log2 domain), then the online softmax update:
// s becomes p = 2^(x - m_new) (F32), m and l (this thread's partial row sums) are updated, and alpha
// receives the factor by which the O rows must be rescaled. Register 4j + e of s is row e / 2 (of this
// thread's two), key kt0 + 8j + 2 (lane % 4) + e % 2.
__device__ __forceinline__ void softmax_tile(float (&s)[64], float (&m)[2], float (&l)[2], float (&alpha)[2],
                                             const WgAttnParams& p, const Rows& rows, int kt0, int h, int lane) {
    // interior tiles (every key allowed for every row of the warp, no bias) skip the per-element tests
    const bool plain = p.bias == nullptr && __all_sync(0xffffffffu, kt0 >= max(rows.start[0], rows.start[1]) &&
                                                                         kt0 + BN <= min(rows.end[0], rows.end[1]));
    float tileMax[2] = {-CUDART_INF_F, -CUDART_INF_F};
    // two separate loops, not one with a per-element test: if-converted, the masked path's index and
    // bias arithmetic would be issued (predicated off) for every element of every interior tile
    if (plain) {
#pragma unroll
        for (int i = 0; i < 64; i++) {
            s[i] *= p.scaleLog2;
            tileMax[(i >> 1) & 1] = fmaxf(tileMax[(i >> 1) & 1], s[i]);
        }
    } else {
#pragma unroll
        for (int j = 0; j < BN / 8; j++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int hh = e >> 1;
                float x = s[4 * j + e] * p.scaleLog2;
                const int key = kt0 + j * 8 + (lane & 3) * 2 + (e & 1);
                if (key < rows.start[hh] || key >= rows.end[hh]) {
                    x = -CUDART_INF_F;
                } else if (p.bias != nullptr) {
                    x += p.bias[((long long)h * p.Lq + rows.q[hh]) * p.Lk + key] * LOG2E;
                }
                s[4 * j + e] = x;
                tileMax[hh] = fmaxf(tileMax[hh], x);
            }
        }
    }
    float mUse[2];
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        float t = tileMax[hh];
        t = fmaxf(t, __shfl_xor_sync(0xffffffffu, t, 1));
        t = fmaxf(t, __shfl_xor_sync(0xffffffffu, t, 2));
        const float mNew = fmaxf(m[hh], t);
        // while every key so far is masked, mNew is -inf: keep the (zero) state untouched
        mUse[hh] = mNew == -CUDART_INF_F ? 0.0f : mNew;
        alpha[hh] = ex2(m[hh] - mUse[hh]);
        m[hh] = mNew;
    }
    float rowSum[2] = {0.0f, 0.0f};
#pragma unroll
    for (int i = 0; i < 64; i++) {
        const float pe = ex2(s[i] - mUse[(i >> 1) & 1]);
        s[i] = pe;
        rowSum[(i >> 1) & 1] += pe;
    }
#pragma unroll
    for (int hh = 0; hh < 2; hh++) l[hh] = l[hh] * alpha[hh] + rowSum[hh];
}

template <int D>
__device__ __forceinline__ void rescale(float (&o)[D / 2], const float (&alpha)[2]) {
#pragma unroll
    for (int i = 0; i < D / 2; i++) o[i] *= alpha[(i >> 1) & 1];
}

// P (F32 in the S registers) -> bf16 A fragments: k16 step kk is S columns 16kk .. 16kk+15, i.e. the
// accumulator n8 blocks 2kk and 2kk+1: {row g, row g+8} x {cols 2t, 2t+1} of each.
__device__ __forceinline__ void to_bf16(const float (&s)[64], uint32_t (&pa)[BN / 16][4]) {
#pragma unroll
    for (int kk = 0; kk < BN / 16; kk++) {
        pa[kk][0] = pack_bf16x2(s[8 * kk + 0], s[8 * kk + 1]);
        pa[kk][1] = pack_bf16x2(s[8 * kk + 2], s[8 * kk + 3]);
        pa[kk][2] = pack_bf16x2(s[8 * kk + 4], s[8 * kk + 5]);
        pa[kk][3] = pack_bf16x2(s[8 * kk + 6], s[8 * kk + 7]);
    }
}

__device__ __forceinline__ void release(uint64_t* bar, int lane) {
    __syncwarp();
    if (lane == 0) mbar_arrive(bar);
}

template <int D, bool OVERLAP>
__device__ __forceinline__ void consume(const WgAttnParams& p, const char* sQ, const char* sK, const char* sV,
                                        const Barriers& bar, int cw, int warp4, int lane, int q0, int h, int b,
                                        const KeyRange& kr) {
    using C = Cfg<D>;
    Rows rows;
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        const int r = q0 + cw * 64 + warp4 * 16 + (lane >> 2) + hh * 8;
        rows.q[hh] = r;
        rows.start[hh] = 0;
        rows.end[hh] = kr.kLen;
        if (r >= p.Lq) {
            rows.end[hh] = 0;  // padding row (zeros from TMA): everything masked, never stored
        } else if (p.frameRanges != nullptr) {
            const int2 fr = p.frameRanges[r / p.tokensPerFrame];
            rows.start[hh] = fr.x;
            rows.end[hh] = min(fr.y, kr.kLen);
        }
    }

    float o[D / 2];
#pragma unroll
    for (int i = 0; i < D / 2; i++) o[i] = 0.0f;
    float m[2] = {-CUDART_INF_F, -CUDART_INF_F};
    float l[2] = {0.0f, 0.0f};

    if (kr.tiles > 0) {
        float s[64];
#pragma unroll
        for (int i = 0; i < 64; i++) s[i] = 0.0f;
        uint32_t pa[BN / 16][4];
        float alpha[2];
        const uint32_t qAddr = smem_u32(sQ) + cw * 64 * ROWB;
        const uint32_t kBase = smem_u32(sK);
        const uint32_t vBase = smem_u32(sV);
        mbar_wait_warp(bar.fullQ, 0);

        if constexpr (!OVERLAP) {
#pragma unroll 1
            for (int j = 0; j < kr.tiles; j++) {
                const int st = j % STAGES;
                const uint32_t phase = (j / STAGES) & 1;
                mbar_wait_warp(bar.fullK + st, phase);
                issue_qk<D>(s, qAddr, kBase + st * C::KV_BYTES);
                wgmma_wait<0>();
                fence_regs(s);
                release(bar.emptyK + st, lane);
                softmax_tile(s, m, l, alpha, p, rows, kr.start + j * BN, h, lane);
                rescale<D>(o, alpha);
                to_bf16(s, pa);
                mbar_wait_warp(bar.fullV + st, phase);
                issue_pv<D>(o, pa, vBase + st * C::KV_BYTES);
                wgmma_wait<0>();
                fence_regs(o);
                fence_regs(pa);
                release(bar.emptyV + st, lane);
            }
        } else {
            // Ping-pong (FA3's inter-warpgroup schedule): the two consumer warpgroups take turns to
            // issue their products, each turn bracketed by named barriers, so that one warpgroup's
            // softmax (exp-throughput bound) runs while the other's products occupy the tensor cores.
            // Left to the warp schedulers, both warpgroups wait for the same K tile, multiply at the same
            // time and then exponentiate at the same time, leaving the tensor cores idle meanwhile.
            // Both warpgroups run the same number of turns (one per tile plus the last P V), so the
            // barriers balance; warpgroup 1 opens with an arrive on warpgroup 0's barrier to let it go
            // first, and warpgroup 0 takes that extra turn back at the end.
            const int myTurn = PINGPONG_BAR + cw;
            const int otherTurn = PINGPONG_BAR + (cw ^ 1);
            if (cw == 1) named_arrive(PINGPONG_BAR, 2 * 128);
            // tile 0: scores and softmax only (O is still zero, alpha irrelevant)
            mbar_wait_warp(bar.fullK, 0);
            named_sync(myTurn, 2 * 128);
            issue_qk<D>(s, qAddr, kBase);
            named_arrive(otherTurn, 2 * 128);
            wgmma_wait<0>();
            fence_regs(s);
            release(bar.emptyK, lane);
            softmax_tile(s, m, l, alpha, p, rows, kr.start, h, lane);
            to_bf16(s, pa);
#pragma unroll 1
            for (int j = 1; j < kr.tiles; j++) {
                const int st = j % STAGES;
                const uint32_t phase = (j / STAGES) & 1;
                const int ps = (j - 1) % STAGES;
                const uint32_t pphase = ((j - 1) / STAGES) & 1;
                mbar_wait_warp(bar.fullK + st, phase);
                mbar_wait_warp(bar.fullV + ps, pphase);
                named_sync(myTurn, 2 * 128);
                issue_qk<D>(s, qAddr, kBase + st * C::KV_BYTES);          // S_j
                issue_pv<D>(o, pa, vBase + ps * C::KV_BYTES);             // O += P_{j-1} V_{j-1}
                named_arrive(otherTurn, 2 * 128);
                wgmma_wait<1>();                                          // S_j done (groups retire in order)
                fence_regs(s);
                release(bar.emptyK + st, lane);
                softmax_tile(s, m, l, alpha, p, rows, kr.start + j * BN, h, lane);
                wgmma_wait<0>();                                          // P_{j-1} V_{j-1} done
                fence_regs(o);
                fence_regs(pa);
                release(bar.emptyV + ps, lane);
                rescale<D>(o, alpha);
                to_bf16(s, pa);
            }
            const int ls = (kr.tiles - 1) % STAGES;
            mbar_wait_warp(bar.fullV + ls, ((kr.tiles - 1) / STAGES) & 1);
            named_sync(myTurn, 2 * 128);
            issue_pv<D>(o, pa, vBase + ls * C::KV_BYTES);
            named_arrive(otherTurn, 2 * 128);
            // warpgroup 1's opening arrive left warpgroup 0's barrier one turn ahead: consume it, so both
            // barriers end the block balanced
            if (cw == 0) named_sync(myTurn, 2 * 128);
            wgmma_wait<0>();
            fence_regs(o);
            fence_regs(pa);
            release(bar.emptyV + ls, lane);
        }
    }

    // the row sums were kept per thread; the four threads of a quad share a row
    float inv[2];
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        float t = l[hh];
        t += __shfl_xor_sync(0xffffffffu, t, 1);
        t += __shfl_xor_sync(0xffffffffu, t, 2);
        inv[hh] = t > 0.0f ? 1.0f / t : 0.0f;
    }
    // accumulator register 4j + e: row e / 2, column 8j + 2 (lane % 4) + e % 2
#pragma unroll
    for (int hh = 0; hh < 2; hh++) {
        if (rows.q[hh] >= p.Lq) continue;
        __nv_bfloat16* orow = p.o + ((long long)(b * (long long)p.Lq + rows.q[hh]) * p.H + h) * D;
#pragma unroll
        for (int j = 0; j < D / 8; j++) {
            const int c = j * 8 + (lane & 3) * 2;
            *reinterpret_cast<__nv_bfloat162*>(orow + c) =
                __floats2bfloat162_rn(o[4 * j + 2 * hh] * inv[hh], o[4 * j + 2 * hh + 1] * inv[hh]);
        }
    }
    release(bar.done, lane);
}

template <int D, bool OVERLAP>
__device__ __forceinline__ void attention_wgmma(const WgAttnParams& p, char* smemRaw) {
    using C = Cfg<D>;
    char* smem = smemRaw + ((1024 - (smem_u32(smemRaw) & 1023)) & 1023);
    char* sQ = smem;
    char* sK = sQ + C::Q_BYTES;
    char* sV = sK + STAGES * C::KV_BYTES;
    uint64_t* bars = reinterpret_cast<uint64_t*>(sV + STAGES * C::KV_BYTES);
    const Barriers bar = {bars, bars + 1, bars + 1 + STAGES, bars + 1 + 2 * STAGES, bars + 1 + 3 * STAGES,
                          bars + 1 + 4 * STAGES};

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int wg = warp >> 2;
    const int q0 = blockIdx.x * BM;
    const int h = blockIdx.y;
    const int b = blockIdx.z;
    const KeyRange kr = key_range(p, b, q0);

    if (tid == 0) {
        mbar_init(bar.fullQ, 1);
#pragma unroll
        for (int s = 0; s < STAGES; s++) {
            mbar_init(bar.fullK + s, 1);      // the producer's arrive.expect_tx; TMA completes the bytes
            mbar_init(bar.fullV + s, 1);
            mbar_init(bar.emptyK + s, CONSUMER_WARPS);
            mbar_init(bar.emptyV + s, CONSUMER_WARPS);
        }
        mbar_init(bar.done, CONSUMER_WARPS);
        mbar_fence_init();
    }
    __syncthreads();

    if (wg == 0) {
        regs_dealloc<PRODUCER_REGS>();
        if (warp == 0 && lane == 0 && kr.tiles > 0) produce<D>(p, sQ, sK, sV, bar, q0, h, b, kr);
        if (ATTN_WATCHDOG_NS != 0 && warp == 1 && lane == 0 && kr.tiles > 0) watchdog(bar.done);
    } else {
        regs_alloc<C::CONSUMER_REGS>();
        consume<D, OVERLAP>(p, sQ, sK, sV, bar, wg - 1, warp & 3, lane, q0, h, b, kr);
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(THREADS, 1) attention_wgmma_d64(const __grid_constant__ WgAttnParams p) {
    extern __shared__ char smem[];
    attention_wgmma<64, true>(p, smem);
}

extern "C" __global__ void __launch_bounds__(THREADS, 1) attention_wgmma_d128(const __grid_constant__ WgAttnParams p) {
    extern __shared__ char smem[];
    attention_wgmma<128, true>(p, smem);
}

extern "C" __global__ void __launch_bounds__(THREADS, 1)
attention_wgmma_simple_d64(const __grid_constant__ WgAttnParams p) {
    extern __shared__ char smem[];
    attention_wgmma<64, false>(p, smem);
}

extern "C" __global__ void __launch_bounds__(THREADS, 1)
attention_wgmma_simple_d128(const __grid_constant__ WgAttnParams p) {
    extern __shared__ char smem[];
    attention_wgmma<128, false>(p, smem);
}

// Dynamic shared memory bytes of each variant (read by the host with cuModuleGetGlobal).
extern "C" __constant__ int attention_wgmma_d64_smem = Cfg<64>::SMEM;
extern "C" __constant__ int attention_wgmma_d128_smem = Cfg<128>::SMEM;
