package dev.surf.core.grad;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Conv3dReference;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gradient ops of the VAE and text paths (conv3d, channel RMS norm, resize, embedding) and the
 * L1 loss, through the tape, against finite differences of double references (conv3d: the project's
 * {@link Conv3dReference}; the rest written here), with loss = mean((y - target)^2).
 */
class TapeVaeOpsTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final double[] ONE = {1};

    @AfterAll
    static void close() {
        BE.close();
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

    @Test
    void causalConv3dInputWeightAndBias() {
        // Cin 3, T 4, H 5, W 3; kernel 3 x 3 x 2; causal time padding 2, spatial padding (1, 0)
        int cin = 3, t = 4, h = 5, w = 3, cout = 2, kt = 3, kh = 3, kw = 2, pf = 2, ph = 1, pw = 0;
        int to = t + pf - kt + 1, ho = h + 2 * ph - kh + 1, wo = w + 2 * pw - kw + 1;
        SplittableRandom rnd = new SplittableRandom(51);
        float[] x = Numerics.uniform(rnd, cin * t * h * w, 1);
        float[] wt = Numerics.uniform(rnd, cout * cin * kt * kh * kw, 1);
        float[] b = Numerics.uniform(rnd, cout, 1);
        float[] tg = Numerics.uniform(rnd, cout * to * ho * wo, 1);
        double[] td = toDouble(tg);
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable xv = tape.input(s.track(BE.fromFloats(x, Shape.of(cin, t, h, w))), true);
            Variable wv = tape.parameter(s.track(BE.fromFloats(wt, Shape.of(cout, cin, kt, kh, kw))));
            Variable bv = tape.parameter(s.track(BE.fromFloats(b, Shape.of(cout))));
            Variable y = tape.conv3d(xv, wv, bv, pf, ph, pw);
            tape.backward(tape.mseLoss(y, tape.constant(s.track(BE.fromFloats(tg, y.shape())))));
            double[] xd = toDouble(x);
            double[] wd = toDouble(wt);
            double[] bd = toDouble(b);
            grad("conv3d dx", xv, xd, v -> mse(Conv3dReference.conv3d(v, cin, t, h, w, wd, cout, kt, kh, kw, bd, pf, ph, pw), td));
            grad("conv3d dw", wv, wd, v -> mse(Conv3dReference.conv3d(xd, cin, t, h, w, v, cout, kt, kh, kw, bd, pf, ph, pw), td));
            grad("conv3d db", bv, bd, v -> mse(Conv3dReference.conv3d(xd, cin, t, h, w, wd, cout, kt, kh, kw, v, pf, ph, pw), td));
        }
    }

    /** y[c, p] = x[c, p] / max(||x[:, p]||, 1e-12) * sqrt(C) * gamma[c] in double. */
    private static double[] channelNorm(double[] x, double[] gamma, int c) {
        int n = x.length / c;
        double[] y = new double[x.length];
        for (int p = 0; p < n; p++) {
            double ss = 0;
            for (int ch = 0; ch < c; ch++) {
                ss += x[ch * n + p] * x[ch * n + p];
            }
            double norm = Math.max(Math.sqrt(ss), 1e-12);
            for (int ch = 0; ch < c; ch++) {
                y[ch * n + p] = x[ch * n + p] / norm * Math.sqrt(c) * gamma[ch];
            }
        }
        return y;
    }

    @Test
    void channelRmsNormInputAndGamma() {
        int c = 5;
        SplittableRandom rnd = new SplittableRandom(52);
        float[] x = Numerics.uniform(rnd, c * 2 * 3 * 3, 1);
        float[] gm = Numerics.uniform(rnd, c, 1.5);
        float[] tg = Numerics.uniform(rnd, x.length, 1);
        double[] td = toDouble(tg);
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable xv = tape.input(s.track(BE.fromFloats(x, Shape.of(c, 2, 3, 3))), true);
            Variable gv = tape.parameter(s.track(BE.fromFloats(gm, Shape.of(c, 1, 1, 1))));
            Variable y = tape.channelRmsNorm(xv, gv);
            tape.backward(tape.mseLoss(y, tape.constant(s.track(BE.fromFloats(tg, y.shape())))));
            grad("channelRmsNorm dx", xv, toDouble(x), v -> mse(channelNorm(v, toDouble(gm), c), td));
            grad("channelRmsNorm dgamma", gv, toDouble(gm), v -> mse(channelNorm(toDouble(x), v, c), td));
        }
    }

    @ParameterizedTest
    @EnumSource(ResizeMode.class)
    void resizeUpAndDownIsItsOwnAdjoint(ResizeMode mode) {
        SplittableRandom rnd = new SplittableRandom(53);
        for (int[] size : new int[][] {{5, 7, 9, 4}, {6, 9, 3, 5}}) {
            int inH = size[0], inW = size[1], outH = size[2], outW = size[3];
            float[] x = Numerics.uniform(rnd, 2 * inH * inW, 1);
            float[] tg = Numerics.uniform(rnd, 2 * outH * outW, 1);
            double[] td = toDouble(tg);
            try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
                Variable xv = tape.input(s.track(BE.fromFloats(x, Shape.of(2, inH, inW))), true);
                Variable y = tape.resize(xv, outH, outW, mode);
                tape.backward(tape.mseLoss(y, tape.constant(s.track(BE.fromFloats(tg, y.shape())))));
                // resize is linear: its matrix, column by column from the op on unit vectors (the weights
                // are exact in F32 for these sizes up to rounding), is the double reference
                double[][] cols = new double[x.length][];
                for (int i = 0; i < x.length; i++) {
                    float[] e = new float[x.length];
                    e[i] = 1f;
                    try (Tensor et = BE.fromFloats(e, Shape.of(2, inH, inW)); Tensor r = BE.resize(et, outH, outW, mode)) {
                        cols[i] = toDouble(BE.toFloats(r));
                    }
                }
                grad(mode + " " + inH + "x" + inW + " -> " + outH + "x" + outW, xv, toDouble(x), v -> {
                    double[] out = new double[2 * outH * outW];
                    for (int i = 0; i < v.length; i++) {
                        for (int o = 0; o < out.length; o++) {
                            out[o] += cols[i][o] * v[i];
                        }
                    }
                    return mse(out, td);
                });
            }
        }
    }

    @Test
    void embeddingSumsRepeatedIds() {
        SplittableRandom rnd = new SplittableRandom(54);
        int vocab = 6, dim = 5;
        int[] ids = {3, 0, 3, 5, 3};
        float[] table = Numerics.uniform(rnd, vocab * dim, 1);
        float[] tg = Numerics.uniform(rnd, ids.length * dim, 1);
        double[] td = toDouble(tg);
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable tv = tape.parameter(s.track(BE.fromFloats(table, Shape.of(vocab, dim))));
            Variable y = tape.embedding(tv, ids);
            tape.backward(tape.mseLoss(y, tape.constant(s.track(BE.fromFloats(tg, y.shape())))));
            grad("embedding dtable", tv, toDouble(table), v -> {
                double[] out = new double[ids.length * dim];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(v, ids[i] * dim, out, i * dim, dim);
                }
                return mse(out, td);
            });
        }
    }

    @Test
    void l1LossValueAndGradient() {
        SplittableRandom rnd = new SplittableRandom(55);
        float[] a = Numerics.uniform(rnd, 23, 1);
        float[] t = Numerics.uniform(rnd, 23, 1);
        try (TensorScope s = new TensorScope(); Tape tape = new Tape(BE)) {
            Variable av = tape.input(s.track(BE.fromFloats(a, Shape.of(23))), true);
            Variable loss = tape.l1Loss(av, tape.constant(s.track(BE.fromFloats(t, Shape.of(23)))));
            tape.backward(loss);
            double[] td = toDouble(t);
            Function<double[], double[]> f = v -> {
                double sum = 0;
                for (int i = 0; i < v.length; i++) {
                    sum += Math.abs(v[i] - td[i]);
                }
                return new double[] {sum / v.length};
            };
            assertEquals(f.apply(toDouble(a))[0], BE.toFloats(loss.value())[0], 1e-7);
            grad("l1 da", av, toDouble(a), f);
        }
    }
}
