"""Model of gemm_persistent.cu's staged epilogue (drain_accumulators), written without a GPU.

What it checks, for one consumer warpgroup's 64 x 256 accumulators, with the kernel's index formulas
copied as they are:
  * the register shift: chunk c's columns are in d[0..31] when chunk c is staged, after c shifts of 32;
  * stage_off is a bijection of the 64 x 64 chunk onto the 4096 floats of the buffer, keeps a column
    pair (float2) and a run of 4 (float4) contiguous and aligned;
  * every output element (row, col) of the 64 x 256 block is written exactly once by the run loop, with
    the accumulator value of that element (the documented m64nNk16 D fragment: warp w of the
    warpgroup, register 4 j + e at row 16 w + lane / 4 + 8 (e / 2), column 8 j + 2 (lane % 4) + e % 2);
  * bank conflicts: the 64-bit writes (two phases of 16 threads) and the 128-bit reads (four phases of 8
    threads) of each warp instruction, counted as the largest number of distinct 4-byte words one
    bank serves in a phase. Printed, and asserted to be 1 (conflict-free).
  * the run reads give 8 consecutive threads one row (128 contiguous bytes of bf16 output).
A mutation (the swizzle without the XOR; the shift by 16 instead of 32) must fail, so the model can see
such mistakes. Hardware misunderstandings shared by model and kernel stay invisible: the GPU test decides.

    python3 cuda/lab/emulate/emu_drain.py
"""
import numpy as np

BN, CHUNK, ROWS = 256, 64, 64


def stage_off(r, c, xor=True):
    g = (c >> 2) ^ ((r & 7) << 1) if xor else (c >> 2)
    return r * CHUNK + (g << 2) + (c & 3)


def fragment(acc, warp, lane):
    """Registers d[0..127] of one thread: the D fragment of m64n256k16."""
    d = np.zeros(128)
    for j in range(BN // 8):
        for e in range(4):
            r = 16 * warp + lane // 4 + 8 * (e // 2)
            c = 8 * j + 2 * (lane % 4) + e % 2
            d[4 * j + e] = acc[r, c]
    return d


def drain(acc, xor=True, shift=32):
    regs = {(w, l): fragment(acc, w, l) for w in range(4) for l in range(32)}
    out = np.full((ROWS, BN), np.nan)
    writes = np.zeros((ROWS, BN), dtype=int)
    worst = {"write": 0, "read": 0}
    for c in range(0, BN, CHUNK):
        stg = np.full(ROWS * CHUNK, np.nan)
        hits = np.zeros(ROWS * CHUNK, dtype=int)
        for w in range(4):
            for j in range(CHUNK // 8):
                for hh in range(2):  # the two float2 stores of one j
                    addrs = []
                    for l in range(32):
                        d = regs[(w, l)]
                        wr = w * 16 + l // 4
                        col = j * 8 + (l % 4) * 2
                        o = stage_off(wr + 8 * hh, col, xor)
                        assert o % 2 == 0, "float2 store misaligned"
                        stg[o], stg[o + 1] = d[4 * j + 2 * hh], d[4 * j + 2 * hh + 1]
                        hits[o] += 1
                        hits[o + 1] += 1
                        addrs.append(o)
                    for ph in range(2):  # 64-bit accesses: two phases of 16 threads
                        worst["write"] = max(worst["write"], ways(addrs[16 * ph:16 * ph + 16], 2))
        assert (hits == 1).all(), "staging buffer: a float written twice or never"
        for t0 in range(0, 128, 32):  # warps of the run loop
            for it in range(4):
                addrs, second = [], []
                rows_of_warp = set()
                for t in range(t0, t0 + 32):
                    ident = t + 128 * it
                    r, c8 = ident >> 3, (ident & 7) * 8
                    h = 4 if ident & 4 else 0  # runs 4..7 read their second half first
                    a, b = stage_off(r, c8 + h, xor), stage_off(r, c8 + 4 - h, xor)
                    assert a % 4 == 0 and b % 4 == 0, "float4 read misaligned"
                    lo, hi = (stg[b:b + 4], stg[a:a + 4]) if h else (stg[a:a + 4], stg[b:b + 4])
                    run = np.concatenate([lo, hi])
                    out[r, c + c8: c + c8 + 8] = run
                    writes[r, c + c8: c + c8 + 8] += 1
                    addrs.append(a)
                    second.append(b)
                    rows_of_warp.add(r)
                assert len(rows_of_warp) == 4, "8 threads per row"
                for ph in range(4):  # 128-bit accesses: four phases of 8 threads
                    worst["read"] = max(worst["read"], ways(addrs[8 * ph:8 * ph + 8], 4),
                                        ways(second[8 * ph:8 * ph + 8], 4))
        for k in regs:  # d[i] = d[i + shift] for i < 128 - shift
            d = regs[k]
            d[:128 - shift] = d[shift:].copy()
    return out, writes, worst


def ways(starts, width):
    """Largest number of distinct words one of the 32 banks serves for these accesses of `width` words."""
    words = {s + i for s in starts for i in range(width)}
    per_bank = {}
    for wd in words:
        per_bank.setdefault(wd % 32, set()).add(wd)
    return max(len(v) for v in per_bank.values())


def check(xor=True, shift=32):
    acc = np.random.default_rng(7).standard_normal((ROWS, BN))
    out, writes, worst = drain(acc, xor, shift)
    ok = (writes == 1).all() and np.array_equal(out, acc)
    return ok, worst


if __name__ == "__main__":
    ok, worst = check()
    print(f"kernel: every element once, right value: {ok}; worst bank ways: writes {worst['write']}, reads {worst['read']}")
    assert ok and worst["write"] == 1 and worst["read"] == 1
    bad, _ = check(shift=16)
    print(f"mutation, shift by 16: {'caught' if not bad else 'MISSED'}")
    assert not bad
    _, w = check(xor=False)
    print(f"mutation, no XOR: worst bank ways writes {w['write']}, reads {w['read']} ({'caught' if w['write'] > 1 else 'MISSED'})")
    assert w["write"] > 1
