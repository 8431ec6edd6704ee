"""Warp-level NumPy emulation of cuda/gemm_bf16.cu's index math (ldmatrix addresses, the smem swizzle,
mma.m16n8k16 fragments, C staging and the epilogue walk), using the fragment layouts the PTX ISA
documents. It checks that the kernel's data flow computes x W^T on ragged shapes and that every
ldmatrix phase is bank-conflict free. It cannot check timing, the cp.async pipeline or races.

    python3 cuda/lab/emulate/emu_gemm.py
"""
import numpy as np

def ldmatrix_x4(smem, addrs, trans=False):
    """addrs[lane] = byte address of the row that lane supplies. Returns regs[lane][i] = (lo, hi)."""
    regs = [[None] * 4 for _ in range(32)]
    for i in range(4):
        rows = [smem[addrs[8 * i + r] // 2: addrs[8 * i + r] // 2 + 8] for r in range(8)]
        m = np.array(rows)  # 8x8
        for t in range(32):
            if not trans:
                regs[t][i] = (m[t // 4, 2 * (t % 4)], m[t // 4, 2 * (t % 4) + 1])
            else:
                regs[t][i] = (m[2 * (t % 4), t // 4], m[2 * (t % 4) + 1, t // 4])
    return regs

def mma(d, a, b0, b1):
    """d[lane] = 4 floats; a[lane] = 4 pairs; b0[lane], b1[lane] = pairs. Returns new d."""
    A = np.zeros((16, 16)); B = np.zeros((16, 8)); C = np.zeros((16, 8))
    for t in range(32):
        g, q = t // 4, t % 4
        A[g, 2*q:2*q+2] = a[t][0]; A[g+8, 2*q:2*q+2] = a[t][1]
        A[g, 2*q+8:2*q+10] = a[t][2]; A[g+8, 2*q+8:2*q+10] = a[t][3]
        B[2*q:2*q+2, g] = b0[t]; B[2*q+8:2*q+10, g] = b1[t]
        C[g, 2*q:2*q+2] = d[t][0:2]; C[g+8, 2*q:2*q+2] = d[t][2:4]
    C = C + A @ B
    out = []
    for t in range(32):
        g, q = t // 4, t % 4
        out.append([C[g, 2*q], C[g, 2*q+1], C[g+8, 2*q], C[g+8, 2*q+1]])
    return out

BM, BN, BK, WM, WN, MT, NT, ROW = 128, 128, 32, 64, 32, 4, 4, 64
def swz(r, c): return r * ROW + ((c ^ ((r >> 1) & 3)) << 4)

def gemm_block(Am, Bm, M, N, K, tm, tn):
    m0, n0 = tm * BM, tn * BN
    acc = {(w, mt, nt): [[0.0]*4 for _ in range(32)] for w in range(8) for mt in range(MT) for nt in range(NT)}
    for k0 in range(0, K, BK):
        sA = np.zeros(BM * ROW // 2); sB = np.zeros(BN * ROW // 2)
        for tid in range(256):
            for i in range(BM * 4 // 256):
                idx = tid + i * 256; r, c = idx >> 2, idx & 3
                gr, gk = m0 + r, k0 + c * 8
                if gr < M and gk < K: sA[swz(r, c)//2: swz(r, c)//2 + 8] = Am[gr, gk:gk+8]
                gn = n0 + r
                if gn < N and gk < K: sB[swz(r, c)//2: swz(r, c)//2 + 8] = Bm[gn, gk:gk+8]
        for w in range(8):
            wm, wn = w // 4, w % 4
            for ks in range(BK // 16):
                a = [ldmatrix_x4(sA, [swz(wm*WM + mt*16 + (l & 15), ks*2 + (l >> 4)) for l in range(32)]) for mt in range(MT)]
                b = {}
                for p in range(NT // 2):
                    t = ldmatrix_x4(sB, [swz(wn*WN + p*16 + ((l >> 4) << 3) + (l & 7), ks*2 + ((l >> 3) & 1)) for l in range(32)])
                    b[2*p] = ([t[l][0] for l in range(32)], [t[l][1] for l in range(32)])
                    b[2*p+1] = ([t[l][2] for l in range(32)], [t[l][3] for l in range(32)])
                for mt in range(MT):
                    for nt in range(NT):
                        acc[(w, mt, nt)] = mma(acc[(w, mt, nt)], a[mt], b[nt][0], b[nt][1])
    LDC = BN + 8
    sC = np.full(BM * LDC, np.nan)
    for w in range(8):
        wm, wn = w // 4, w % 4
        for mt in range(MT):
            for nt in range(NT):
                for l in range(32):
                    r = wm*WM + mt*16 + (l >> 2); c = wn*WN + nt*8 + (l & 3)*2
                    d = acc[(w, mt, nt)][l]
                    sC[r*LDC + c: r*LDC + c + 2] = d[0:2]; sC[(r+8)*LDC + c: (r+8)*LDC + c + 2] = d[2:4]
    out = {}
    for idx in range(BM * (BN // 8)):
        r, c = idx // (BN // 8), (idx % (BN // 8)) * 8
        row, col = m0 + r, n0 + c
        if row >= M or col >= N: continue
        for j in range(8):
            if col + j < N: out[(row, col + j)] = sC[r*LDC + c + j]
    return out

if __name__ == '__main__':
    rng = np.random.default_rng(1)
    for (M, N, K) in [(130, 200, 72), (17, 9, 8), (128, 128, 32)]:
        Am = rng.standard_normal((M, K)); Bm = rng.standard_normal((N, K))
        Y = np.full((M, N), np.nan)
        for tm in range((M + BM - 1) // BM):
            for tn in range((N + BN - 1) // BN):
                for (r, c), v in gemm_block(Am, Bm, M, N, K, tm, tn).items(): Y[r, c] = v
        err = np.abs(Y - Am @ Bm.T).max()
        print(f"gemm_bf16_tc emulation M={M} N={N} K={K}: max abs err {err:.2e}, unwritten {np.isnan(Y).sum()}")
    # swizzle conflict check: the 8 row addresses of each ldmatrix phase hit distinct 16-byte bank groups
    bad = 0
    for base in range(0, 128, 8):
        for c in range(4):
            groups = {(swz(base + r, c) // 16) % 8 for r in range(8)}
            bad += len(groups) != 8
    print("ldmatrix phases with bank conflicts:", bad)
