package dev.surf.core.cpu;

import static dev.surf.core.testing.Numerics.assertClose;
import static dev.surf.core.testing.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Conv3dGradReference;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * conv3dGradInput and conv3dGradWeight of the CPU backend (F32 accumulation) against the double
 * definition {@link Conv3dGradReference}, and bit for bit across thread counts.
 *
 * <p>Tolerance: both gradients sum n products (n = Cout kt kh kw for dx, at most To Ho Wo / V per
 * vector lane for dw, here at most about 1 000) in F32 with FMAs, each addition rounding by at most
 * u = 2^-24 relative; with random signs the error of such a sum grows like sqrt(n) u, about 2e-6 of
 * the result's norm for n = 1 000, and the reference's own rounding to F32 adds u. 1e-5 leaves 5x
 * headroom over that estimate (the cases below measured at most 2.1e-7) and is still 4 orders of
 * magnitude below what a wrong tap, flip or padding produces (an unflipped kernel: 1.4; a dropped
 * vector lane in dw: 0.25).
 */
class CpuConvGradTest {
    private static final double TOL = 1e-5;
    private static final CpuBackend BE = new CpuBackend(2);
    private static final CpuBackend ONE = new CpuBackend(1);
    private final SplittableRandom rnd = new SplittableRandom(11);

    // {Cin, T, H, W, Cout, kt, kh, kw, padFront, padH, padW}: channel counts off multiples of 4, the
    // VAE's kernels (3x3x3, 1x1x1, 3x1x1, 1x3x3), front paddings 0..2 (also larger than kt - 1, where
    // the adjoint crops dy), H/W paddings 0 and 1 (also larger than kh - 1), planes of 1 to 3 tiles
    private static final int[][] CASES = {
        {3, 4, 7, 9, 5, 3, 3, 3, 2, 1, 1},
        {5, 3, 6, 41, 7, 3, 3, 3, 0, 1, 1},
        {2, 5, 8, 3, 7, 3, 1, 1, 2, 0, 0},
        {9, 2, 3, 5, 6, 3, 1, 1, 1, 0, 0},
        {6, 3, 2, 35, 3, 1, 1, 1, 0, 0, 0},
        {4, 2, 5, 5, 3, 1, 1, 1, 2, 1, 1},
        {3, 2, 6, 33, 2, 1, 3, 3, 0, 1, 1},
        {7, 3, 1, 9, 9, 1, 3, 3, 2, 1, 1},
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
        {3, 3, 4, 4, 2, 2, 2, 2, 1, 0, 0},
        {2, 6, 9, 9, 5, 3, 3, 3, 1, 0, 1},
        {3, 2, 17, 33, 5, 3, 3, 3, 2, 1, 1},
        {17, 5, 8, 8, 6, 3, 3, 3, 2, 1, 1},
    };

    @AfterAll
    static void close() {
        BE.close();
        ONE.close();
    }

    @Test
    void gradientsMatchTheDoubleDefinitionAndTheThreadCount() {
        for (int[] c : CASES) {
            int cin = c[0], t = c[1], h = c[2], w = c[3], cout = c[4], kt = c[5], kh = c[6], kw = c[7];
            int pf = c[8], ph = c[9], pw = c[10];
            int to = t + pf - kt + 1, ho = h + 2 * ph - kh + 1, wo = w + 2 * pw - kw + 1;
            String at = Arrays.toString(c);
            try (Tensor x = BE.fromFloats(uniform(rnd, cin * t * h * w, 1), Shape.of(cin, t, h, w));
                 Tensor wt = BE.fromFloats(uniform(rnd, cout * cin * kt * kh * kw, 0.5), Shape.of(cout, cin, kt, kh, kw));
                 Tensor dy = BE.fromFloats(uniform(rnd, cout * to * ho * wo, 1), Shape.of(cout, to, ho, wo));
                 Tensor dx = BE.conv3dGradInput(dy, wt, pf, ph, pw);
                 Tensor dx1 = ONE.conv3dGradInput(dy, wt, pf, ph, pw);
                 Tensor dw = BE.conv3dGradWeight(dy, x, pf, ph, pw);
                 Tensor dw1 = ONE.conv3dGradWeight(dy, x, pf, ph, pw)) {
                assertEquals(x.shape(), dx.shape(), "dx shape " + at);
                assertEquals(wt.shape(), dw.shape(), "dw shape " + at);
                assertEquals(DType.F32, dx.dtype());
                assertEquals(DType.F32, dw.dtype());
                assertClose("conv3dGradInput " + at, BE.toFloats(dx), Conv3dGradReference.gradInput(BE, dy, wt, pf, ph, pw), TOL);
                assertClose("conv3dGradWeight " + at, BE.toFloats(dw), Conv3dGradReference.gradWeight(BE, dy, x, pf, ph, pw), TOL);
                assertArrayEquals(BE.toFloats(dx), ONE.toFloats(dx1), "conv3dGradInput must not depend on the thread count " + at);
                assertArrayEquals(BE.toFloats(dw), ONE.toFloats(dw1), "conv3dGradWeight must not depend on the thread count " + at);
            }
        }
    }

