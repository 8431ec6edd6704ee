package dev.surf.models.vae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.core.testing.Numerics;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contrast-weighted reconstruction loss against values and gradients worked out by hand. */
class VaeObjectiveTest {
    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(1);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /**
     * Three black pixels and one white (channels first): channel means -0.5, distances 0.5 and 1.5;
     * lambda 2 gives 2 and 4, renormalised to mean 1: 0.8 and 1.6, the same on all three channels.
     */
    @Test
    void weightsOfAnObjectOnAFlatBackground() {
        float[] x = {-1, -1, -1, 1, -1, -1, -1, 1, -1, -1, -1, 1};
        float[] w = VaeObjective.contrastWeights(x, 2);
        float[] expected = {0.8f, 0.8f, 0.8f, 1.6f, 0.8f, 0.8f, 0.8f, 1.6f, 0.8f, 0.8f, 0.8f, 1.6f};
        assertArrayEquals(expected, w, 1e-6f);
        float[] flat = VaeObjective.contrastWeights(new float[] {0.3f, 0.3f, -0.2f, -0.2f, 0.9f, 0.9f}, 5);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, flat, 1e-6f, "a flat clip weights every pixel 1");
    }

    /** loss = mean w |e| + mean w e^2 and d loss / d x' = w (sign e + 2 e) / n, e = x' - x, with random clips. */
    @Test
    void weightedLossAndItsGradient() {
        SplittableRandom rnd = new SplittableRandom(3);
        Shape s = Shape.of(3, 2, 4, 4);
        float[] x = Numerics.uniform(rnd, (int) s.numel(), 1);
        float[] r = Numerics.uniform(rnd, (int) s.numel(), 1);
        double[][] identity = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        VaeObjective.Terms t = assertLossAndGradient(r, x, s, 3, 0, identity);
        double l1 = 0;
        for (int i = 0; i < x.length; i++) {
            l1 += Math.abs((double) r[i] - x[i]);
        }
        assertEquals(l1 / x.length, t.l1(), 1e-6, "the logged L1 is the unweighted one");
    }

    /** In opponent colours with chroma weight a: the same with e = M (x' - x) per pixel, M the matrix written out here. */
    @Test
    void opponentColourLossAndItsGradient() {
        double a = 4;
        double[][] m = {{1 / 3.0, 1 / 3.0, 1 / 3.0}, {a / 2, -a / 2, 0}, {a / 4, a / 4, -a / 2}};
        SplittableRandom rnd = new SplittableRandom(8);
        Shape s = Shape.of(3, 1, 3, 5);
        float[] x = Numerics.uniform(rnd, (int) s.numel(), 1);
        float[] r = Numerics.uniform(rnd, (int) s.numel(), 1);
        assertLossAndGradient(r, x, s, 2, a, m);
    }

    /**
     * The taped loss of recon r against target x (channel planes [3, P]) with contrast lambda and
     * chroma weight a, against loss = mean w |e| + mean w e^2 over the 3P values of e = M (r - x) per
     * pixel, and its gradient d loss / d r_p = M^T (w (sign e + 2 e)) / 3P; returns the terms.
     */
    private static VaeObjective.Terms assertLossAndGradient(float[] r, float[] x, Shape s, double lambda, double a, double[][] m) {
        int n = x.length;
        int pixels = n / 3;
        float[] w = VaeObjective.contrastWeights(x, lambda);
        double loss = 0;
        double[] grad = new double[n];
        for (int p = 0; p < pixels; p++) {
            for (int k = 0; k < 3; k++) {
                double e = 0;
                for (int c = 0; c < 3; c++) {
                    e += m[k][c] * ((double) r[c * pixels + p] - x[c * pixels + p]);
                }
                double wp = w[p];
                loss += wp * Math.abs(e) + wp * e * e;
                for (int c = 0; c < 3; c++) {
                    grad[c * pixels + p] += m[k][c] * wp * (Math.signum(e) + 2 * e) / n;
                }
            }
        }
        loss /= n;
        try (Tape tp = new Tape(be)) {
            Variable recon = tp.input(be.fromFloats(r, s), true);
            Variable target = tp.ownedConstant(be.fromFloats(x, s));
            VaeObjective.Terms t = VaeObjective.of(tp, List.of(recon), List.of(target), List.of(), 0, lambda, a);
            assertEquals(loss, be.toFloats(t.total().value())[0], 1e-5 * loss);
            tp.backward(t.total());
            Numerics.assertClose("gradient of the loss", be.toFloats(recon.grad()), grad, 1e-5);
            return t;
        }
    }
}
