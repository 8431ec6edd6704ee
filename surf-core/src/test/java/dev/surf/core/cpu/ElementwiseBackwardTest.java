package dev.surf.core.cpu;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Activation;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** activationBackward against finite differences of the double activations; sumLeading and mseLoss against double loops. */
class ElementwiseBackwardTest {
    private static final CpuBackend BE = new CpuBackend(2);

    @AfterAll
    static void close() {
        BE.close();
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activation(Activation act) {
        SplittableRandom rnd = new SplittableRandom(31);
        float[] x = Numerics.uniform(rnd, 37, 4);
        float[] g = Numerics.uniform(rnd, 37, 1);
        try (Tensor xt = BE.fromFloats(x, Shape.of(37)); Tensor gt = BE.fromFloats(g, Shape.of(37));
             Tensor dx = BE.activationBackward(xt, gt, act)) {
            assertGradient(act + " dx", BE.toFloats(dx), toDouble(x), toDouble(g), v -> {
                double[] y = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    y[i] = act.apply(v[i]);
                }
                return y;
            });
        }
    }

    @Test
    void sumLeadingSumsEveryLeadingIndex() {
        SplittableRandom rnd = new SplittableRandom(32);
        float[] x = Numerics.uniform(rnd, 3 * 5 * 7, 1);
        double[] ref = new double[5 * 7];
        for (int i = 0; i < x.length; i++) {
            ref[i % ref.length] += x[i];
        }
        try (Tensor xt = BE.fromFloats(x, Shape.of(3, 5, 7)); Tensor s = BE.sumLeading(xt, Shape.of(5, 7));
             Tensor all = BE.sumLeading(xt, Shape.of(3, 5, 7))) {
            assertEquals(Shape.of(5, 7), s.shape());
            Numerics.assertClose("sumLeading", BE.toFloats(s), ref, 1e-7);
            Numerics.assertClose("sumLeading to the full shape", BE.toFloats(all), x, 0);
        }
    }

    @Test
    void mseLossIsTheMeanSquaredDifference() {
        SplittableRandom rnd = new SplittableRandom(33);
        float[] a = Numerics.uniform(rnd, 29, 2);
        float[] b = Numerics.uniform(rnd, 29, 2);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        try (Tensor at = BE.fromFloats(a, Shape.of(29)); Tensor bt = BE.fromFloats(b, Shape.of(29));
             Tensor loss = BE.mseLoss(at, bt)) {
            assertEquals(Shape.of(1), loss.shape());
            assertEquals(s / a.length, BE.toFloats(loss)[0], 1e-7 * s / a.length);
        }
    }
}
