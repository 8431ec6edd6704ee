package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GaussianBlurTest {

    private static RgbFrame checkerboard(int h, int w) {
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = (x + y) % 2 == 0 ? 1f : 0f;
                }
            }
        }
        return new RgbFrame(d, h, w);
    }

    /** Sum of squared 5-point discrete Laplacian over the interior of every plane. */
    private static double laplacianEnergy(RgbFrame f) {
        int h = f.height();
        int w = f.width();
        double e = 0;
        for (int c = 0; c < 3; c++) {
            int b = c * h * w;
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    float[] d = f.data();
                    double l = d[b + (y - 1) * w + x] + d[b + (y + 1) * w + x] + d[b + y * w + x - 1] + d[b + y * w + x + 1]
                            - 4.0 * d[b + y * w + x];
                    e += l * l;
                }
            }
        }
        return e;
    }

    @Test
    void kernelsSumToOne() {
        for (BlurKernel k : new BlurKernel[] {BlurKernel.isotropic(7, 0.2), BlurKernel.isotropic(21, 3),
                new BlurKernel(15, 3, 0.4, 1.1), new BlurKernel(9, 0.7, 2.5, -2.0)}) {
            double s = 0;
            for (double v : k.weights2d()) {
                s += v;
            }
            assertEquals(1.0, s, 1e-12, k.toString());
        }
    }

    @Test
    void isotropicTapsAreTheSeparableFactorOfTheKernel() {
        BlurKernel k = BlurKernel.isotropic(11, 1.7);
        double[] t = k.taps1d();
        double[] w = k.weights2d();
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 11; x++) {
                assertEquals(t[y] * t[x], w[y * 11 + x], 1e-15);
            }
        }
    }

    @Test
    void anisotropicSecondMomentsMatchTheRotatedCovariance() {
        // a window of 41 keeps truncation below 1e-9 for sigma <= 3; the sampled Gaussian's grid error is
        // of order exp(-2 pi^2 sigma^2), negligible for sigma >= 1
        double sx = 3.0;
        double sy = 1.2;
        double th = 0.6;
        BlurKernel k = new BlurKernel(41, sx, sy, th);
        double[] w = k.weights2d();
        double mxx = 0;
        double mxy = 0;
        double myy = 0;
        double mx = 0;
        double my = 0;
        for (int y = -20; y <= 20; y++) {
            for (int x = -20; x <= 20; x++) {
                double v = w[(y + 20) * 41 + x + 20];
                mx += v * x;
                my += v * y;
                mxx += v * x * x;
                mxy += v * x * y;
                myy += v * y * y;
            }
        }
        double c = Math.cos(th);
        double s = Math.sin(th);
        assertEquals(0, mx, 1e-12);
        assertEquals(0, my, 1e-12);
        assertEquals(c * c * sx * sx + s * s * sy * sy, mxx, 1e-6);
        assertEquals(c * s * (sx * sx - sy * sy), mxy, 1e-6);
        assertEquals(s * s * sx * sx + c * c * sy * sy, myy, 1e-6);
    }

    @Test
    void blurLowersHighFrequencyEnergy() {
        for (RgbFrame f : new RgbFrame[] {TestFrames.uniform(3, 24, 20), checkerboard(16, 18)}) {
            double before = laplacianEnergy(f);
            for (BlurKernel k : new BlurKernel[] {BlurKernel.isotropic(7, 0.8), new BlurKernel(9, 2.0, 0.5, 0.7)}) {
                double after = laplacianEnergy(GaussianBlur.apply(f, k));
                assertTrue(after < 0.5 * before, k + ": " + after + " vs " + before);
            }
        }
    }

    @Test
    void aConstantImageStaysThatConstant() {
        float[] d = new float[3 * 9 * 13];
        java.util.Arrays.fill(d, 0.37f);
        RgbFrame f = new RgbFrame(d, 9, 13);
        // kernel 21 on a 9-pixel side: reflection folds more than once
        for (BlurKernel k : new BlurKernel[] {BlurKernel.isotropic(21, 3), new BlurKernel(21, 3, 0.3, 2.2)}) {
            for (float v : GaussianBlur.apply(f, k).data()) {
                assertEquals(0.37f, v, 1e-6f);
            }
        }
    }

    @Test
    void separablePathEqualsTheDirectSumOfItsKernel() {
        RgbFrame f = TestFrames.uniform(9, 12, 15);
        BlurKernel k = BlurKernel.isotropic(9, 1.3);
        RgbFrame fast = GaussianBlur.apply(f, k);
        double[] w = k.weights2d();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 15; x++) {
                    double s = 0;
                    for (int ky = -4; ky <= 4; ky++) {
                        for (int kx = -4; kx <= 4; kx++) {
                            int yy = mirror(y + ky, 12);
                            int xx = mirror(x + kx, 15);
                            s += w[(ky + 4) * 9 + kx + 4] * f.data()[(c * 12 + yy) * 15 + xx];
                        }
                    }
                    assertEquals(s, fast.data()[(c * 12 + y) * 15 + x], 1e-6);
                }
            }
        }
    }

    /** Single reflection, valid for padding smaller than the side (what torch's reflect pad allows). */
    private static int mirror(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }

    @Test
    void reflectFoldsWithoutRepeatingTheEdge() {
        assertEquals(1, GaussianBlur.reflect(-1, 5));
        assertEquals(3, GaussianBlur.reflect(5, 5));
        assertEquals(4, GaussianBlur.reflect(-4, 5));
        assertEquals(0, GaussianBlur.reflect(8, 5));
        assertEquals(1, GaussianBlur.reflect(9, 5));
        assertEquals(0, GaussianBlur.reflect(7, 1));
    }
}
