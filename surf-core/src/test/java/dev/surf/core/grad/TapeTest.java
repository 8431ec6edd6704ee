package dev.surf.core.grad;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The tape's backward of every op against finite differences of the same computation written in
 * double here (loss = mean((y - target)^2), so the MSE backward is checked too): the gradients the
 * tape derives itself (bias, norm weights, adaLN shift and scale, broadcast operands, rope, the index
 * ops) and its wiring (a variable used twice sums its contributions, frozen parameters get none).
 */
class TapeTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final double[] ONE = {1};

    @AfterAll
    static void close() {
        BE.close();
    }

    /** Random tensors of one test, closed with it. */
    private static final class Inputs implements AutoCloseable {
        final TensorScope scope = new TensorScope();
        final SplittableRandom rnd;

        Inputs(long seed) {
            rnd = new SplittableRandom(seed);
        }

        Tensor t(double scale, int... dims) {
            return scope.track(BE.fromFloats(Numerics.uniform(rnd, (int) Shape.of(dims).numel(), scale), Shape.of(dims)));
        }

        @Override
        public void close() {
            scope.close();
        }
    }

    private static double[] d(Tensor t) {
        return toDouble(BE.toFloats(t));
    }

    private static double[] mse(double[] y, double[] t) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += (y[i] - t[i]) * (y[i] - t[i]);
        }
        return new double[] {s / y.length};
    }

    private static void grad(String what, Variable v, double[] at, Function<double[], double[]> loss) {
        assertTrue(v.grad() != null, what + " has no gradient");
        assertEquals(v.shape(), v.grad().shape(), what + " gradient shape");
        assertGradient(what, BE.toFloats(v.grad()), at, ONE, loss);
    }

    /** y[r, o] = act(sum_i x[r, i] w[o, i] + b[o]). */
    private static double[] linear(double[] x, double[] w, double[] b, int in, Activation act) {
        int out = b.length;
        int rows = x.length / in;
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = act.apply(s);
            }
        }
        return y;
    }

    @Test
    void linearWithBiasAndFusedActivation() {
        try (Inputs in = new Inputs(1); Tape tape = new Tape(BE)) {
            Tensor x = in.t(1, 2, 3, 5);
            Tensor w = in.t(1, 4, 5);
            Tensor b = in.t(1, 4);
            Tensor t = in.t(1, 2, 3, 4);
            Variable xv = tape.input(x, true);
            Variable wv = tape.parameter(w);
            Variable bv = tape.parameter(b);
            tape.backward(tape.mseLoss(tape.linear(xv, wv, bv, Activation.GELU_TANH), tape.constant(t)));
            double[] xd = d(x);
            double[] wd = d(w);
            double[] bd = d(b);
            double[] td = d(t);
            grad("dx", xv, xd, v -> mse(linear(v, wd, bd, 5, Activation.GELU_TANH), td));
            grad("dW", wv, wd, v -> mse(linear(xd, v, bd, 5, Activation.GELU_TANH), td));
            grad("db", bv, bd, v -> mse(linear(xd, wd, v, 5, Activation.GELU_TANH), td));
        }
    }

    @Test
    void broadcastMulAndAddReduceOverTheBroadcastDimensions() {
        try (Inputs in = new Inputs(2); Tape tape = new Tape(BE)) {
            Tensor a = in.t(1, 3, 4, 5);
            Tensor s = in.t(1, 5);
            Tensor c = in.t(1, 4, 5);
            Tensor t = in.t(1, 3, 4, 5);
            Variable av = tape.input(a, true);
            Variable sv = tape.parameter(s);
            Variable cv = tape.parameter(c);
            tape.backward(tape.mseLoss(tape.add(tape.mul(av, sv), cv), tape.constant(t)));
            double[] ad = d(a);
            double[] sd = d(s);
            double[] cd = d(c);
            double[] td = d(t);
            Function<double[][], double[]> f = p -> {
                double[] y = new double[p[0].length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = p[0][i] * p[1][i % 5] + p[2][i % 20];
                }
                return mse(y, td);
            };
            grad("da", av, ad, v -> f.apply(new double[][] {v, sd, cd}));
            grad("ds (broadcast)", sv, sd, v -> f.apply(new double[][] {ad, v, cd}));
            grad("dc (broadcast)", cv, cd, v -> f.apply(new double[][] {ad, sd, v}));
        }
    }

    /** Row-wise normalisation in double: (x - mean) inv (centre) or x inv (RMS). */
    private static double[] normalise(double[] x, int dim, boolean centre, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / dim; r++) {
            double mean = 0;
            if (centre) {
                for (int j = 0; j < dim; j++) {
                    mean += x[r * dim + j] / dim;
                }
            }
            double ss = 0;
            for (int j = 0; j < dim; j++) {
                ss += (x[r * dim + j] - mean) * (x[r * dim + j] - mean);
            }
            double inv = 1 / Math.sqrt(ss / dim + eps);
            for (int j = 0; j < dim; j++) {
                y[r * dim + j] = (x[r * dim + j] - mean) * inv;
            }
        }
        return y;
    }

    @Test
    void layerNormWeightAndBias() {
        try (Inputs in = new Inputs(3); Tape tape = new Tape(BE)) {
            int dim = 7;
            Tensor x = in.t(2, 5, dim);
            Tensor w = in.t(1, dim);
            Tensor b = in.t(1, dim);
            Tensor t = in.t(1, 5, dim);
            Variable xv = tape.input(x, true);
            Variable wv = tape.parameter(w);
            Variable bv = tape.parameter(b);
            tape.backward(tape.mseLoss(tape.layerNorm(xv, wv, bv, 1e-6f), tape.constant(t)));
            double[] xd = d(x);
            double[] wd = d(w);
            double[] bd = d(b);
            double[] td = d(t);
            Function<double[][], double[]> f = p -> {
                double[] y = normalise(p[0], dim, true, 1e-6);
                for (int i = 0; i < y.length; i++) {
                    y[i] = y[i] * p[1][i % dim] + p[2][i % dim];
                }
                return mse(y, td);
            };
            grad("dx", xv, xd, v -> f.apply(new double[][] {v, wd, bd}));
            grad("dweight", wv, wd, v -> f.apply(new double[][] {xd, v, bd}));
            grad("dbias", bv, bd, v -> f.apply(new double[][] {xd, wd, v}));
        }
    }

    @Test
    void adaLnShiftAndScalePerBatchItem() {
        for (int batch : new int[] {1, 2}) {
            try (Inputs in = new Inputs(4 + batch); Tape tape = new Tape(BE)) {
                int l = 3;
                int dim = 9;
                Tensor x = in.t(2, batch, l, dim);
                Tensor shift = in.t(1, batch, dim);
                Tensor scale = in.t(0.7, batch, dim);
                Tensor t = in.t(1, batch, l, dim);
                Variable xv = tape.input(x, true);
                Variable sh = tape.parameter(shift);
                Variable sc = tape.parameter(scale);
                tape.backward(tape.mseLoss(tape.layerNormModulate(xv, sh, sc, 1e-6f), tape.constant(t)));
                double[] xd = d(x);
                double[] shd = d(shift);
                double[] scd = d(scale);
                double[] td = d(t);
                Function<double[][], double[]> f = p -> {
                    double[] y = normalise(p[0], dim, true, 1e-6);
                    for (int i = 0; i < y.length; i++) {
                        int o = (i / (l * dim)) * dim + i % dim;
                        y[i] = y[i] * (1 + p[2][o]) + p[1][o];
                    }
                    return mse(y, td);
                };
                grad("B=" + batch + " dx", xv, xd, v -> f.apply(new double[][] {v, shd, scd}));
                grad("B=" + batch + " dshift", sh, shd, v -> f.apply(new double[][] {xd, v, scd}));
                grad("B=" + batch + " dscale", sc, scd, v -> f.apply(new double[][] {xd, shd, v}));
            }
        }
    }

    @Test
    void rmsNormWeight() {
        try (Inputs in = new Inputs(7); Tape tape = new Tape(BE)) {
            int dim = 11;
            Tensor x = in.t(2, 4, dim);
            Tensor w = in.t(1, dim);
            Tensor t = in.t(1, 4, dim);
            Variable xv = tape.input(x, true);
            Variable wv = tape.parameter(w);
            tape.backward(tape.mseLoss(tape.rmsNorm(xv, wv, 1e-6f), tape.constant(t)));
            double[] xd = d(x);
            double[] wd = d(w);
            double[] td = d(t);
            Function<double[][], double[]> f = p -> {
                double[] y = normalise(p[0], dim, false, 1e-6);
                for (int i = 0; i < y.length; i++) {
                    y[i] *= p[1][i % dim];
                }
                return mse(y, td);
            };
            grad("dx", xv, xd, v -> f.apply(new double[][] {v, wd}));
            grad("dweight", wv, wd, v -> f.apply(new double[][] {xd, v}));
        }
    }

    @Test
    void ropeRotatesTheGradientBack() {
        try (Inputs in = new Inputs(8); Tape tape = new Tape(BE)) {
            int b = 2;
            int l = 3;
            int h = 2;
            int dd = 6;
            Tensor x = in.t(1, b, l, h, dd);
            Tensor t = in.t(1, b, l, h, dd);
            float[] angle = Numerics.uniform(in.rnd, l * dd / 2, 3);
            float[] cos = new float[angle.length];
            float[] sin = new float[angle.length];
            for (int i = 0; i < angle.length; i++) {
                cos[i] = (float) Math.cos(angle[i]);
                sin[i] = (float) Math.sin(angle[i]);
            }
            Tensor ct = in.scope.track(BE.fromFloats(cos, Shape.of(l, dd / 2)));
            Tensor st = in.scope.track(BE.fromFloats(sin, Shape.of(l, dd / 2)));
            Variable xv = tape.input(x, true);
            tape.backward(tape.mseLoss(tape.rope(xv, ct, st), tape.constant(t)));
            double[] td = d(t);
            grad("dx", xv, d(x), v -> {
                double[] y = new double[v.length];
                for (int i = 0; i < v.length; i += 2) {
                    int tok = (i / (h * dd)) % l;
                    int j = (i % dd) / 2;
                    double c = cos[tok * dd / 2 + j];
                    double s = sin[tok * dd / 2 + j];
                    y[i] = v[i] * c - v[i + 1] * s;
                    y[i + 1] = v[i] * s + v[i + 1] * c;
                }
                return mse(y, td);
            });
        }
    }

    @Test
    void permuteConcatNarrowAndViewRouteGradientsByIndex() {
        try (Inputs in = new Inputs(9); Tape tape = new Tape(BE)) {
            Tensor a = in.t(1, 3, 2, 4);
            Tensor b = in.t(1, 2, 2, 4);
            Tensor t = in.t(1, 6, 4);
            Variable av = tape.input(a, true);
            Variable bv = tape.input(b, true);
            Variable y = tape.view(tape.narrow(tape.concat(1, tape.permute(av, 1, 0, 2), bv), 1, 1, 3), 6, 4);
            tape.backward(tape.mseLoss(y, tape.constant(t)));
            double[] ad = d(a);
            double[] bd = d(b);
            double[] td = d(t);
            // y[i, r, c] = cat[i, 1 + r, c], cat[i, j, c] = a[j, i, c] for j < 3, else b[i, j - 3, c]
            Function<double[][], double[]> f = p -> {
                double[] out = new double[24];
                for (int i = 0; i < 2; i++) {
                    for (int r = 0; r < 3; r++) {
                        for (int c = 0; c < 4; c++) {
                            int j = 1 + r;
                            out[(i * 3 + r) * 4 + c] = j < 3 ? p[0][(j * 2 + i) * 4 + c] : p[1][(i * 2 + j - 3) * 4 + c];
                        }
                    }
                }
                return mse(out, td);
            };
            grad("da", av, ad, v -> f.apply(new double[][] {v, bd}));
            grad("db", bv, bd, v -> f.apply(new double[][] {ad, v}));
        }
    }

    @Test
    void aVariableUsedTwiceSumsItsGradients() {
        try (Inputs in = new Inputs(10); Tape tape = new Tape(BE)) {
            int l = 5;
            int dd = 4;
            Tensor x = in.t(1, 1, l, 1, dd);
            Tensor v = in.t(1, 1, l, 1, dd);
            Tensor t = in.t(1, 1, l, 1, dd);
            Variable xv = tape.input(x, true);
            Variable vv = tape.constant(v);
            AttentionSpec spec = AttentionSpec.standard(dd);
            tape.backward(tape.mseLoss(tape.attention(xv, xv, vv, spec), tape.constant(t)));
            assertNull(vv.grad(), "a constant gets no gradient");
            double[] vd = d(v);
            double[] td = d(t);
            grad("dx (query and key)", xv, d(x), q -> {
                double[] out = new double[l * dd];
                for (int i = 0; i < l; i++) {
                    double[] s = new double[l];
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < l; j++) {
                        for (int c = 0; c < dd; c++) {
                            s[j] += q[i * dd + c] * q[j * dd + c] * spec.scale();
                        }
                        mx = Math.max(mx, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < l; j++) {
                        sum += Math.exp(s[j] - mx);
                    }
                    for (int j = 0; j < l; j++) {
                        for (int c = 0; c < dd; c++) {
                            out[i * dd + c] += Math.exp(s[j] - mx) / sum * vd[j * dd + c];
                        }
                    }
                }
                return mse(out, td);
            });
        }
    }

    @Test
    void frozenParametersKeepNoGradientAndCostNoBackwardWork() {
        try (Inputs in = new Inputs(11); Tape tape = new Tape(BE)) {
            Tensor x = in.t(1, 3, 4);
            Tensor w = in.t(1, 2, 4);
            Tensor t = in.t(1, 3, 2);
            Variable xv = tape.input(x, false);
            Variable frozen = tape.constant(w);
            Variable y = tape.linear(xv, frozen, null, Activation.NONE);
            assertTrue(!y.requiresGrad(), "nothing to differentiate");
            tape.backward(tape.mseLoss(y, tape.constant(t)));
            assertNull(frozen.grad());
            assertNull(xv.grad());
        }
    }

    @Test
    void backwardNeedsOneElementAndRunsOnce() {
        try (Inputs in = new Inputs(12); Tape tape = new Tape(BE)) {
            Variable x = tape.input(in.t(1, 3), true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.backward(x));
            assertTrue(e.getMessage().startsWith("backward needs a one-element loss"), e.getMessage());
            Variable loss = tape.mseLoss(x, tape.constant(in.t(1, 3)));
            tape.backward(loss);
            assertThrows(IllegalStateException.class, () -> tape.backward(loss));
        }
    }
}
