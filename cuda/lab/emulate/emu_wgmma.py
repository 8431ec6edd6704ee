"""NumPy model of cuda/gemm_wgmma.cu's shared-memory layout and accumulator mapping.

The hardware side is modelled from the PTX ISA: a K-major operand with 128-byte swizzle is read row
by row (8-row groups SBO = 1024 bytes apart, rows 128 bytes apart inside a group), 16-byte chunk j of
a k16 slice at start + 32 k + 16 j, and the swizzle XORs address bits [4:6] with bits [7:9]. The
accumulator layout is the documented m64nNk16 D fragment (warp w: rows 16 w + lane / 4 (+ 8),
register 4 j + e: column 8 j + 2 (lane % 4) + e % 2). The check: the kernel's cp.async placement
(chunk ^ (row & 7)), its descriptors (+32 bytes per k16 step, warpgroup offsets) and its C staging
reproduce x W^T for one 128 x 256 x 64 tile. A model, not the hardware: the GPU test decides.

    python3 cuda/lab/emulate/emu_wgmma.py
"""
import numpy as np

BM, BN, BK, ROW = 128, 256, 64, 128

def place(tile_rows):
    """Kernel side: rows x 64 bf16 into a swizzled byte image (elements indexed by byte // 2)."""
    rows = tile_rows.shape[0]
    smem = np.zeros(rows * ROW // 2)
    for r in range(rows):
        for c in range(8):
            off = r * ROW + ((c ^ (r & 7)) << 4)
            smem[off // 2: off // 2 + 8] = tile_rows[r, c * 8: c * 8 + 8]
    return smem

def hw_read(smem, start, rows):
    """Hardware side: the rows x 16 operand a descriptor with this start address describes."""
    out = np.zeros((rows, 16))
    for r in range(rows):
        for j in range(2):
            addr = start + (r // 8) * 1024 + (r % 8) * 128 + 16 * j
            addr ^= ((addr >> 7) & 7) << 4
            out[r, 8 * j: 8 * j + 8] = smem[addr // 2: addr // 2 + 8]
    return out

rng = np.random.default_rng(3)
A = rng.standard_normal((BM, BK))
B = rng.standard_normal((BN, BK))
sA, sB = place(A), place(B)
LDC = BN + 8
sC = np.full(BM * LDC, np.nan)
for wg in range(2):
    D = np.zeros((64, BN))
    for k in range(BK // 16):
        a = hw_read(sA, wg * 64 * ROW + 32 * k, 64)
        b = hw_read(sB, 32 * k, BN)
        D += a @ b.T
    for warp in range(4):
        for lane in range(32):
            d = [0.0] * 128
            for j in range(BN // 8):
                for e in range(4):
                    d[4 * j + e] = D[16 * warp + lane // 4 + 8 * (e >> 1), 8 * j + 2 * (lane % 4) + (e & 1)]
            r = wg * 64 + warp * 16 + (lane >> 2)
            for j in range(BN // 8):
                c = j * 8 + (lane & 3) * 2
                sC[r * LDC + c: r * LDC + c + 2] = d[4 * j: 4 * j + 2]
                sC[(r + 8) * LDC + c: (r + 8) * LDC + c + 2] = d[4 * j + 2: 4 * j + 4]
C = sC.reshape(BM, LDC)[:, :BN]
print(f"wgmma tile model: max abs err {np.abs(C - A @ B.T).max():.2e}, unwritten {np.isnan(C).sum()}")