    /** Every element is compared too, not only the norm: a wrong border would hide in a large norm. */
    @Test
    void bordersAreRightElementByElement() {
        int cin = 5, t = 3, h = 6, w = 7, cout = 6, pf = 2, ph = 1, pw = 1;
        try (Tensor x = BE.fromFloats(uniform(rnd, cin * t * h * w, 1), Shape.of(cin, t, h, w));
             Tensor wt = BE.fromFloats(uniform(rnd, cout * cin * 27, 0.5), Shape.of(cout, cin, 3, 3, 3));
             Tensor dy = BE.fromFloats(uniform(rnd, cout * t * h * w, 1), Shape.of(cout, t, h, w));
             Tensor dx = BE.conv3dGradInput(dy, wt, pf, ph, pw);
             Tensor dw = BE.conv3dGradWeight(dy, x, pf, ph, pw)) {
            assertElementwise("dx", BE.toFloats(dx), Conv3dGradReference.gradInput(BE, dy, wt, pf, ph, pw));
            assertElementwise("dw", BE.toFloats(dw), Conv3dGradReference.gradWeight(BE, dy, x, pf, ph, pw));
        }
    }

    private static void assertElementwise(String what, float[] got, float[] ref) {
        double scale = 0;
        for (float r : ref) {
            scale = Math.max(scale, Math.abs(r));
        }
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(got[i] - ref[i]) <= TOL * scale)) {
                throw new AssertionError(what + "[" + i + "] = " + got[i] + ", reference " + ref[i]);
            }
        }
    }

    @Test
    void bf16OperandsAreReadAsTheirF32Values() {
        int cin = 3, t = 3, h = 5, w = 18, cout = 5;
        try (Tensor xf = BE.fromFloats(uniform(rnd, cin * t * h * w, 1), Shape.of(cin, t, h, w));
             Tensor x = BE.convert(xf, DType.BF16);
             Tensor wf = BE.fromFloats(uniform(rnd, cout * cin * 27, 0.5), Shape.of(cout, cin, 3, 3, 3));
             Tensor wt = BE.convert(wf, DType.BF16);
             Tensor dyf = BE.fromFloats(uniform(rnd, cout * t * h * w, 1), Shape.of(cout, t, h, w));
             Tensor dy = BE.convert(dyf, DType.BF16);
             Tensor dx = BE.conv3dGradInput(dy, wt, 2, 1, 1);
             Tensor dw = BE.conv3dGradWeight(dy, x, 2, 1, 1)) {
            assertEquals(DType.F32, dx.dtype());
            assertClose("bf16 dx", BE.toFloats(dx), Conv3dGradReference.gradInput(BE, dy, wt, 2, 1, 1), TOL);
            assertClose("bf16 dw", BE.toFloats(dw), Conv3dGradReference.gradWeight(BE, dy, x, 2, 1, 1), TOL);
        }
    }

    @Test
    void badShapesAreRefusedInOneLine() {
        try (Tensor dy = BE.zeros(DType.F32, Shape.of(2, 3, 4, 4)); Tensor w = BE.zeros(DType.F32, Shape.of(3, 2, 3, 3, 3));
             Tensor x = BE.zeros(DType.F32, Shape.of(2, 3, 2, 2))) {
            assertThrows(IllegalArgumentException.class, () -> BE.conv3dGradInput(dy, w, 2, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> BE.conv3dGradWeight(dy, x, 0, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> BE.conv3dGradWeight(dy, x, -1, 1, 1));
        }
    }
}
