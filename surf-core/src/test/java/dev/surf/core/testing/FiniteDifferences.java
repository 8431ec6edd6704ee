package dev.surf.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.Function;

/**
 * Gradient checks against central finite differences in double precision. The loss is the scalar
 * {@code <g, f(x)>} for a fixed random g, so one FD pass checks the whole vector-Jacobian product the
 * backward computes; f is a double-precision reference forward written out in the test, not the
 * code under test.
 *
 * <p>Bound: the analytic gradients are F32 (unit roundoff 6e-8, sums of at most a few hundred
 * terms, so about 1e-6 relative per tensor); central differences with step 1e-5 on O(1) inputs
 * carry a truncation error of about h^2 = 1e-10 and a cancellation error of about 1e-16 / h =
 * 1e-11. {@link #TOL} = 1e-5 is ten times the F32 error and fails on any wrong or missing term.
 */
public final class FiniteDifferences {
    /** Relative bound per tensor, ||analytic - fd|| / ||fd||; see the class comment. */
    public static final double TOL = 1e-5;
    private static final double H = 1e-5;

    private FiniteDifferences() {
    }

    /** d<g, f(x)>/dx by central differences. */
    public static double[] vjp(double[] x, double[] g, Function<double[], double[]> f) {
        double[] grad = new double[x.length];
        double[] xp = x.clone();
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            xp[i] = xi + H;
            double up = dot(g, f.apply(xp));
            xp[i] = xi - H;
            double down = dot(g, f.apply(xp));
            xp[i] = xi;
            grad[i] = (up - down) / (2 * H);
        }
        return grad;
    }

    /** Fails when the analytic gradient differs from the finite differences by more than {@link #TOL}. */
    public static void assertGradient(String what, float[] analytic, double[] x, double[] g,
                                      Function<double[], double[]> f) {
        double[] fd = vjp(x, g, f);
        double e = Numerics.relError(analytic, fd);
        if (!(e <= TOL)) {
            fail(what + ": gradient differs from finite differences by " + e + " relative (> " + TOL + ")");
        }
    }

    public static double dot(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
