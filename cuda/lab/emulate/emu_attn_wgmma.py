"""NumPy model of cuda/attention_wgmma.cu's index logic (both variants), against a float64 reference.

Modelled from the PTX ISA and CUTLASS's canonical GMMA layouts, not from hardware: TMA with the
128-byte swizzle writes box element (row r, column c) at r * 128 + ((c / 8) ^ (r % 8)) * 16 + (c % 8) * 2
of a 1024-aligned slot; wgmma reads a K-major operand row r, element k at start + (r / 8) SBO +
(r % 8) 128 + 2k and an MN-major operand (k, n) at start + (n / 64) LBO + (k / 8) SBO + (k % 8) 128 +
2 (n % 64), both through the same address swizzle (bits [4:6] ^= bits [7:9]); accumulator register
4j + e of warp w, lane l is (16 w + l / 4 + 8 (e / 2), 8 j + 2 (l % 4) + e % 2); the register A fragment
is the m16n8k16 one. On top of that the model follows the kernel's own arithmetic: descriptor offsets
per k16 step, the P conversion from S registers, per-thread row ranges, the 'plain' tile test, quad
shuffles, the online softmax in the log2 domain, the overlapped order of the two products, bf16
rounding of P and of the output. It checks the index logic, never races, timing or the hardware's
reading of a descriptor (the GPU tests decide that).

    python3 cuda/lab/emulate/emu_attn_wgmma.py
"""
import numpy as np

BM = BN = 128
ROWB = 128
SLICE = 128 * ROWB
LOG2E = 1.4426950408889634


