package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link GradClip#globalNorm} against the norm and the scaled gradients computed directly in double. */
class GradClipTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    /** Three trainable parameters with random gradients (times scale) and a frozen one. */
    private static ParameterSet params(float[][] grads) {
        ParameterSet ps = new ParameterSet();
        for (int k = 0; k < grads.length; k++) {
            Parameter p = ps.add(Parameter.trainable("p" + k, cpu.fromFloats(new float[grads[k].length],
                    Shape.of(grads[k].length))));
            HostArrays.store(grads[k], p.grad());
        }
        ps.add(Parameter.frozen("frozen", cpu.fromFloats(new float[] {1e9f}, Shape.of(1))));
        return ps;
    }

    private static float[][] randomGrads(long seed, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] sizes = {17, 1, 300};
        float[][] g = new float[sizes.length][];
        for (int k = 0; k < sizes.length; k++) {
            g[k] = new float[sizes[k]];
            for (int i = 0; i < sizes[k]; i++) {
                g[k][i] = (float) (rnd.nextGaussian() * scale);
            }
        }
        return g;
    }

    private static double directNorm(float[][] g) {
        double s = 0;
        for (float[] a : g) {
            for (float x : a) {
                s += (double) x * x;
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void clipsToMaxNormAndReturnsTheNormBefore() {
        float[][] g = randomGrads(1, 3.0);
        double want = directNorm(g);
        double maxNorm = 1.5;
        try (ParameterSet ps = params(g)) {
            double got = GradClip.globalNorm(ps, maxNorm);
            assertEquals(want, got, 1e-12 * want);
            double coef = maxNorm / (want + 1e-6);
            float[][] after = new float[g.length][];
            for (int k = 0; k < g.length; k++) {
                after[k] = cpu.toFloats(ps.get("p" + k).grad());
                for (int i = 0; i < g[k].length; i++) {
                    assertEquals(g[k][i] * coef, after[k][i], 1e-6 * Math.abs(g[k][i] * coef) + 1e-30, "p" + k + "[" + i + "]");
                }
            }
            assertEquals(maxNorm, directNorm(after), 1e-5 * maxNorm);
            assertEquals(1e9f, cpu.toFloats(ps.get("frozen").master())[0]);
        }
    }

    @Test
    void leavesGradientsAloneBelowTheLimit() {
        float[][] g = randomGrads(2, 0.01);
        double want = directNorm(g);
        try (ParameterSet ps = params(g)) {
            assertEquals(want, GradClip.globalNorm(ps, 10 * want), 1e-12 * want);
            for (int k = 0; k < g.length; k++) {
                assertArrayEquals(g[k], cpu.toFloats(ps.get("p" + k).grad()), "p" + k + " must be untouched");
            }
        }
    }

    @Test
    void nonFiniteNormIsReportedAndGradientsKept() {
        float[][] g = randomGrads(3, 1.0);
        g[2][5] = Float.POSITIVE_INFINITY;
        try (ParameterSet ps = params(g)) {
            assertEquals(Double.POSITIVE_INFINITY, GradClip.globalNorm(ps, 1.0));
            assertArrayEquals(g[0], cpu.toFloats(ps.get("p0").grad()));
        }
        try (ParameterSet ps = params(randomGrads(4, 1.0))) {
            assertThrows(IllegalArgumentException.class, () -> GradClip.globalNorm(ps, 0));
        }
    }
}
