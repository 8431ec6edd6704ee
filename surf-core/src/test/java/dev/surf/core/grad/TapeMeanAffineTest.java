package dev.surf.core.grad;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Shape;
import dev.surf.core.TensorScope;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Tape#mean} and {@link Tape#affine}, and the hinge loss built from them with {@link Tape#l1Loss}
 * (the adversarial losses of SF-V), against finite differences of double references.
 */
class TapeMeanAffineTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final double[] ONE = {1};

    @AfterAll
    static void close() {
        BE.close();
    }

    @Test
    void meanOfAnyShapeAndItsGradient() {
        SplittableRandom rnd = new SplittableRandom(61);
        float[] a = Numerics.uniform(rnd, 3 * 5 * 7, 2);
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable av = tape.input(s.track(BE.fromFloats(a, Shape.of(3, 5, 7))), true);
            // a weighted mean, so the gradient is not the same in every element
            float[] wts = Numerics.uniform(rnd, a.length, 1);
            Variable loss = tape.mean(tape.mul(av, tape.constant(s.track(BE.fromFloats(wts, Shape.of(3, 5, 7))))));
            tape.backward(loss);
            double[] wd = toDouble(wts);
            Function<double[], double[]> f = v -> {
                double sum = 0;
                for (int i = 0; i < v.length; i++) {
                    sum += v[i] * wd[i];
                }
                return new double[] {sum / v.length};
            };
            assertEquals(Shape.of(1), loss.shape());
            assertEquals(f.apply(toDouble(a))[0], BE.toFloats(loss.value())[0], 1e-6);
            assertGradient("mean", BE.toFloats(av.grad()), toDouble(a), ONE, f);
        }
    }

    @Test
    void affineValueAndGradient() {
        SplittableRandom rnd = new SplittableRandom(62);
        float[] a = Numerics.uniform(rnd, 2 * 9, 1);
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable av = tape.input(s.track(BE.fromFloats(a, Shape.of(2, 9))), true);
            Variable y = tape.affine(av, -1.5f, 0.25f);
            float[] got = BE.toFloats(y.value());
            for (int i = 0; i < a.length; i++) {
                assertEquals(-1.5 * a[i] + 0.25, got[i], 1e-6, "element " + i);
            }
            Variable loss = tape.mseLoss(y, tape.constant(s.track(BE.zeros(dev.surf.core.DType.F32, Shape.of(2, 9)))));
            tape.backward(loss);
            Function<double[], double[]> f = v -> {
                double sum = 0;
                for (double x : v) {
                    sum += (-1.5 * x + 0.25) * (-1.5 * x + 0.25);
                }
                return new double[] {sum / v.length};
            };
            assertGradient("affine", BE.toFloats(av.grad()), toDouble(a), ONE, f);
        }
    }

    @Test
    void hingeFromMeanAndL1EqualsTheReluForm() {
        // mean(relu(1 - r)) = (1 - mean(r) + mean(|r - 1|)) / 2, away from the kink at r = 1
        SplittableRandom rnd = new SplittableRandom(63);
        float[] r = Numerics.uniform(rnd, 31, 3);
        for (int i = 0; i < r.length; i++) {
            if (Math.abs(r[i] - 1) < 0.05) {
                r[i] += 0.2f;
            }
        }
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable rv = tape.input(s.track(BE.fromFloats(r, Shape.of(31))), true);
            float[] ones = new float[31];
            java.util.Arrays.fill(ones, 1f);
            Variable l1 = tape.l1Loss(rv, tape.constant(s.track(BE.fromFloats(ones, Shape.of(31)))));
            Variable loss = tape.affine(tape.add(tape.affine(tape.mean(rv), -1, 1), l1), 0.5f, 0);
            tape.backward(loss);
            Function<double[], double[]> f = v -> {
                double sum = 0;
                for (double x : v) {
                    sum += Math.max(0, 1 - x);
                }
                return new double[] {sum / v.length};
            };
            assertEquals(f.apply(toDouble(r))[0], BE.toFloats(loss.value())[0], 1e-6);
            assertGradient("hinge", BE.toFloats(rv.grad()), toDouble(r), ONE, f);
        }
    }
}