def bf16(x):
    """Round float32 values to bf16 (nearest even), returned as float32."""
    a = np.asarray(x, dtype=np.float32).copy()
    b = a.view(np.uint32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000
    return b.astype(np.uint32).view(np.float32)


def phys(addr):
    return addr ^ (((addr >> 7) & 7) << 4)


class Smem:
    def __init__(self, nbytes):
        self.e = np.zeros(nbytes // 2, dtype=np.float64)  # element (byte // 2) view

    def tma_box(self, base, rows):
        """rows: [128, 64] (zeros already in out-of-range rows) into the swizzled slot at base."""
        for r in range(128):
            for c in range(8):
                off = base + r * 128 + ((c ^ (r & 7)) << 4)
                self.e[off // 2: off // 2 + 8] = rows[r, c * 8: c * 8 + 8]

    def kmajor(self, start, nrows):
        out = np.zeros((nrows, 16))
        for r in range(nrows):
            for k in range(16):
                out[r, k] = self.e[phys(start + (r // 8) * 1024 + (r % 8) * 128 + 2 * k) // 2]
        return out

    def mnmajor(self, start, lbo, sbo, n):
        out = np.zeros((16, n))
        for k in range(16):
            for j in range(n):
                a = start + (j // 64) * lbo + (k // 8) * sbo + (k % 8) * 128 + 2 * (j % 64)
                out[k, j] = self.e[phys(a) // 2]
        return out


def acc_coords(j, e, warp, lane):
    return 16 * warp + lane // 4 + 8 * (e >> 1), 8 * j + 2 * (lane % 4) + (e & 1)


def to_regs(D):
    """64 x N accumulator matrix -> regs[warp][lane][N / 2]."""
    n = D.shape[1]
    r = np.zeros((4, 32, n // 2))
    for w in range(4):
        for l in range(32):
            for j in range(n // 8):
                for e in range(4):
                    r[w, l, 4 * j + e] = D[acc_coords(j, e, w, l)]
    return r


def from_regs(r):
    n = r.shape[2] * 2
    D = np.zeros((64, n))
    for w in range(4):
        for l in range(32):
            for j in range(n // 8):
                for e in range(4):
                    D[acc_coords(j, e, w, l)] = r[w, l, 4 * j + e]
    return D


def afrag_matrix(pa):
    """pa[warp][lane][4 regs][2 halves] (the register A operand of one k16 step) -> 64 x 16."""
    A = np.zeros((64, 16))
    for w in range(4):
        for l in range(32):
            g, t = l // 4, l % 4
            for reg, (dr, dc) in enumerate([(0, 0), (8, 0), (0, 8), (8, 8)]):
                for half in range(2):
                    A[16 * w + g + dr, 2 * t + dc + half] = pa[w, l, reg, half]
    return A


def ex2(x):
    with np.errstate(invalid="ignore", over="ignore"):
        return np.exp2(x)


def attention_block(q, k, v, bias, key_lens, frame_ranges, tpf, scale, b, h, q0, D, overlap):
    """One block of the kernel: returns {query row: output row (bf16-rounded)}."""
    Lq, Lk = q.shape[1], k.shape[1]
    slices = D // 64
    # key_range()
    k_len = max(0, min(Lk, key_lens[b])) if key_lens is not None else Lk
    start, end = 0, k_len
    if frame_ranges is not None:
        f_first, f_last = q0 // tpf, (min(q0 + BM, Lq) - 1) // tpf
        start = min(frame_ranges[f][0] for f in range(f_first, f_last + 1))
        end = min(max(frame_ranges[f][1] for f in range(f_first, f_last + 1)), k_len)
    tiles = (end - start + BN - 1) // BN if end > start else 0

    q_bytes, kv_bytes = slices * SLICE, slices * SLICE
    sm = Smem(q_bytes + 4 * kv_bytes)
    sQ, sK, sV = 0, q_bytes, q_bytes + 2 * kv_bytes

    def rows_of(t, L, r0):
        out = np.zeros((128, t.shape[-1]))
        for r in range(128):
            if 0 <= r0 + r < L:
                out[r] = t[b, r0 + r, h]
        return out

    if tiles > 0:
        qr = rows_of(q, Lq, q0)
        for s in range(slices):
            sm.tma_box(sQ + s * SLICE, qr[:, 64 * s: 64 * s + 64])

    def load_kv(j):
        st, kt0 = j % 2, start + j * BN
        kr, vr = rows_of(k, Lk, kt0), rows_of(v, Lk, kt0)
        for s in range(slices):
            sm.tma_box(sK + st * kv_bytes + s * SLICE, kr[:, 64 * s: 64 * s + 64])
            sm.tma_box(sV + st * kv_bytes + s * SLICE, vr[:, 64 * s: 64 * s + 64])

    out = {}
    for cw in range(2):
        # per-thread rows and ranges: arrays [warp][lane][hh]
        rq = np.zeros((4, 32, 2), dtype=np.int64)
        rs = np.zeros((4, 32, 2), dtype=np.int64)
        re = np.zeros((4, 32, 2), dtype=np.int64)
        for w in range(4):
            for l in range(32):
                for hh in range(2):
                    r = q0 + cw * 64 + w * 16 + l // 4 + 8 * hh
                    rq[w, l, hh], rs[w, l, hh], re[w, l, hh] = r, 0, k_len
                    if r >= Lq:
                        re[w, l, hh] = 0
                    elif frame_ranges is not None:
                        fr = frame_ranges[r // tpf]
                        rs[w, l, hh], re[w, l, hh] = fr[0], min(fr[1], k_len)
        o = np.zeros((4, 32, D // 2))
        m = np.full((4, 32, 2), -np.inf)
        lsum = np.zeros((4, 32, 2))
        q_addr = sQ + cw * 64 * ROWB

        def qk(st):
            S = np.zeros((64, BN))
            for kk in range(D // 16):
                qa = q_addr + (kk // 4) * SLICE + (kk % 4) * 32
                ka = sK + st * kv_bytes + (kk // 4) * SLICE + (kk % 4) * 32
                S += sm.kmajor(qa, 64) @ sm.kmajor(ka, BN).T
            return to_regs(S)

        def pv(o, pa, st):
            O = from_regs(o)
            for kk in range(BN // 16):
                Bm = sm.mnmajor(sV + st * kv_bytes + kk * 16 * ROWB, SLICE, 1024, D)
                O = O + afrag_matrix(pa[:, :, kk]) @ Bm
            return to_regs(O)

        def softmax(s, m, lsum, kt0):
            s = s.copy()
            alpha = np.zeros((4, 32, 2))
            for w in range(4):
                plain = bias is None and all(kt0 >= max(rs[w, l, 0], rs[w, l, 1]) and kt0 + BN <= min(re[w, l, 0], re[w, l, 1])
                                             for l in range(32))
                tile_max = np.full((32, 2), -np.inf)
                for l in range(32):
                    for j in range(BN // 8):
                        for e in range(4):
                            hh = e >> 1
                            x = s[w, l, 4 * j + e] * np.float32(scale * LOG2E)
                            if not plain:
                                key = kt0 + j * 8 + (l & 3) * 2 + (e & 1)
                                if key < rs[w, l, hh] or key >= re[w, l, hh]:
                                    x = -np.inf
                                elif bias is not None:
                                    x += bias[h, rq[w, l, hh], key] * LOG2E
                            s[w, l, 4 * j + e] = x
                            tile_max[l, hh] = max(tile_max[l, hh], x)
                quad = tile_max.reshape(8, 4, 2).max(axis=1)  # shuffles xor 1, 2
                for l in range(32):
                    for hh in range(2):
                        m_new = max(m[w, l, hh], quad[l // 4, hh])
                        m_use = 0.0 if m_new == -np.inf else m_new
                        alpha[w, l, hh] = ex2(m[w, l, hh] - m_use)
                        m[w, l, hh] = m_new
                        idx = [i for i in range(BN // 2) if ((i >> 1) & 1) == hh]
                        p = ex2(s[w, l, idx] - m_use)
                        s[w, l, idx] = p
                        lsum[w, l, hh] = lsum[w, l, hh] * alpha[w, l, hh] + p.sum()
            return s, alpha

        def to_bf16(s):
            pa = np.zeros((4, 32, BN // 16, 4, 2))
            for kk in range(BN // 16):
                for reg in range(4):
                    pa[:, :, kk, reg, 0] = bf16(s[:, :, 8 * kk + 2 * reg])
                    pa[:, :, kk, reg, 1] = bf16(s[:, :, 8 * kk + 2 * reg + 1])
            return pa

        def rescale(o, alpha):
            for i in range(D // 2):
                o[:, :, i] *= alpha[:, :, (i >> 1) & 1]

        if tiles > 0:
            if not overlap:
                for j in range(tiles):
                    load_kv(j)
                    s = qk(j % 2)
                    s, alpha = softmax(s, m, lsum, start + j * BN)
                    rescale(o, alpha)
                    o = pv(o, to_bf16(s), j % 2)
            else:
                load_kv(0)
                s = qk(0)
                s, _ = softmax(s, m, lsum, start)
                pa = to_bf16(s)
                for j in range(1, tiles):
                    load_kv(j)  # K_j and V_j; V_{j-1} still in the other slot
                    s = qk(j % 2)
                    o = pv(o, pa, (j - 1) % 2)
                    s, alpha = softmax(s, m, lsum, start + j * BN)
                    rescale(o, alpha)
                    pa = to_bf16(s)
                o = pv(o, pa, (tiles - 1) % 2)
        tot = lsum.copy()
        quad = tot.reshape(4, 8, 4, 2).sum(axis=2)
        for w in range(4):
            for l in range(32):
                for hh in range(2):
                    t = quad[w, l // 4, hh]
                    inv = 1.0 / t if t > 0 else 0.0
                    r = rq[w, l, hh]
                    if r >= Lq:
                        continue
                    row = out.setdefault(r, np.full(D, np.nan))
                    for j in range(D // 8):
                        c = j * 8 + (l & 3) * 2
                        row[c] = bf16(o[w, l, 4 * j + 2 * hh] * inv)
                        row[c + 1] = bf16(o[w, l, 4 * j + 2 * hh + 1] * inv)
    return out


def reference(q, k, v, bias, key_lens, frame_ranges, tpf, scale):
    B, Lq, H, D = q.shape
    Lk = k.shape[1]
    o = np.zeros((B, Lq, H, D))
    for b in range(B):
        kl = min(Lk, key_lens[b]) if key_lens is not None else Lk
        for h in range(H):
            for i in range(Lq):
                lo, hi = 0, kl
                if frame_ranges is not None:
                    fr = frame_ranges[i // tpf]
                    lo, hi = fr[0], min(fr[1], kl)
                if hi <= lo:
                    continue
                x = k[b, lo:hi, h] @ q[b, i, h] * scale
                if bias is not None:
                    x = x + bias[h, i, lo:hi]
                p = np.exp(x - x.max())
                o[b, i, h] = p @ v[b, lo:hi, h] / p.sum()
    return o


def run(case, B, Lq, Lk, H, D, key_lens=None, use_bias=False, window=None, scale=None, seed=0):
    rng = np.random.default_rng(seed)
    q = bf16(rng.uniform(-1, 1, (B, Lq, H, D)))
    k = bf16(rng.uniform(-1, 1, (B, Lk, H, D)))
    v = bf16(rng.uniform(-1, 1, (B, Lk, H, D)))
    bias = rng.uniform(-2, 2, (H, Lq, Lk)).astype(np.float32) if use_bias else None
    scale = scale if scale is not None else 1 / np.sqrt(D)
    frame_ranges, tpf = None, 1
    if window is not None:  # (frames, tokens per frame): frame f sees frames f-1 .. f+1 (any table will do)
        frames, tpf = window
        frame_ranges = [(max(0, f - 1) * tpf, min(frames, f + 2) * tpf) for f in range(frames)]
    ref = reference(q.astype(np.float64), k, v, bias, key_lens, frame_ranges, tpf, scale)
    for overlap in (False, True):
        got = np.full_like(ref, np.nan)
        for b in range(B):
            for h in range(H):
                for q0 in range(0, Lq, BM):
                    for r, row in attention_block(q, k, v, bias, key_lens, frame_ranges, tpf, scale, b, h, q0, D,
                                                  overlap).items():
                        got[b, r, h] = row
        assert not np.isnan(got).any(), case + ": unwritten output"
        err = np.linalg.norm(got - ref) / max(np.linalg.norm(ref), 1e-30)
        print(f"{case:<40} {'overlapped' if overlap else 'simple':<10} rel err {err:.2e}")
        assert err < 1e-2, case


if __name__ == "__main__":
    run("global d=64, ragged", 1, 150, 300, 1, 64)
    run("global d=128, 3 tiles", 1, 130, 333, 1, 128, seed=1)
    run("one tile d=128", 1, 40, 100, 1, 128, seed=2)
    run("key lengths incl. an empty item", 2, 70, 260, 1, 64, key_lens=[200, 0], seed=3)
    run("bias + lens, unit scale", 1, 60, 140, 2, 64, key_lens=[139], use_bias=True, scale=1.0, seed=4)
    run("windows, frames of 50", 1, 300, 300, 1, 128, window=(6, 50), seed=5)
    run("windows + lens, frames of 70", 1, 280, 280, 1, 64, key_lens=[250], window=(4, 70), seed=6)
    print("ok")
