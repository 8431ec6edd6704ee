package dev.surf.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.AttentionSpec;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TimeWindow;
import dev.surf.core.testing.Numerics;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CpuBackend.attention against a naive double-precision softmax over an explicit boolean mask. The
 * window mask is derived here from the definition (spec/surf.md §3): roll the frames by the shift,
 * cut windows of Wt frames from the rolled order, and keep the frames that wrapped around apart from
 * the others of their window. It deliberately does not use TimeWindow's keyFrameStart/End.
 */
class CpuAttentionTest {
    private static final double TOL = 1e-5;
    private static CpuBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** One problem: shapes, options, and the input scale (larger makes the running max move). */
    record Case(String name, int batch, int lq, int lk, int heads, int d, int dv, int[] keyLengths, boolean bias,
                TimeWindow window, double qScale) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("plain d64", 2, 37, 37, 3, 64, 64, null, false, null, 1),
                new Case("plain d128 many key tiles", 1, 70, 300, 2, 128, 128, null, false, null, 3),
                new Case("odd d13 dv7 cross", 2, 20, 29, 2, 13, 7, null, false, null, 1),
                new Case("cross Lq>Lk", 1, 61, 9, 1, 5, 16, null, false, null, 1),
                new Case("key lengths incl. 0", 2, 25, 29, 2, 64, 64, new int[] {0, 17}, false, null, 1),
                new Case("key lengths past Lk", 2, 25, 140, 2, 16, 16, new int[] {140, 129}, false, null, 2),
                new Case("bias", 2, 19, 23, 3, 64, 64, null, true, null, 1),
                new Case("bias + key lengths d128", 2, 50, 133, 2, 128, 128, new int[] {133, 60}, true, null, 1),
                new Case("window 6f Wt2 s0", 2, 30, 30, 2, 64, 64, null, false, new TimeWindow(6, 5, 2, 0), 1),
                new Case("window 6f Wt2 s1", 2, 30, 30, 2, 64, 64, null, false, new TimeWindow(6, 5, 2, 1), 1),
                new Case("window 7f Wt3 s0", 1, 28, 28, 2, 64, 64, null, false, new TimeWindow(7, 4, 3, 0), 1),
                new Case("window 7f Wt3 s1", 1, 28, 28, 2, 64, 64, null, false, new TimeWindow(7, 4, 3, 1), 1),
                new Case("window 8f Wt4 s2 d128", 2, 24, 24, 2, 128, 128, null, false, new TimeWindow(8, 3, 4, 2), 1),
                new Case("window 5f Wt4 s2 wrap spans windows", 1, 15, 15, 2, 16, 16, null, false,
                        new TimeWindow(5, 3, 4, 2), 1),
                new Case("window 5f Wt2 s1 big frames odd d", 1, 250, 250, 2, 33, 33, null, false,
                        new TimeWindow(5, 50, 2, 1), 2),
                new Case("window + key lengths", 2, 36, 36, 1, 64, 64, new int[] {36, 20}, false,
                        new TimeWindow(6, 6, 3, 1), 1),
                new Case("window Wt>=frames", 2, 20, 20, 2, 64, 64, null, false, new TimeWindow(5, 4, 8, 3), 1))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesNaiveReference(Case c) {
        SplittableRandom rnd = new SplittableRandom(c.name().hashCode());
        float[] q = Numerics.uniform(rnd, c.batch * c.lq * c.heads * c.d, c.qScale);
        float[] k = Numerics.uniform(rnd, c.batch * c.lk * c.heads * c.d, c.qScale);
        float[] v = Numerics.uniform(rnd, c.batch * c.lk * c.heads * c.dv, 1);
        float[] bias = c.bias ? Numerics.uniform(rnd, c.heads * c.lq * c.lk, 2) : null;
        float scale = (float) (1 / Math.sqrt(c.d));
        float[] got = run(be, c, q, k, v, bias, scale);
        double[] want = reference(c, q, k, v, bias, scale);
        Numerics.assertClose(c.name, got, want, TOL);
        if (c.keyLengths != null) {
            for (int b = 0; b < c.batch; b++) {
                if (c.keyLengths[b] == 0) {
                    for (int i = b * c.lq * c.heads * c.dv; i < (b + 1) * c.lq * c.heads * c.dv; i++) {
                        assertEquals(0f, got[i], "batch item with no keys must give zeros");
                    }
                }
            }
        }
    }

    @Test
    void windowCoveringAllFramesIsGlobalAttention() {
        Case win = new Case("w", 2, 60, 60, 2, 64, 64, null, false, new TimeWindow(6, 10, 6, 3), 1);
        Case global = new Case("g", 2, 60, 60, 2, 64, 64, null, false, null, 1);
        SplittableRandom rnd = new SplittableRandom(99);
        float[] q = Numerics.uniform(rnd, 2 * 60 * 2 * 64, 1);
        float[] k = Numerics.uniform(rnd, 2 * 60 * 2 * 64, 1);
        float[] v = Numerics.uniform(rnd, 2 * 60 * 2 * 64, 1);
        assertArrayEquals(run(be, global, q, k, v, null, 0.125f), run(be, win, q, k, v, null, 0.125f));
    }

    @Test
    void fullyMaskedRowsGiveZeros() {
        Case c = new Case("masked rows", 1, 8, 12, 2, 16, 16, null, true, null, 1);
        SplittableRandom rnd = new SplittableRandom(5);
        float[] q = Numerics.uniform(rnd, 8 * 2 * 16, 1);
        float[] k = Numerics.uniform(rnd, 12 * 2 * 16, 1);
        float[] v = Numerics.uniform(rnd, 12 * 2 * 16, 1);
        float[] bias = Numerics.uniform(rnd, 2 * 8 * 12, 1);
        for (int j = 0; j < 12; j++) {
            bias[(1 * 8 + 3) * 12 + j] = Float.NEGATIVE_INFINITY; // head 1, query 3: no key left
            if (j % 2 == 0) {
                bias[(0 * 8 + 5) * 12 + j] = Float.NEGATIVE_INFINITY; // head 0, query 5: half of them
            }
        }
        float[] got = run(be, c, q, k, v, bias, 0.25f);
        Numerics.assertClose("masked rows", got, reference(c, q, k, v, bias, 0.25f), TOL);
        for (int ch = 0; ch < 16; ch++) {
            assertEquals(0f, got[(3 * 2 + 1) * 16 + ch]);
        }
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        Case[] cases = {
            new Case("t1", 2, 130, 130, 3, 64, 64, new int[] {130, 77}, true, null, 2),
            new Case("t2", 1, 240, 240, 2, 40, 24, null, false, new TimeWindow(6, 40, 4, 2), 2),
        };
        for (Case c : cases) {
            SplittableRandom rnd = new SplittableRandom(17);
            float[] q = Numerics.uniform(rnd, c.batch * c.lq * c.heads * c.d, c.qScale);
            float[] k = Numerics.uniform(rnd, c.batch * c.lk * c.heads * c.d, c.qScale);
            float[] v = Numerics.uniform(rnd, c.batch * c.lk * c.heads * c.dv, 1);
            float[] bias = c.bias ? Numerics.uniform(rnd, c.heads * c.lq * c.lk, 1) : null;
            float[][] outs = new float[3][];
            for (int t = 1; t <= 3; t++) {
                try (CpuBackend b = new CpuBackend(t)) {
                    outs[t - 1] = run(b, c, q, k, v, bias, 0.2f);
                }
            }
            assertArrayEquals(outs[0], outs[1], c.name + " 1 vs 2 threads");
            assertArrayEquals(outs[0], outs[2], c.name + " 1 vs 3 threads");
        }
    }

    @Test
    void inconsistentShapesAreRejected() {
        try (Tensor q = be.zeros(DType.F32, Shape.of(1, 4, 2, 8));
             Tensor k = be.zeros(DType.F32, Shape.of(1, 5, 2, 8));
             Tensor v = be.zeros(DType.F32, Shape.of(1, 6, 2, 8));
             Tensor kOdd = be.zeros(DType.F32, Shape.of(1, 5, 2, 7))) {
            AttentionSpec spec = AttentionSpec.standard(8);
            assertThrows(IllegalArgumentException.class, () -> be.attention(q, k, v, spec));
            assertThrows(IllegalArgumentException.class, () -> be.attention(q, kOdd, kOdd, spec));
            assertThrows(IllegalArgumentException.class,
                    () -> be.attention(q, q, q, spec.withWindow(new TimeWindow(2, 3, 1, 0))));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static float[] run(CpuBackend b, Case c, float[] q, float[] k, float[] v, float[] bias, float scale) {
        try (Tensor qt = b.fromFloats(q, Shape.of(c.batch, c.lq, c.heads, c.d));
             Tensor kt = b.fromFloats(k, Shape.of(c.batch, c.lk, c.heads, c.d));
             Tensor vt = b.fromFloats(v, Shape.of(c.batch, c.lk, c.heads, c.dv));
             Tensor bt = bias == null ? null : b.fromFloats(bias, Shape.of(c.heads, c.lq, c.lk))) {
            AttentionSpec spec = new AttentionSpec(scale, c.keyLengths, bt, c.window);
            try (Tensor o = b.attention(qt, kt, vt, spec)) {
                assertEquals(Shape.of(c.batch, c.lq, c.heads, c.dv), o.shape());
                return b.toFloats(o);
            }
        }
    }

    /** allowed[i][j]: may query token i attend to key token j under the window (ignoring key lengths). */
    static boolean[][] windowMask(TimeWindow w) {
        int frames = w.frames();
        int tpf = w.tokensPerFrame();
        // the shift only exists when there is more than one window
        int shift = w.windowFrames() >= frames ? 0 : w.shiftFrames();
        int[] windowOf = new int[frames];
        boolean[] wrapped = new boolean[frames];
        for (int pos = 0; pos < frames; pos++) {
            // rolling left by `shift` puts original frame (pos + shift) at position pos
            int f = (pos + shift) % frames;
            windowOf[f] = pos / w.windowFrames();
            wrapped[f] = pos + shift >= frames;
        }
        int n = frames * tpf;
        boolean[][] allowed = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int fi = i / tpf;
                int fj = j / tpf;
                allowed[i][j] = windowOf[fi] == windowOf[fj] && wrapped[fi] == wrapped[fj];
            }
        }
        return allowed;
    }

    /** softmax(scale q k^T + bias + mask) v in double, zeros for rows with no key. */
    static double[] reference(Case c, float[] q, float[] k, float[] v, float[] bias, float scale) {
        boolean[][] win = c.window == null ? null : windowMask(c.window);
        double[] out = new double[c.batch * c.lq * c.heads * c.dv];
        double[] logit = new double[c.lk];
        for (int b = 0; b < c.batch; b++) {
            int len = c.keyLengths == null ? c.lk : Math.min(c.lk, c.keyLengths[b]);
            for (int h = 0; h < c.heads; h++) {
                for (int i = 0; i < c.lq; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c.lk; j++) {
                        boolean ok = j < len && (win == null || win[i][j]);
                        double s = Double.NEGATIVE_INFINITY;
                        if (ok) {
                            s = 0;
                            for (int e = 0; e < c.d; e++) {
                                s += (double) q[((b * c.lq + i) * c.heads + h) * c.d + e]
                                        * k[((b * c.lk + j) * c.heads + h) * c.d + e];
                            }
                            s *= scale;
                            if (bias != null) {
                                s += bias[(h * c.lq + i) * c.lk + j];
                            }
                        }
                        logit[j] = s;
                        max = Math.max(max, s);
                    }
                    if (max == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j < c.lk; j++) {
                        logit[j] = Math.exp(logit[j] - max);
                        sum += logit[j];
                    }
                    for (int e = 0; e < c.dv; e++) {
                        double acc = 0;
                        for (int j = 0; j < c.lk; j++) {
                            acc += logit[j] * v[((b * c.lk + j) * c.heads + h) * c.dv + e];
                        }
                        out[((b * c.lq + i) * c.heads + h) * c.dv + e] = acc / sum;
                    }
                }
            }
        }
        return out;
    }
}
