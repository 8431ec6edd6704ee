package dev.surf.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * x W^T for few rows (up to {@link CpuGemm#GEMV_ROWS}; the timestep embedding has 1 or 2). Packing
 * W^T would cost more than it saves, so weight rows are converted four at a time and dotted with
 * every x row (one x load feeds four FMAs), and the work is split over output columns.
 *
 * <p>Every dot product sums the same way (two lane accumulators over alternating vector chunks, then
 * the lanes in order, then the scalar tail), so the bits depend on the shape only; they differ within
 * rounding from the blocked path used for larger m.
 */
final class CpuGemv {
    private static final VectorSpecies<Float> S = CpuGemmKernel.S;
    private static final int L = S.length();
    /** Output columns finished per epilogue call. */
    private static final int CHUNK = 64;

    private CpuGemv() {
    }

    static void run(CpuBackend be, float[] x, int xo, int m, int k, CpuWeightRows w, int n, CpuGemmEpilogue epi) {
        int grain = Math.max(4, (1 << 16) / Math.max(1, m * k));
        be.pool().forRange(n, grain, (lo, hi) -> {
            float[] heap = w.heapArray();
            float[] rows = heap == null ? new float[4 * k] : null;
            float[] vals = new float[m * CHUNK];
            float[] lanes = new float[L];
            float[] four = new float[4];
            for (int j0 = lo; j0 < hi; j0 += CHUNK) {
                int cols = Math.min(CHUNK, hi - j0);
                for (int j = 0; j < cols; j += 4) {
                    int cnt = Math.min(4, cols - j);
                    float[] wa;
                    int wo;
                    if (heap != null) {
                        wa = heap;
                        wo = (int) (w.heapOffset() + (long) (j0 + j) * k);
                    } else {
                        for (int r = 0; r < cnt; r++) {
                            w.read(j0 + j + r, 0, k, rows, r * k);
                        }
                        wa = rows;
                        wo = 0;
                    }
                    for (int i = 0; i < m; i++) {
                        int xi = xo + i * k;
                        if (cnt == 4) {
                            dot4(x, xi, wa, wo, k, four, lanes);
                            System.arraycopy(four, 0, vals, i * CHUNK + j, 4);
                        } else {
                            for (int r = 0; r < cnt; r++) {
                                vals[i * CHUNK + j + r] = dot(x, xi, wa, wo + r * k, k, lanes);
                            }
                        }
                    }
                }
                epi.finish(0, m, j0, cols, vals, 0, CHUNK);
            }
        });
    }

    /** out[r] = sum_p x[xo+p] * w[wo + r*k + p] for r = 0..3, each summed exactly as {@link #dot}. */
    static void dot4(float[] x, int xo, float[] w, int wo, int k, float[] out, float[] lanes) {
        int w1 = wo + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        FloatVector e0 = FloatVector.zero(S);
        FloatVector e1 = e0;
        FloatVector e2 = e0;
        FloatVector e3 = e0;
        FloatVector o0 = e0;
        FloatVector o1 = e0;
        FloatVector o2 = e0;
        FloatVector o3 = e0;
        int p = 0;
        for (; p <= k - 2 * L; p += 2 * L) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + p);
            e0 = xv.fma(FloatVector.fromArray(S, w, wo + p), e0);
            e1 = xv.fma(FloatVector.fromArray(S, w, w1 + p), e1);
            e2 = xv.fma(FloatVector.fromArray(S, w, w2 + p), e2);
            e3 = xv.fma(FloatVector.fromArray(S, w, w3 + p), e3);
            xv = FloatVector.fromArray(S, x, xo + p + L);
            o0 = xv.fma(FloatVector.fromArray(S, w, wo + p + L), o0);
            o1 = xv.fma(FloatVector.fromArray(S, w, w1 + p + L), o1);
            o2 = xv.fma(FloatVector.fromArray(S, w, w2 + p + L), o2);
            o3 = xv.fma(FloatVector.fromArray(S, w, w3 + p + L), o3);
        }
        if (p <= k - L) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + p);
            e0 = xv.fma(FloatVector.fromArray(S, w, wo + p), e0);
            e1 = xv.fma(FloatVector.fromArray(S, w, w1 + p), e1);
            e2 = xv.fma(FloatVector.fromArray(S, w, w2 + p), e2);
            e3 = xv.fma(FloatVector.fromArray(S, w, w3 + p), e3);
            p += L;
        }
        out[0] = finish(e0.add(o0), x, xo, w, wo, p, k, lanes);
        out[1] = finish(e1.add(o1), x, xo, w, w1, p, k, lanes);
        out[2] = finish(e2.add(o2), x, xo, w, w2, p, k, lanes);
        out[3] = finish(e3.add(o3), x, xo, w, w3, p, k, lanes);
    }

    /** sum_p a[ao+p] * b[bo+p], in the order every dot product of this class uses. */
    static float dot(float[] a, int ao, float[] b, int bo, int k, float[] lanes) {
        FloatVector e = FloatVector.zero(S);
        FloatVector o = e;
        int p = 0;
        for (; p <= k - 2 * L; p += 2 * L) {
            e = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), e);
            o = FloatVector.fromArray(S, a, ao + p + L).fma(FloatVector.fromArray(S, b, bo + p + L), o);
        }
        if (p <= k - L) {
            e = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), e);
            p += L;
        }
        return finish(e.add(o), a, ao, b, bo, p, k, lanes);
    }

    /**
     * Lanes of acc summed in order, then the scalar tail [p, k). reduceLanes(ADD) may associate
     * differently when compiled than when interpreted, so the lanes are summed by hand.
     */
    private static float finish(FloatVector acc, float[] a, int ao, float[] b, int bo, int p, int k, float[] lanes) {
        acc.intoArray(lanes, 0);
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
