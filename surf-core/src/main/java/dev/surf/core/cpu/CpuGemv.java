package dev.surf.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * x W^T for a handful of rows (the timestep embedding: m = 1 or 2). Packing W^T would cost more than
 * the arithmetic, so each weight row is converted once and dotted with every x row, and the work is
 * split over output columns.
 *
 * <p>The dot products sum in lanes and then combine the lanes in a fixed order, so the bits depend on
 * the shape only; they differ (within rounding) from the blocked path used for larger m.
 */
final class CpuGemv {
    private static final VectorSpecies<Float> S = CpuGemmKernel.S;
    private static final int L = S.length();
    /** Output columns finished per epilogue call. */
    private static final int CHUNK = 64;

    private CpuGemv() {
    }

    static void run(CpuBackend be, float[] x, int xo, int m, int k, CpuWeightRows w, int n, CpuGemmEpilogue epi) {
        int grain = Math.max(1, (1 << 16) / Math.max(1, m * k));
        be.pool().forRange(n, grain, (lo, hi) -> {
            float[] row = w.heapArray() == null ? new float[k] : null;
            float[] vals = new float[m * CHUNK];
            float[] lanes = new float[L];
            for (int j0 = lo; j0 < hi; j0 += CHUNK) {
                int cols = Math.min(CHUNK, hi - j0);
                for (int j = 0; j < cols; j++) {
                    float[] wa;
                    int wo;
                    if (row == null) {
                        wa = w.heapArray();
                        wo = (int) (w.heapOffset() + (long) (j0 + j) * k);
                    } else {
                        w.read(j0 + j, 0, k, row, 0);
                        wa = row;
                        wo = 0;
                    }
                    for (int i = 0; i < m; i++) {
                        vals[i * CHUNK + j] = dot(x, xo + i * k, wa, wo, k, lanes);
                    }
                }
                epi.finish(0, m, j0, cols, vals, 0, CHUNK);
            }
        });
    }

    /** sum_p a[ao+p] * b[bo+p]: four lane accumulators, then lanes and tail in a fixed order. */
    static float dot(float[] a, int ao, float[] b, int bo, int k, float[] lanes) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int p = 0;
        for (; p <= k - 4 * L; p += 4 * L) {
            s0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s0);
            s1 = FloatVector.fromArray(S, a, ao + p + L).fma(FloatVector.fromArray(S, b, bo + p + L), s1);
            s2 = FloatVector.fromArray(S, a, ao + p + 2 * L).fma(FloatVector.fromArray(S, b, bo + p + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, ao + p + 3 * L).fma(FloatVector.fromArray(S, b, bo + p + 3 * L), s3);
        }
        for (; p <= k - L; p += L) {
            s0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s0);
        }
        // reduceLanes(ADD) may associate differently when compiled than when interpreted: sum by hand
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        float sum = 0f;
        for (int i = 0; i < L; i++) {
            sum += lanes[i];
        }
        for (; p < k; p++) {
            sum = Math.fma(a[ao + p], b[bo + p], sum);
        }
        return sum;
    }
}
