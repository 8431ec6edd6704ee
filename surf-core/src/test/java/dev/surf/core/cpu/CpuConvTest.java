package dev.surf.core.cpu;

import static dev.surf.core.testing.Numerics.assertClose;
import static dev.surf.core.testing.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Conv3dReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** conv3d, channelRmsNorm, clamp and narrow of the CPU backend against scalar double references. */
class CpuConvTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private static final CpuBackend ONE = new CpuBackend(1);
    private final SplittableRandom rnd = new SplittableRandom(5);

    @AfterAll
    static void close() {
        BE.close();
        ONE.close();
    }

    /** The definition in Backend#conv3d, in double ({@link Conv3dReference}). */
    static double[] conv3dRef(float[] x, int cin, int t, int h, int w, float[] wt, int cout, int kt, int kh, int kw,
            float[] bias, int pf, int ph, int pw) {
        return Conv3dReference.conv3d(x, cin, t, h, w, wt, cout, kt, kh, kw, bias, pf, ph, pw);
    }

    @Test
    void conv3dMatchesTheDefinitionForEveryPaddingAndKernel() {
        // {cin, t, h, w, cout, kt, kh, kw, padFront, padH, padW}; widths up to 41 exercise the vector tiles
        int[][] cases = {
            {3, 1, 5, 7, 5, 3, 3, 3, 2, 1, 1},
            {4, 3, 6, 41, 6, 3, 3, 3, 2, 1, 1},
            {2, 4, 3, 37, 9, 3, 3, 3, 0, 1, 1},
            {5, 2, 4, 40, 4, 3, 1, 1, 2, 0, 0},
            {6, 3, 2, 35, 7, 1, 1, 1, 0, 0, 0},
            {3, 1, 6, 33, 2, 1, 3, 3, 0, 1, 1},
            {2, 5, 4, 19, 3, 2, 2, 3, 1, 0, 2},
            {1, 2, 3, 3, 1, 3, 3, 3, 1, 1, 1},
        };
        for (int[] c : cases) {
            int cin = c[0], t = c[1], h = c[2], w = c[3], cout = c[4], kt = c[5], kh = c[6], kw = c[7];
            float[] x = uniform(rnd, cin * t * h * w, 1);
            float[] wt = uniform(rnd, cout * cin * kt * kh * kw, 0.5);
            float[] b = uniform(rnd, cout, 0.5);
            for (boolean withBias : new boolean[] {true, false}) {
                double[] ref = conv3dRef(x, cin, t, h, w, wt, cout, kt, kh, kw, withBias ? b : null, c[8], c[9], c[10]);
                try (Tensor xt = BE.fromFloats(x, Shape.of(cin, t, h, w));
                     Tensor wtt = BE.fromFloats(wt, Shape.of(cout, cin, kt, kh, kw));
                     Tensor bt = BE.fromFloats(b, Shape.of(cout));
                     Tensor y = BE.conv3d(xt, wtt, withBias ? bt : null, c[8], c[9], c[10]);
                     Tensor y1 = ONE.conv3d(xt, wtt, withBias ? bt : null, c[8], c[9], c[10])) {
                    assertEquals(Shape.of(cout, t + c[8] - kt + 1, h + 2 * c[9] - kh + 1, w + 2 * c[10] - kw + 1), y.shape());
                    assertClose("conv3d " + java.util.Arrays.toString(c), BE.toFloats(y), ref, 1e-6);
                    assertArrayEquals(BE.toFloats(y), ONE.toFloats(y1), "conv3d must not depend on the thread count");
                }
            }
        }
    }

    @Test
    void conv3dOnBf16InputsReturnsBf16() {
        float[] x = uniform(rnd, 2 * 2 * 3 * 20, 1);
        float[] wt = uniform(rnd, 3 * 2 * 27, 0.5);
        try (Tensor xf = BE.fromFloats(x, Shape.of(2, 2, 3, 20)); Tensor xb = BE.convert(xf, DType.BF16);
             Tensor wf = BE.fromFloats(wt, Shape.of(3, 2, 3, 3, 3)); Tensor wb = BE.convert(wf, DType.BF16);
             Tensor y = BE.conv3d(xb, wb, null, 2, 1, 1)) {
            assertEquals(DType.BF16, y.dtype());
            double[] ref = conv3dRef(BE.toFloats(xb), 2, 2, 3, 20, BE.toFloats(wb), 3, 3, 3, 3, null, 2, 1, 1);
            assertClose("conv3d bf16", BE.toFloats(y), ref, 1e-2);
        }
    }

    @Test
    void conv3dRejectsBadShapes() {
        try (Tensor x = BE.zeros(DType.F32, Shape.of(2, 1, 4, 4));
             Tensor w = BE.zeros(DType.F32, Shape.of(3, 3, 1, 3, 3));
             Tensor w2 = BE.zeros(DType.F32, Shape.of(3, 2, 3, 3, 3));
             Tensor b = BE.zeros(DType.F32, Shape.of(4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.conv3d(x, w, null, 0, 1, 1));
            assertTrue(e.getMessage().contains("input channels"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BE.conv3d(x, w2, null, 0, 1, 1));
            assertTrue(e.getMessage().contains("no output"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> BE.conv3d(x, w2, b, 2, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> BE.conv3d(x.view(2, 16), w2, null, 2, 1, 1));
        }
    }

    @Test
    void channelRmsNormNormalisesEveryPositionOverChannels() {
        int c = 5;
        int n = 2 * 3 * 700; // more than one block of positions
        float[] x = uniform(rnd, c * n, 2);
        java.util.Arrays.fill(x, 0, 1, 0f); // an all-zero position hits the eps floor
        for (int ch = 0; ch < c; ch++) {
            x[ch * n] = 0f;
        }
        float[] g = uniform(rnd, c, 1.5);
        double[] ref = new double[c * n];
        for (int p = 0; p < n; p++) {
            double ss = 0;
            for (int ch = 0; ch < c; ch++) {
                ss += (double) x[ch * n + p] * x[ch * n + p];
            }
            double norm = Math.max(Math.sqrt(ss), 1e-12);
            for (int ch = 0; ch < c; ch++) {
                ref[ch * n + p] = x[ch * n + p] / norm * Math.sqrt(c) * g[ch];
            }
        }
        try (Tensor xt = BE.fromFloats(x, Shape.of(c, 2, 3, 700)); Tensor gt = BE.fromFloats(g, Shape.of(c, 1, 1, 1));
             Tensor y = BE.channelRmsNorm(xt, gt); Tensor y1 = ONE.channelRmsNorm(xt, gt)) {
            assertEquals(xt.shape(), y.shape());
            float[] got = BE.toFloats(y);
            assertClose("channelRmsNorm", got, ref, 1e-6);
            assertTrue(got[0] == 0f, "an all-zero position stays zero (eps floor), got " + got[0]);
            assertArrayEquals(got, ONE.toFloats(y1));
        }
        try (Tensor xt = BE.zeros(DType.F32, Shape.of(3, 4)); Tensor gt = BE.zeros(DType.F32, Shape.of(4))) {
            assertThrows(IllegalArgumentException.class, () -> BE.channelRmsNorm(xt, gt));
        }
    }

    @Test
    void clampAndNarrow() {
        float[] v = {-3f, -1f, -0.5f, 0f, 0.25f, 1f, 7f, Float.NaN};
        try (Tensor t = BE.fromFloats(v, Shape.of(2, 4)); Tensor c = BE.clamp(t, -1f, 1f)) {
            float[] got = BE.toFloats(c);
            assertArrayEquals(new float[] {-1f, -1f, -0.5f, 0f, 0.25f, 1f, 1f}, java.util.Arrays.copyOf(got, 7));
            assertTrue(Float.isNaN(got[7]));
        }
        float[] x = new float[2 * 5 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        try (Tensor t = BE.fromFloats(x, Shape.of(2, 5, 3)); Tensor n = BE.narrow(t, 1, 3, 2);
             Tensor last = BE.narrow(t, -1, 2, 1); Tensor none = BE.narrow(t, 1, 5, 0)) {
            assertEquals(Shape.of(2, 2, 3), n.shape());
            assertArrayEquals(new float[] {9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28, 29}, BE.toFloats(n));
            assertArrayEquals(new float[] {2, 5, 8, 11, 14, 17, 20, 23, 26, 29}, BE.toFloats(last));
            assertEquals(0, none.numel());
            assertThrows(IllegalArgumentException.class, () -> BE.narrow(t, 1, 4, 2));
            assertThrows(IllegalArgumentException.class, () -> BE.narrow(t, 3, 0, 1));
        }
    }
}
