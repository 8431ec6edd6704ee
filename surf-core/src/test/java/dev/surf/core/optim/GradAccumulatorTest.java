package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link GradAccumulator}: micro-batches of unequal size, weighted by their sample counts, give the
 * gradient of one big batch of a linear least-squares model, loss = mean_n (w.x_n + b - y_n)^2 / 2,
 * computed in double.
 */
class GradAccumulatorTest {
    private static CpuBackend cpu;
    private static final int DIM = 6;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    /** d loss / d (w, b) over samples [from, to), in double; the last entry is d/db. */
    private static double[] grad(double[][] x, double[] y, double[] w, double b, int from, int to) {
        double[] g = new double[DIM + 1];
        for (int n = from; n < to; n++) {
            double r = b - y[n];
            for (int i = 0; i < DIM; i++) {
                r += w[i] * x[n][i];
            }
            for (int i = 0; i < DIM; i++) {
                g[i] += r * x[n][i] / (to - from);
            }
            g[DIM] += r / (to - from);
        }
        return g;
    }

    private static float[] f32(double[] a, int from, int to) {
        float[] out = new float[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = (float) a[i];
        }
        return out;
    }

    @Test
    void weightedMicroBatchesEqualOneBigBatch() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[] sizes = {3, 5, 2};
        int total = 10;
        double[][] x = new double[total][DIM];
        double[] y = new double[total];
        double[] w = new double[DIM];
        for (int n = 0; n < total; n++) {
            for (int i = 0; i < DIM; i++) {
                x[n][i] = (float) rnd.nextGaussian();
            }
            y[n] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < DIM; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        double b = 0.25;
        double[] big = grad(x, y, w, b, 0, total);
        try (ParameterSet ps = new ParameterSet()) {
            Parameter pw = ps.add(Parameter.trainable("w", cpu.fromFloats(f32(w, 0, DIM), Shape.of(DIM))));
            Parameter pb = ps.add(Parameter.trainable("b", cpu.fromFloats(new float[] {(float) b}, Shape.of(1))));
            try (GradAccumulator acc = new GradAccumulator(ps)) {
                for (int round = 0; round < 2; round++) { // twice: finish() must start afresh
                    int at = 0;
                    for (int size : sizes) {
                        double[] g = grad(x, y, w, b, at, at + size);
                        HostArrays.store(f32(g, 0, DIM), pw.grad());
                        HostArrays.store(f32(g, DIM, DIM + 1), pb.grad());
                        acc.add(size);
                        at += size;
                    }
                    assertEquals(3, acc.microBatches());
                    acc.finish();
                    float[] gw = cpu.toFloats(pw.grad());
                    for (int i = 0; i < DIM; i++) {
                        assertEquals(big[i], gw[i], 1e-6 * (1 + Math.abs(big[i])), "dw[" + i + "] round " + round);
                    }
                    assertEquals(big[DIM], cpu.toFloats(pb.grad())[0], 1e-6 * (1 + Math.abs(big[DIM])), "db");
                }
                assertThrows(IllegalStateException.class, acc::finish);
                assertThrows(IllegalArgumentException.class, () -> acc.add(0));
            }
        }
    }
}
