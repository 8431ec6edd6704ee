package dev.surf.core.cpu;

import static dev.surf.core.testing.Numerics.assertClose;
import static dev.surf.core.testing.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The CPU backend's non-GEMM ops against scalar double-precision references. */
class CpuOpsTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private final SplittableRandom rnd = new SplittableRandom(11);

    @AfterAll
    static void close() {
        BE.close();
    }

    private Tensor rand(float[] data, int... dims) {
        return BE.fromFloats(data, Shape.of(dims));
    }

    @Test
    void layerNormWithAndWithoutAffine() {
        for (int d : new int[] {1, 7, 64, 257}) {
            int rows = 5;
            float[] x = uniform(rnd, rows * d, 3);
            for (int i = 0; i < x.length; i++) {
                x[i] += 10; // an offset makes a one-pass variance lose digits
            }
            float[] w = uniform(rnd, d, 1);
            float[] b = uniform(rnd, d, 1);
            double[] ref = new double[rows * d];
            double[] refPlain = new double[rows * d];
            for (int r = 0; r < rows; r++) {
                double m = 0;
                for (int j = 0; j < d; j++) {
                    m += x[r * d + j];
                }
                m /= d;
                double v = 0;
                for (int j = 0; j < d; j++) {
                    v += (x[r * d + j] - m) * (x[r * d + j] - m);
                }
                v /= d;
                for (int j = 0; j < d; j++) {
                    double n = (x[r * d + j] - m) / Math.sqrt(v + 1e-6);
                    refPlain[r * d + j] = n;
                    ref[r * d + j] = n * w[j] + b[j];
                }
            }
            try (Tensor xt = rand(x, rows, d); Tensor wt = rand(w, d); Tensor bt = rand(b, d);
                 Tensor y = BE.layerNorm(xt, wt, bt, 1e-6f, DType.F32);
                 Tensor y0 = BE.layerNorm(xt, null, null, 1e-6f, DType.F32)) {
                assertClose("layerNorm d=" + d, BE.toFloats(y), ref, 1e-6);
                if (d > 1) {
                    assertClose("layerNorm plain d=" + d, BE.toFloats(y0), refPlain, 1e-6);
                }
            }
        }
    }

    @Test
    void layerNormModulatePerBatchItem() {
        int batch = 2;
        int l = 3;
        int d = 19;
        float[] x = uniform(rnd, batch * l * d, 2);
        float[] shift = uniform(rnd, batch * d, 1);
        float[] scale = uniform(rnd, batch * d, 1);
        double[] ref = new double[x.length];
        for (int r = 0; r < batch * l; r++) {
            int bb = r / l;
            double m = 0;
            for (int j = 0; j < d; j++) {
                m += x[r * d + j];
            }
            m /= d;
            double v = 0;
            for (int j = 0; j < d; j++) {
                v += Math.pow(x[r * d + j] - m, 2);
            }
            v /= d;
            for (int j = 0; j < d; j++) {
                double n = (x[r * d + j] - m) / Math.sqrt(v + 1e-6);
                ref[r * d + j] = n * (1 + scale[bb * d + j]) + shift[bb * d + j];
            }
        }
        try (Tensor xt = rand(x, batch, l, d); Tensor sh = rand(shift, batch, d); Tensor sc = rand(scale, batch, d);
             Tensor y = BE.layerNormModulate(xt, sh, sc, 1e-6f, DType.F32)) {
            assertClose("adaLN", BE.toFloats(y), ref, 1e-6);
        }
        try (Tensor xt = rand(x, batch, l, d); Tensor sh = rand(uniform(rnd, d, 1), d); Tensor sc = rand(uniform(rnd, d, 1), d)) {
            assertThrows(IllegalArgumentException.class, () -> BE.layerNormModulate(xt, sh, sc, 1e-6f, DType.F32));
        }
    }

    @Test
    void rmsNorm() {
        int d = 129;
        float[] x = uniform(rnd, 4 * d, 5);
        float[] w = uniform(rnd, d, 2);
        double[] ref = new double[x.length];
        for (int r = 0; r < 4; r++) {
            double ss = 0;
            for (int j = 0; j < d; j++) {
                ss += x[r * d + j] * (double) x[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                ref[r * d + j] = x[r * d + j] / Math.sqrt(ss / d + 1e-6) * w[j];
            }
        }
        try (Tensor xt = rand(x, 4, d); Tensor wt = rand(w, d); Tensor y = BE.rmsNorm(xt, wt, 1e-6f)) {
            assertClose("rmsNorm", BE.toFloats(y), ref, 1e-6);
        }
    }

    @Test
    void ropeRotatesInterleavedPairs() {
        int b = 2;
        int l = 5;
        int h = 3;
        int d = 8;
        float[] x = uniform(rnd, b * l * h * d, 1);
        float[] ang = uniform(rnd, l * d / 2, 3);
        float[] c = new float[ang.length];
        float[] s = new float[ang.length];
        for (int i = 0; i < ang.length; i++) {
            c[i] = (float) Math.cos(ang[i]);
            s[i] = (float) Math.sin(ang[i]);
        }
        double[] ref = new double[x.length];
        for (int bb = 0; bb < b; bb++) {
            for (int t = 0; t < l; t++) {
                for (int hh = 0; hh < h; hh++) {
                    for (int j = 0; j < d / 2; j++) {
                        int base = ((bb * l + t) * h + hh) * d + 2 * j;
                        // complex multiply (x0 + i x1) * (c + i s)
                        double re = x[base] * (double) c[t * d / 2 + j] - x[base + 1] * (double) s[t * d / 2 + j];
                        double im = x[base] * (double) s[t * d / 2 + j] + x[base + 1] * (double) c[t * d / 2 + j];
                        ref[base] = re;
                        ref[base + 1] = im;
                    }
                }
            }
        }
        try (Tensor xt = rand(x, b, l, h, d); Tensor ct = rand(c, l, d / 2); Tensor st = rand(s, l, d / 2);
             Tensor y = BE.rope(xt, ct, st)) {
            assertClose("rope", BE.toFloats(y), ref, 1e-6);
        }
    }

    @Test
    void permuteMatchesIndexArithmetic() {
        int[] dims = {2, 3, 1, 4, 5};
        int[] axes = {3, 0, 4, 2, 1};
        int n = 2 * 3 * 4 * 5;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        try (Tensor t = rand(x, dims); Tensor p = BE.permute(t, axes)) {
            assertEquals(Shape.of(4, 2, 5, 1, 3), p.shape());
            float[] got = BE.toFloats(p);
            int o = 0;
            for (int i3 = 0; i3 < 4; i3++) {
                for (int i0 = 0; i0 < 2; i0++) {
                    for (int i4 = 0; i4 < 5; i4++) {
                        for (int i1 = 0; i1 < 3; i1++) {
                            assertEquals(((i0 * 3 + i1) * 4 + i3) * 5 + i4, got[o++]);
                        }
                    }
                }
            }
        }
        try (Tensor t = BE.convert(rand(x, dims), DType.BF16); Tensor p = BE.permute(t, axes);
             Tensor f = BE.permute(rand(x, dims), axes)) {
            assertArrayEquals(BE.toFloats(f), BE.toFloats(p), "bf16 permute moves the same elements");
        }
        try (Tensor t = rand(x, dims)) {
            assertThrows(IllegalArgumentException.class, () -> BE.permute(t, 0, 0, 1, 2, 3));
        }
    }

    @Test
    void concatAlongEachAxis() {
        float[] a = uniform(rnd, 2 * 3 * 4, 1);
        float[] b = uniform(rnd, 2 * 5 * 4, 1);
        try (Tensor at = rand(a, 2, 3, 4); Tensor bt = rand(b, 2, 5, 4); Tensor c = BE.concat(1, at, bt)) {
            float[] got = BE.toFloats(c);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 8; j++) {
                    for (int k = 0; k < 4; k++) {
                        float want = j < 3 ? a[(i * 3 + j) * 4 + k] : b[(i * 5 + j - 3) * 4 + k];
                        assertEquals(want, got[(i * 8 + j) * 4 + k]);
                    }
                }
            }
        }
        try (Tensor at = rand(a, 2, 3, 4); Tensor bt = rand(a, 2, 3, 4); Tensor c = BE.concat(0, at, bt)) {
            assertEquals(Shape.of(4, 3, 4), c.shape());
            float[] got = BE.toFloats(c);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], got[i]);
                assertEquals(a[i], got[i + a.length]);
            }
        }
    }

    @Test
    void convertRoundsToNearestEven() {
        float[] x = uniform(rnd, 1000, 100);
        x[0] = Float.NaN;
        x[1] = Float.POSITIVE_INFINITY;
        x[2] = 1.0f + 0x1.0p-8f;
        try (Tensor t = rand(x, 1000); Tensor b = BE.convert(t, DType.BF16); Tensor h = BE.convert(t, DType.F16)) {
            float[] gb = BE.toFloats(b);
            float[] gh = BE.toFloats(h);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Half.roundBf16(x[i]), gb[i]);
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(x[i])), gh[i]);
            }
        }
    }

    @Test
    void broadcastingAddMulAndActivations() {
        float[] a = uniform(rnd, 3 * 4 * 7, 4);
        float[] b = uniform(rnd, 4 * 7, 4);
        try (Tensor at = rand(a, 3, 4, 7); Tensor bt = rand(b, 4, 7); Tensor s = BE.add(at, bt); Tensor p = BE.mul(at, bt);
             Tensor g = BE.activation(at, Activation.GELU_TANH); Tensor si = BE.activation(at, Activation.SILU)) {
            double[] rs = new double[a.length];
            double[] rp = new double[a.length];
            double[] rg = new double[a.length];
            double[] rsi = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                rs[i] = a[i] + (double) b[i % b.length];
                rp[i] = a[i] * (double) b[i % b.length];
                rg[i] = Activation.GELU_TANH.apply(a[i]);
                rsi[i] = Activation.SILU.apply(a[i]);
            }
            assertClose("add", BE.toFloats(s), rs, 1e-7);
            assertClose("mul", BE.toFloats(p), rp, 1e-7);
            assertClose("gelu", BE.toFloats(g), rg, 1e-6);
            assertClose("silu", BE.toFloats(si), rsi, 1e-6);
            BE.addInPlace(at, bt);
            assertClose("addInPlace", BE.toFloats(at), rs, 1e-7);
            assertThrows(IllegalArgumentException.class, () -> BE.add(bt, at));
        }
    }

    @Test
    void combineUsesTheDocumentedFmaOrder() {
        float[] x = uniform(rnd, 333, 1);
        float[] y = uniform(rnd, 333, 1);
        float[] z = uniform(rnd, 333, 1);
        float[] c = {0.3f, -1.7f, 2.5f};
        try (Tensor xt = rand(x, 333); Tensor yt = rand(y, 333); Tensor zt = rand(z, 333);
             Tensor r = BE.combine(c, xt, yt, zt)) {
            float[] got = BE.toFloats(r);
            for (int i = 0; i < x.length; i++) {
                float want = Math.fma(c[2], z[i], Math.fma(c[1], y[i], c[0] * x[i]));
                assertEquals(want, got[i]);
            }
            BE.combineInto(xt, new float[] {2f, 1f}, xt, yt);
            float[] inPlace = BE.toFloats(xt);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.fma(1f, y[i], 2f * x[i]), inPlace[i]);
            }
        }
    }

    /** torch F.interpolate semantics written out independently for one plane. */
    private static double[] resizeRef(float[] in, int h, int w, int oh, int ow, ResizeMode mode) {
        double[] out = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                double v;
                if (mode == ResizeMode.AREA) {
                    int ys = (int) Math.floor((double) i * h / oh);
                    int ye = (int) Math.ceil((double) (i + 1) * h / oh);
                    int xs = (int) Math.floor((double) j * w / ow);
                    int xe = (int) Math.ceil((double) (j + 1) * w / ow);
                    double s = 0;
                    for (int y = ys; y < ye; y++) {
                        for (int x = xs; x < xe; x++) {
                            s += in[y * w + x];
                        }
                    }
                    v = s / ((ye - ys) * (xe - xs));
                } else if (mode == ResizeMode.NEAREST_EXACT) {
                    int y = Math.min((int) Math.floor((i + 0.5) * h / oh), h - 1);
                    int x = Math.min((int) Math.floor((j + 0.5) * w / ow), w - 1);
                    v = in[y * w + x];
                } else {
                    double sy = Math.max(0, (i + 0.5) * h / oh - 0.5);
                    double sx = Math.max(0, (j + 0.5) * w / ow - 0.5);
                    int y0 = (int) Math.floor(sy);
                    int x0 = (int) Math.floor(sx);
                    int y1 = y0 + (y0 < h - 1 ? 1 : 0);
                    int x1 = x0 + (x0 < w - 1 ? 1 : 0);
                    double ly = sy - y0;
                    double lx = sx - x0;
                    v = (1 - ly) * ((1 - lx) * in[y0 * w + x0] + lx * in[y0 * w + x1])
                            + ly * ((1 - lx) * in[y1 * w + x0] + lx * in[y1 * w + x1]);
                }
                out[i * ow + j] = v;
            }
        }
        return out;
    }

    @Test
    void resizeMatchesTorchSemantics() {
        int[][] cases = {{8, 12, 4, 6}, {7, 9, 3, 5}, {4, 6, 8, 12}, {5, 5, 13, 2}, {1, 1, 3, 3}, {30, 52, 15, 26}};
        for (ResizeMode mode : ResizeMode.values()) {
            for (int[] c : cases) {
                int planes = 3;
                float[] x = uniform(rnd, planes * c[0] * c[1], 1);
                try (Tensor t = rand(x, planes, c[0], c[1]); Tensor y = BE.resize(t, c[2], c[3], mode)) {
                    float[] got = BE.toFloats(y);
                    for (int p = 0; p < planes; p++) {
                        float[] plane = java.util.Arrays.copyOfRange(x, p * c[0] * c[1], (p + 1) * c[0] * c[1]);
                        double[] ref = resizeRef(plane, c[0], c[1], c[2], c[3], mode);
                        float[] gp = java.util.Arrays.copyOfRange(got, p * c[2] * c[3], (p + 1) * c[2] * c[3]);
                        assertClose(mode + " " + java.util.Arrays.toString(c), gp, ref, 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void halvingByBilinearOrAreaIsTheTwoByTwoMean() {
        float[] x = uniform(rnd, 6 * 8, 1);
        try (Tensor t = rand(x, 1, 6, 8); Tensor a = BE.resize(t, 3, 4, ResizeMode.AREA);
             Tensor b = BE.resize(t, 3, 4, ResizeMode.BILINEAR)) {
            double[] ref = new double[12];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    ref[i * 4 + j] = (x[2 * i * 8 + 2 * j] + x[2 * i * 8 + 2 * j + 1]
                            + x[(2 * i + 1) * 8 + 2 * j] + x[(2 * i + 1) * 8 + 2 * j + 1]) / 4.0;
                }
            }
            assertClose("area", BE.toFloats(a), ref, 1e-6);
            assertClose("bilinear", BE.toFloats(b), ref, 1e-6);
        }
    }

    @Test
    void viewsAndLifetimes() {
        float[] x = uniform(rnd, 24, 1);
        Tensor t = rand(x, 4, 6);
        Tensor rows = t.slice(1, 3);
        assertArrayEquals(java.util.Arrays.copyOfRange(x, 6, 18), BE.toFloats(rows));
        assertEquals(Shape.of(2, 6), rows.shape());
        rows.close();
        assertArrayEquals(x, BE.toFloats(t), "closing a view leaves the owner intact");
        Tensor v = t.view(2, 12);
        t.close();
        assertThrows(IllegalStateException.class, () -> BE.toFloats(t));
        assertThrows(IllegalStateException.class, () -> BE.toFloats(v));
        assertThrows(IllegalArgumentException.class, () -> rand(x, 4, 6).view(5, 5));
    }

    @Test
    void embeddingGathersRowsBitExactInTheTableDtype() {
        int vocab = 9;
        int dim = 5;
        float[] table = uniform(rnd, vocab * dim, 4);
        int[] ids = {3, 0, 8, 3, 1};
        try (Tensor t = rand(table, vocab, dim); Tensor e = BE.embedding(t, ids);
             Tensor tb = BE.convert(t, DType.BF16); Tensor eb = BE.embedding(tb, ids)) {
            assertEquals(Shape.of(ids.length, dim), e.shape());
            assertEquals(DType.BF16, eb.dtype(), "rows keep the table's dtype");
            float[] got = BE.toFloats(e);
            float[] gotB = BE.toFloats(eb);
            for (int i = 0; i < ids.length; i++) {
                for (int j = 0; j < dim; j++) {
                    assertEquals(table[ids[i] * dim + j], got[i * dim + j]);
                    assertEquals(Half.roundBf16(table[ids[i] * dim + j]), gotB[i * dim + j]);
                }
            }
            IllegalArgumentException high = assertThrows(IllegalArgumentException.class, () -> BE.embedding(t, new int[] {1, 9}));
            assertEquals(true, high.getMessage().contains("id 9 at position 1") && high.getMessage().contains("[0, 9)"),
                    high.getMessage());
            assertThrows(IllegalArgumentException.class, () -> BE.embedding(t, new int[] {-1}));
            assertThrows(IllegalArgumentException.class, () -> BE.embedding(t, new int[0]));
            assertThrows(IllegalArgumentException.class, () -> BE.embedding(t.view(vocab * dim), ids));
        }
    }
}
