package dev.surf.core.cpu;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Input gradients of LayerNorm, adaLN (per-batch modulation) and RMSNorm against finite differences. */
class NormBackwardTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final float EPS = 1e-6f;

    @AfterAll
    static void close() {
        BE.close();
    }

    /**
     * Row-wise (x - mean) / sqrt(var + eps) * gain in double (mean 0 when !centre: RMSNorm);
     * gain has d entries per rowsPerGain rows (all rows when rowsPerGain is 0), or is null.
     */
    static double[] norm(double[] x, int d, boolean centre, double[] gain, int rowsPerGain) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / d; r++) {
            double mean = 0;
            if (centre) {
                for (int j = 0; j < d; j++) {
                    mean += x[r * d + j];
                }
                mean /= d;
            }
            double ss = 0;
            for (int j = 0; j < d; j++) {
                ss += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            }
            double inv = 1 / Math.sqrt(ss / d + EPS);
            int go = rowsPerGain > 0 ? (r / rowsPerGain) * d : 0;
            for (int j = 0; j < d; j++) {
                y[r * d + j] = (x[r * d + j] - mean) * inv * (gain == null ? 1 : gain[go + j]);
            }
        }
        return y;
    }

    @Test
    void layerNormWithAndWithoutWeight() {
        SplittableRandom rnd = new SplittableRandom(21);
        int d = 11;
        float[] x = Numerics.uniform(rnd, 5 * d, 2);
        float[] w = Numerics.uniform(rnd, d, 1.5);
        float[] g = Numerics.uniform(rnd, 5 * d, 1);
        try (Tensor xt = BE.fromFloats(x, Shape.of(5, d)); Tensor wt = BE.fromFloats(w, Shape.of(d));
             Tensor gt = BE.fromFloats(g, Shape.of(5, d));
             Tensor dx = BE.layerNormBackward(xt, wt, EPS, gt); Tensor dx1 = BE.layerNormBackward(xt, null, EPS, gt)) {
            assertGradient("layerNorm dx", BE.toFloats(dx), toDouble(x), toDouble(g), v -> norm(v, d, true, toDouble(w), 0));
            assertGradient("layerNorm dx (no weight)", BE.toFloats(dx1), toDouble(x), toDouble(g),
                    v -> norm(v, d, true, null, 0));
        }
    }

    @Test
    void layerNormModulateUsesEachBatchItemsScale() {
        SplittableRandom rnd = new SplittableRandom(22);
        int b = 2;
        int l = 3;
        int d = 13;
        float[] x = Numerics.uniform(rnd, b * l * d, 2);
        float[] scale = Numerics.uniform(rnd, b * d, 0.8);
        float[] g = Numerics.uniform(rnd, b * l * d, 1);
        double[] gain = new double[b * d];
        for (int i = 0; i < gain.length; i++) {
            gain[i] = 1 + (double) scale[i];
        }
        try (Tensor xt = BE.fromFloats(x, Shape.of(b, l, d)); Tensor st = BE.fromFloats(scale, Shape.of(b, d));
             Tensor gt = BE.fromFloats(g, Shape.of(b, l, d)); Tensor dx = BE.layerNormModulateBackward(xt, st, EPS, gt)) {
            assertGradient("adaLN dx", BE.toFloats(dx), toDouble(x), toDouble(g), v -> norm(v, d, true, gain, l));
        }
    }

    @Test
    void rmsNorm() {
        SplittableRandom rnd = new SplittableRandom(23);
        int d = 9;
        float[] x = Numerics.uniform(rnd, 7 * d, 2);
        float[] w = Numerics.uniform(rnd, d, 1.5);
        float[] g = Numerics.uniform(rnd, 7 * d, 1);
        try (Tensor xt = BE.fromFloats(x, Shape.of(7, d)); Tensor wt = BE.fromFloats(w, Shape.of(d));
             Tensor gt = BE.fromFloats(g, Shape.of(7, d)); Tensor dx = BE.rmsNormBackward(xt, wt, EPS, gt)) {
            assertGradient("rmsNorm dx", BE.toFloats(dx), toDouble(x), toDouble(g), v -> norm(v, d, false, toDouble(w), 0));
        }
    }
}
