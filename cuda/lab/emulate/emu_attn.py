"""Warp-level NumPy emulation of cuda/attention.cu (flash_forward): Q/K/V tile loads and swizzle,
ldmatrix (.trans for V), mma fragments, the S -> P register reuse, masks (key lengths, bias, time
windows via TimeWindow's rule transcribed below), online softmax in exact arithmetic, and the final
normalisation, against a direct softmax reference. Index logic only; no timing, races or ex2.approx.

    cd cuda/lab/emulate && python3 emu_attn.py
"""
import numpy as np, math
from emu_gemm import ldmatrix_x4, mma

BQ = BKV = 64
LOG2E = 1.4426950408889634

def swz(D, r, c): return r * (D * 2) + ((c ^ (r & 7)) << 4)

def load_rows(D, head_rows, t0, tEnd):
    """head_rows: [L, D] of one (b, h). Returns the swizzled tile as a flat element array."""
    s = np.zeros(BQ * D)
    CPR = D // 8
    for tid in range(128):
        for i in range(BQ * CPR // 128):
            idx = tid + i * 128; r, c = idx // CPR, idx % CPR
            t = t0 + r
            if 0 <= t < tEnd:
                a = swz(D, r, c) // 2
                s[a:a+8] = head_rows[t, c*8:c*8+8]
    return s

def flash_block(D, q, k, v, bias, kLen, frames, T, scale, q0, Lq, Lk):
    KD, ND, NS = D // 16, D // 8, BKV // 8
    scaleLog2 = scale * LOG2E
    bs, be_ = 0, kLen
    if frames is not None:
        fF, fL = q0 // T, (min(q0 + BQ, Lq) - 1) // T
        bs = min(frames[f][0] for f in range(fF, fL + 1)); be_ = min(max(frames[f][1] for f in range(fF, fL + 1)), kLen)
    nTiles = (be_ - bs + BKV - 1) // BKV if be_ > bs else 0
    sQ = load_rows(D, q, q0, Lq)
    out = {}
    for w in range(4):
        rowQ = np.zeros((32, 2), int); rs = np.zeros((32, 2), int); re = np.zeros((32, 2), int)
        for l in range(32):
            for hh in range(2):
                r = q0 + w*16 + (l >> 2) + hh*8
                rowQ[l, hh] = r; rs[l, hh] = 0; re[l, hh] = kLen
                if r >= Lq: re[l, hh] = 0
                elif frames is not None:
                    rs[l, hh] = frames[r // T][0]; re[l, hh] = min(frames[r // T][1], kLen)
        qf = [ldmatrix_x4(sQ, [swz(D, w*16 + (l & 15), kk*2 + (l >> 4)) for l in range(32)]) for kk in range(KD)]
        o = [[[0.0]*4 for _ in range(32)] for _ in range(ND)]
        m = np.full((32, 2), -np.inf); lsum = np.zeros((32, 2))
        for it in range(nTiles):
            kt0 = bs + it * BKV
            cK = load_rows(D, k, kt0, Lk); cV = load_rows(D, v, kt0, Lk)
            s = [[[0.0]*4 for _ in range(32)] for _ in range(NS)]
            for kk in range(KD):
                for pr in range(NS // 2):
                    t = ldmatrix_x4(cK, [swz(D, pr*16 + ((l >> 4) << 3) + (l & 7), kk*2 + ((l >> 3) & 1)) for l in range(32)])
                    s[2*pr] = mma(s[2*pr], qf[kk], [t[l][0] for l in range(32)], [t[l][1] for l in range(32)])
                    s[2*pr+1] = mma(s[2*pr+1], qf[kk], [t[l][2] for l in range(32)], [t[l][3] for l in range(32)])
            plain = bias is None and all(kt0 >= max(rs[l]) and kt0 + BKV <= min(re[l]) for l in range(32))
            tmax = np.full((32, 2), -np.inf)
            for nt in range(NS):
                for l in range(32):
                    for e in range(4):
                        hh = e >> 1
                        x = s[nt][l][e] * scaleLog2
                        if not plain:
                            key = kt0 + nt*8 + (l & 3)*2 + (e & 1)
                            if key < rs[l, hh] or key >= re[l, hh]: x = -np.inf
                            elif bias is not None: x += bias[rowQ[l, hh], key] * LOG2E
                        s[nt][l][e] = x; tmax[l, hh] = max(tmax[l, hh], x)
            mUse = np.zeros((32, 2)); alpha = np.zeros((32, 2))
            for l in range(32):
                for hh in range(2):
                    quad = [tmax[(l & ~3) | j, hh] for j in range(4)]
                    mNew = max(m[l, hh], max(quad))
                    mUse[l, hh] = 0.0 if mNew == -np.inf else mNew
                    alpha[l, hh] = 2.0 ** (m[l, hh] - mUse[l, hh]); m[l, hh] = mNew
            rsum = np.zeros((32, 2))
            for nt in range(NS):
                for l in range(32):
                    for e in range(4):
                        pe = 2.0 ** (s[nt][l][e] - mUse[l, e >> 1]); s[nt][l][e] = pe; rsum[l, e >> 1] += pe
            lsum = lsum * alpha + rsum
            for nd in range(ND):
                for l in range(32):
                    o[nd][l] = [o[nd][l][0]*alpha[l,0], o[nd][l][1]*alpha[l,0], o[nd][l][2]*alpha[l,1], o[nd][l][3]*alpha[l,1]]
            for j in range(BKV // 16):
                pa = [[(s[2*j][l][0], s[2*j][l][1]), (s[2*j][l][2], s[2*j][l][3]), (s[2*j+1][l][0], s[2*j+1][l][1]),
                       (s[2*j+1][l][2], s[2*j+1][l][3])] for l in range(32)]
                for pr in range(ND // 2):
                    t = ldmatrix_x4(cV, [swz(D, j*16 + ((l >> 3) & 1)*8 + (l & 7), pr*2 + (l >> 4)) for l in range(32)], trans=True)
                    o[2*pr] = mma(o[2*pr], pa, [t[l][0] for l in range(32)], [t[l][1] for l in range(32)])
                    o[2*pr+1] = mma(o[2*pr+1], pa, [t[l][2] for l in range(32)], [t[l][3] for l in range(32)])
        for l in range(32):
            for hh in range(2):
                tot = sum(lsum[(l & ~3) | j, hh] for j in range(4))
                inv = 1.0 / tot if tot > 0 else 0.0
                if rowQ[l, hh] >= Lq: continue
                for nd in range(ND):
                    c = nd*8 + (l & 3)*2
                    out[(rowQ[l, hh], c)] = o[nd][l][2*hh] * inv
                    out[(rowQ[l, hh], c + 1)] = o[nd][l][2*hh + 1] * inv
    return out

def reference(q, k, v, bias, kLen, frames, T, scale):
    Lq = q.shape[0]; out = np.zeros((Lq, v.shape[1]))
    for i in range(Lq):
        ks, ke = 0, kLen
        if frames is not None: ks, ke = frames[i // T][0], min(frames[i // T][1], kLen)
        if ke <= ks: continue
        s = q[i] @ k[ks:ke].T * scale
        if bias is not None: s = s + bias[i, ks:ke]
        p = np.exp(s - s.max()); out[i] = p @ v[ks:ke] / p.sum()
    return out

def time_window(frames, T, w, s):
    # TimeWindow.keyFrameStart / keyFrameEnd, transcribed
    s = 0 if w >= frames else s
    r = []
    for f in range(frames):
        sh = (f - s) % frames; win = sh // w; wrapped = f < s
        if wrapped:
            a = max(win * w, frames - s) - (frames - s); b = min((win + 1) * w, frames) - (frames - s)
        else:
            a = win * w + s; b = min((win + 1) * w, frames - s) + s
        r.append((a * T, b * T))
    return r

rng = np.random.default_rng(2)
cases = [(64, 37, 37, None, None, 1, False), (128, 70, 130, 100, None, 1, True), (64, 66, 66, None, (6, 11, 2, 1), 11, False),
         (128, 150, 150, 140, (5, 30, 2, 1), 30, False), (64, 40, 70, 0, None, 1, False)]
for D, Lq, Lk, kLen, win, T, useBias in cases:
    q = rng.standard_normal((Lq, D)); k = rng.standard_normal((Lk, D)); v = rng.standard_normal((Lk, D))
    bias = rng.standard_normal((Lq, Lk)) * 2 if useBias else None
    frames = time_window(*win) if win else None
    kl = Lk if kLen is None else kLen
    Y = np.full((Lq, D), np.nan)
    for q0 in range(0, Lq, BQ):
        for (r, c), val in flash_block(D, q, k, v, bias, kl, frames, T, 1 / math.sqrt(D), q0, Lq, Lk).items(): Y[r, c] = val
    ref = reference(q, k, v, bias, kl, frames, T, 1 / math.sqrt(D))
    print(f"flash emulation D={D} Lq={Lq} Lk={Lk} kLen={kLen} window={win} bias={useBias}: max abs err "
          f"{np.nanmax(np.abs(Y - ref)):.2e}, unwritten {np.isnan(Y).sum()}")
