package dev.surf.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Comparison and random-input helpers shared by the tests of every module. */
public final class Numerics {
    private Numerics() {
    }

    /** ||a - ref|| / ||ref|| in double; NaN anywhere gives +infinity. */
    public static double relError(float[] a, float[] ref) {
        if (a.length != ref.length) {
            throw new IllegalArgumentException("length " + a.length + " vs " + ref.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) || Float.isNaN(ref[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = (double) a[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    public static double relError(float[] a, double[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = a[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** Fails with the name and the measured error when relError(actual, expected) > tol. */
    public static void assertClose(String what, float[] actual, float[] expected, double tol) {
        double e = relError(actual, expected);
        if (!(e <= tol)) {
            fail(what + ": relative error " + e + " > " + tol);
        }
    }

    public static void assertClose(String what, float[] actual, double[] expected, double tol) {
        double e = relError(actual, expected);
        if (!(e <= tol)) {
            fail(what + ": relative error " + e + " > " + tol);
        }
    }

    /** n uniform values in [-scale, scale). */
    public static float[] uniform(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }
}
