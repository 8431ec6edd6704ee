package dev.surf.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import dev.surf.models.weights.RandomWeights;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The phase decomposition of the stride-2 conv against a double-precision loop of the official
 * operation: ZeroPad2d (0, 1, 0, 1) then a 3x3 conv with stride 2 and no padding, per frame.
 */
class StridedConv2dTest {

    /** out[o, t, j, i] = b[o] + sum w[o, c, kh, kw] x[c, t, 2j + kh, 2i + kw], x = 0 past H and W. */
    static double[] reference(float[] x, float[] w, float[] b, int c, int cout, int t, int h, int wd) {
        int h2 = h / 2;
        int w2 = wd / 2;
        double[] out = new double[cout * t * h2 * w2];
        for (int o = 0; o < cout; o++) {
            for (int f = 0; f < t; f++) {
                for (int j = 0; j < h2; j++) {
                    for (int i = 0; i < w2; i++) {
                        double s = b[o];
                        for (int ci = 0; ci < c; ci++) {
                            for (int kh = 0; kh < 3; kh++) {
                                for (int kw = 0; kw < 3; kw++) {
                                    int y = 2 * j + kh;
                                    int xx = 2 * i + kw;
                                    if (y < h && xx < wd) {
                                        s += (double) w[((o * c + ci) * 3 + kh) * 3 + kw] * x[((ci * t + f) * h + y) * wd + xx];
                                    }
                                }
                            }
                        }
                        out[((o * t + f) * h2 + j) * w2 + i] = s;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void equalsTheOfficialPaddedStrideTwoConvolution() throws Exception {
        SplittableRandom r = new SplittableRandom(19);
        try (CpuBackend be = new CpuBackend(2)) {
            for (int[] d : new int[][] {{3, 5, 2, 6, 10}, {4, 4, 1, 2, 2}, {2, 3, 3, 8, 4}}) {
                int c = d[0], cout = d[1], t = d[2], h = d[3], wd = d[4];
                float[] x = Numerics.uniform(r, c * t * h * wd, 1.0);
                float[] w = Numerics.uniform(r, cout * c * 9, 1.0);
                float[] b = Numerics.uniform(r, cout, 1.0);
                try (VaeWeights owner = new VaeWeights(new RandomWeights(1), be);
                     Tensor xt = be.fromFloats(x, Shape.of(c, t, h, wd));
                     Tensor wt = be.fromFloats(w, Shape.of(cout, c, 3, 3));
                     Tensor bt = be.fromFloats(b, Shape.of(cout));
                     Tensor y = new StridedConv2d(be, owner, wt, bt).apply(be, xt)) {
                    assertArrayEquals(new int[] {cout, t, h / 2, wd / 2}, y.shape().dims());
                    double[] ref = reference(x, w, b, c, cout, t, h, wd);
                    float[] got = be.toFloats(y);
                    double num = 0, den = 0;
                    for (int i = 0; i < ref.length; i++) {
                        num += (got[i] - ref[i]) * (got[i] - ref[i]);
                        den += ref[i] * ref[i];
                    }
                    double err = Math.sqrt(num / den);
                    assertTrue(err < 1e-6, "relative error " + err + " for " + java.util.Arrays.toString(d));
                }
            }
        }
    }
}
