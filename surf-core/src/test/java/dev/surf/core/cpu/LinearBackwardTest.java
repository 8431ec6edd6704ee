package dev.surf.core.cpu;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** linearGradInput, linearGradWeight and sumLeading (the bias gradient) against finite differences of y = x W^T + b. */
class LinearBackwardTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final int ROWS = 15;
    private static final int IN = 7;
    private static final int OUT = 9;

    @AfterAll
    static void close() {
        BE.close();
    }

    /** y[r, o] = sum_i x[r, i] w[o, i] + b[o], in double. */
    private static double[] linear(double[] x, double[] w, double[] b) {
        double[] y = new double[ROWS * OUT];
        for (int r = 0; r < ROWS; r++) {
            for (int o = 0; o < OUT; o++) {
                double s = b[o];
                for (int i = 0; i < IN; i++) {
                    s += x[r * IN + i] * w[o * IN + i];
                }
                y[r * OUT + o] = s;
            }
        }
        return y;
    }

    @Test
    void gradientsOfInputWeightAndBias() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = Numerics.uniform(rnd, ROWS * IN, 1);
        float[] w = Numerics.uniform(rnd, OUT * IN, 1);
        float[] b = Numerics.uniform(rnd, OUT, 1);
        float[] g = Numerics.uniform(rnd, ROWS * OUT, 1);
        double[] xd = toDouble(x);
        double[] wd = toDouble(w);
        double[] bd = toDouble(b);
        try (Tensor xt = BE.fromFloats(x, Shape.of(3, 5, IN)); Tensor wt = BE.fromFloats(w, Shape.of(OUT, IN));
             Tensor gt = BE.fromFloats(g, Shape.of(3, 5, OUT));
             Tensor dx = BE.linearGradInput(gt, wt); Tensor dw = BE.linearGradWeight(gt, xt);
             Tensor db = BE.sumLeading(gt, Shape.of(OUT))) {
            org.junit.jupiter.api.Assertions.assertEquals(Shape.of(3, 5, IN), dx.shape());
            assertGradient("dx", BE.toFloats(dx), xd, toDouble(g), v -> linear(v, wd, bd));
            assertGradient("dW", BE.toFloats(dw), wd, toDouble(g), v -> linear(xd, v, bd));
            assertGradient("db", BE.toFloats(db), bd, toDouble(g), v -> linear(xd, wd, v));
        }
    }

    @Test
    void bf16WeightIsReadAsItsValues() {
        SplittableRandom rnd = new SplittableRandom(12);
        float[] w = Numerics.uniform(rnd, OUT * IN, 1);
        float[] g = Numerics.uniform(rnd, ROWS * OUT, 1);
        try (Tensor wt = BE.fromFloats(w, Shape.of(OUT, IN)); Tensor wb = BE.convert(wt, dev.surf.core.DType.BF16);
             Tensor wr = BE.convert(wb, dev.surf.core.DType.F32); Tensor gt = BE.fromFloats(g, Shape.of(ROWS, OUT));
             Tensor viaBf16 = BE.linearGradInput(gt, wb); Tensor viaF32 = BE.linearGradInput(gt, wr)) {
            Numerics.assertClose("dx with a BF16 weight", BE.toFloats(viaBf16), BE.toFloats(viaF32), 0);
        }
    }
}
