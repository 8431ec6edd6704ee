"""numpy (OpenBLAS) half of gemm-vs-openblas.sh: best GFLOP/s per shape, one "label gflops" line each.

Arguments: repetitions, then shapes label:transA:transB:m:n:k (op(A) m x k, op(B) k x n; a
transposed operand is a transposed view of a row-major array, as in surf's CpuMatmul).
"""
import sys
import time

import numpy as np


def best(ta, tb, m, n, k, reps):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    opa = a.T if ta else a
    opb = b.T if tb else b
    c = np.empty((m, n), np.float32)
    times = []
    for r in range(reps + 2):
        t0 = time.perf_counter()
        np.matmul(opa, opb, out=c)
        dt = time.perf_counter() - t0
        if r >= 2:
            times.append(dt)
    return 2.0 * m * n * k / min(times) / 1e9


def main():
    reps = int(sys.argv[1])
    for spec in sys.argv[2:]:
        label, ta, tb, m, n, k = spec.split(":")
        print(f"{label} {best(ta == '1', tb == '1', int(m), int(n), int(k), reps):.1f}", flush=True)


if __name__ == "__main__":
    main()
