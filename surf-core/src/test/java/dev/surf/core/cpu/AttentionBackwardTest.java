package dev.surf.core.cpu;

import static dev.surf.core.testing.FiniteDifferences.assertGradient;
import static dev.surf.core.testing.FiniteDifferences.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * attentionWithLse and attentionBackward against a double-precision softmax attention written out
 * here: the lse against its definition, dq, dk, dv against finite differences, on odd shapes with key
 * lengths (one of them 0), an additive bias, and time windows with and without a cyclic shift; and
 * windowed attention's backward against the backward of full attention under the equivalent mask.
 */
class AttentionBackwardTest {
    private static final CpuBackend BE = new CpuBackend(2);

    @AfterAll
    static void close() {
        BE.close();
    }

    /** Shapes and options of one case. */
    private record Case(int b, int lq, int lk, int h, int d, int dv, float scale, int[] keyLengths, double[] bias,
                        TimeWindow win) {
        boolean allowed(int batch, int i, int j) {
            if (keyLengths != null && j >= keyLengths[batch]) {
                return false;
            }
            if (win == null) {
                return true;
            }
            int f = i / win.tokensPerFrame();
            return j >= win.keyFrameStart(f) * win.tokensPerFrame() && j < win.keyFrameEnd(f) * win.tokensPerFrame();
        }

        /** Output [B, Lq, H, dv] (or lse [B, H, Lq] when lse is set), in double. */
        double[] forward(double[] q, double[] k, double[] v, boolean lse) {
            double[] out = new double[lse ? b * h * lq : b * lq * h * dv];
            double[] s = new double[lk];
            for (int bb = 0; bb < b; bb++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int i = 0; i < lq; i++) {
                        double mx = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < lk; j++) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            if (allowed(bb, i, j)) {
                                double dot = 0;
                                for (int c = 0; c < d; c++) {
                                    dot += q[((bb * lq + i) * h + hh) * d + c] * k[((bb * lk + j) * h + hh) * d + c];
                                }
                                s[j] = scale * dot + (bias == null ? 0 : bias[(hh * lq + i) * lk + j]);
                                mx = Math.max(mx, s[j]);
                            }
                        }
                        if (mx == Double.NEGATIVE_INFINITY) {
                            if (lse) {
                                out[(bb * h + hh) * lq + i] = Double.NEGATIVE_INFINITY;
                            }
                            continue;
                        }
                        double sum = 0;
                        for (int j = 0; j < lk; j++) {
                            sum += Math.exp(s[j] - mx);
                        }
                        if (lse) {
                            out[(bb * h + hh) * lq + i] = mx + Math.log(sum);
                            continue;
                        }
                        for (int j = 0; j < lk; j++) {
                            double p = Math.exp(s[j] - mx) / sum;
                            for (int c = 0; c < dv; c++) {
                                out[((bb * lq + i) * h + hh) * dv + c] += p * v[((bb * lk + j) * h + hh) * dv + c];
                            }
                        }
                    }
                }
            }
            return out;
        }

        AttentionSpec spec(Tensor biasT) {
            return new AttentionSpec(scale, keyLengths, biasT, win);
        }
    }

    private static void check(String name, Case c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] q = Numerics.uniform(rnd, c.b * c.lq * c.h * c.d, 1);
        float[] k = Numerics.uniform(rnd, c.b * c.lk * c.h * c.d, 1);
        float[] v = Numerics.uniform(rnd, c.b * c.lk * c.h * c.dv, 1);
        float[] g = Numerics.uniform(rnd, c.b * c.lq * c.h * c.dv, 1);
        double[] qd = toDouble(q);
        double[] kd = toDouble(k);
        double[] vd = toDouble(v);
        double[] gd = toDouble(g);
        float[] biasF = null;
        if (c.bias != null) {
            biasF = new float[c.bias.length];
            for (int i = 0; i < biasF.length; i++) {
                biasF[i] = (float) c.bias[i];
            }
        }
        try (Tensor qt = BE.fromFloats(q, Shape.of(c.b, c.lq, c.h, c.d)); Tensor kt = BE.fromFloats(k, Shape.of(c.b, c.lk, c.h, c.d));
             Tensor vt = BE.fromFloats(v, Shape.of(c.b, c.lk, c.h, c.dv));
             Tensor gt = BE.fromFloats(g, Shape.of(c.b, c.lq, c.h, c.dv));
             Tensor bt = biasF == null ? null : BE.fromFloats(biasF, Shape.of(c.h, c.lq, c.lk))) {
            AttentionSpec spec = c.spec(bt);
            try (AttentionWithLse f = BE.attentionWithLse(qt, kt, vt, spec); Tensor plain = BE.attention(qt, kt, vt, spec);
                 AttentionGrads gr = BE.attentionBackward(qt, kt, vt, f.out(), f.lse(), gt, spec)) {
                Numerics.assertClose(name + ": out with lse = plain attention", BE.toFloats(f.out()), BE.toFloats(plain), 0);
                Numerics.assertClose(name + ": out", BE.toFloats(f.out()), c.forward(qd, kd, vd, false), 1e-6);
                double[] lseRef = c.forward(qd, kd, vd, true);
                float[] lse = BE.toFloats(f.lse());
                for (int i = 0; i < lse.length; i++) {
                    if (lseRef[i] == Double.NEGATIVE_INFINITY) {
                        assertEquals(Float.NEGATIVE_INFINITY, lse[i], name + ": lse of a fully masked row");
                        lse[i] = 0;
                        lseRef[i] = 0;
                    }
                }
                Numerics.assertClose(name + ": lse", lse, lseRef, 1e-6);
                assertGradient(name + ": dq", BE.toFloats(gr.dq()), qd, gd, x -> c.forward(x, kd, vd, false));
                assertGradient(name + ": dk", BE.toFloats(gr.dk()), kd, gd, x -> c.forward(qd, x, vd, false));
                assertGradient(name + ": dv", BE.toFloats(gr.dv()), vd, gd, x -> c.forward(qd, kd, x, false));
            }
        }
    }

    private static double[] randomBias(int h, int lq, int lk, long seed) {
        return toDouble(Numerics.uniform(new SplittableRandom(seed), h * lq * lk, 1.5));
    }

    @Test
    void keyLengthsAndBias() {
        check("key lengths + bias", new Case(2, 5, 7, 3, 4, 6, 0.45f, new int[] {7, 4}, randomBias(3, 5, 7, 1), null), 41);
    }

    @Test
    void headSizesThatFillVectorLanesAndLeaveTails() {
        // d = 37 and dv = 19: full lanes of any species up to 16 floats, then a scalar tail
        check("d 37, dv 19", new Case(1, 6, 9, 2, 37, 19, 0.16f, new int[] {8}, null, null), 47);
        TimeWindow w = new TimeWindow(3, 2, 2, 1);
        check("d 32, dv 24, window", new Case(1, 6, 6, 1, 32, 24, 0.18f, null, randomBias(1, 6, 6, 2), w), 48);
    }

    @Test
    void emptyKeyRangeGivesZeroGradients() {
        check("key length 0", new Case(2, 3, 5, 1, 3, 3, 0.6f, new int[] {5, 0}, null, null), 42);
    }

    @Test
    void timeWindowWithoutShift() {
        TimeWindow w = new TimeWindow(5, 3, 2, 0);
        check("window 2 of 5 frames", new Case(1, 15, 15, 2, 4, 3, 0.5f, null, null, w), 43);
    }

    @Test
    void timeWindowWithCyclicShift() {
        TimeWindow w = new TimeWindow(5, 3, 2, 1);
        check("window 2 of 5 frames, shift 1", new Case(1, 15, 15, 2, 4, 3, 0.5f, null, null, w), 44);
        TimeWindow w3 = new TimeWindow(7, 2, 3, 1);
        check("window 3 of 7 frames, shift 1, key lengths", new Case(2, 14, 14, 1, 5, 4, 0.4f, new int[] {14, 9}, null, w3), 45);
    }

    @Test
    void windowedBackwardEqualsMaskedFullAttentionBackward() {
        TimeWindow w = new TimeWindow(6, 4, 4, 2);
        int l = 24;
        int h = 2;
        int d = 8;
        SplittableRandom rnd = new SplittableRandom(46);
        float[] mask = new float[h * l * l];
        for (int hh = 0; hh < h; hh++) {
            for (int i = 0; i < l; i++) {
                int f = i / w.tokensPerFrame();
                for (int j = 0; j < l; j++) {
                    boolean in = j >= w.keyFrameStart(f) * w.tokensPerFrame() && j < w.keyFrameEnd(f) * w.tokensPerFrame();
                    mask[(hh * l + i) * l + j] = in ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
        }
        Shape s = Shape.of(1, l, h, d);
        try (Tensor q = BE.fromFloats(Numerics.uniform(rnd, l * h * d, 1), s); Tensor k = BE.fromFloats(Numerics.uniform(rnd, l * h * d, 1), s);
             Tensor v = BE.fromFloats(Numerics.uniform(rnd, l * h * d, 1), s); Tensor g = BE.fromFloats(Numerics.uniform(rnd, l * h * d, 1), s);
             Tensor m = BE.fromFloats(mask, Shape.of(h, l, l))) {
            AttentionSpec windowed = AttentionSpec.standard(d).withWindow(w);
            AttentionSpec masked = AttentionSpec.standard(d).withBias(m);
            try (AttentionWithLse fw = BE.attentionWithLse(q, k, v, windowed); AttentionWithLse fm = BE.attentionWithLse(q, k, v, masked);
                 AttentionGrads gw = BE.attentionBackward(q, k, v, fw.out(), fw.lse(), g, windowed);
                 AttentionGrads gm = BE.attentionBackward(q, k, v, fm.out(), fm.lse(), g, masked)) {
                Numerics.assertClose("out", BE.toFloats(fw.out()), BE.toFloats(fm.out()), 1e-6);
                Numerics.assertClose("dq", BE.toFloats(gw.dq()), BE.toFloats(gm.dq()), 1e-6);
                Numerics.assertClose("dk", BE.toFloats(gw.dk()), BE.toFloats(gm.dk()), 1e-6);
                Numerics.assertClose("dv", BE.toFloats(gw.dv()), BE.toFloats(gm.dv()), 1e-6);
            }
        }
    }
}
