package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * Sums over leading dimensions (the adjoint of suffix broadcasting and the bias gradient). Work is
 * split over column ranges of the kept suffix; each column sums its rows in order in double, so
 * the result does not depend on the thread count.
 */
final class CpuSumLeading {
    private CpuSumLeading() {
    }

    static Tensor sumLeading(CpuBackend be, Tensor x, Shape suffix) {
        BackwardChecks.sumLeading(x, suffix);
        int n = CpuTensors.checkedInt(suffix.numel(), "sumLeading output");
        float[] xa = CpuTensors.f32View(x);
        int rows = n == 0 ? 0 : CpuTensors.checkedInt(x.numel() / n, "sumLeading rows");
        float[] out = new float[n];
        be.pool().forRange(n, Math.max(1, (1 << 16) / Math.max(1, rows)), (lo, hi) -> {
            double[] acc = new double[hi - lo];
            for (int r = 0; r < rows; r++) {
                int base = r * n;
                for (int j = lo; j < hi; j++) {
                    acc[j - lo] += xa[base + j];
                }
            }
            for (int j = lo; j < hi; j++) {
                out[j] = (float) acc[j - lo];
            }
        });
        return be.wrap(out, suffix);
    }
}
