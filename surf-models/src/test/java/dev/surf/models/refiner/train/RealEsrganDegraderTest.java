package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class RealEsrganDegraderTest {
    private static final int T = 3;
    private static final int H = 40;
    private static final int W = 48;
    private static final int LH = 20;
    private static final int LW = 24;

    /** A smooth moving pattern in [-1, 1] plus a little texture. */
    private static float[] clip(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[3 * T * H * W];
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < T; t++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        double v = 0.7 * Math.sin(0.2 * (x + 2 * t) + c) * Math.cos(0.15 * y) + 0.2 * (r.nextDouble() - 0.5);
                        d[((c * T + t) * H + y) * W + x] = (float) v;
                    }
                }
            }
        }
        return d;
    }

    @Test
    void sameSeedAndClipGiveTheSameBytesAndTheInputIsKept() {
        float[] hr = clip(1);
        float[] copy = hr.clone();
        float[] a = new RealEsrganDegrader(42).degrade(hr, T, H, W, LH, LW, 7);
        float[] b = new RealEsrganDegrader(42).degrade(hr, T, H, W, LH, LW, 7);
        assertArrayEquals(a, b);
        assertArrayEquals(copy, hr, "the HR clip is not modified");
    }

    @Test
    void theBytesDoNotDependOnTheThreadCount() throws Exception {
        float[] hr = clip(2);
        RealEsrganDegrader d = new RealEsrganDegrader(3);
        float[] many = d.degrade(hr, T, H, W, LH, LW, 11);
        ForkJoinPool one = new ForkJoinPool(1);
        try {
            float[] single = one.submit(() -> d.degrade(hr, T, H, W, LH, LW, 11)).get();
            assertArrayEquals(many, single);
        } finally {
            one.shutdown();
        }
    }

    @Test
    void anotherClipIndexOrSeedGivesOtherBytes() {
        float[] hr = clip(1);
        float[] a = new RealEsrganDegrader(42).degrade(hr, T, H, W, LH, LW, 7);
        assertFalse(Arrays.equals(a, new RealEsrganDegrader(42).degrade(hr, T, H, W, LH, LW, 8)), "clip 8 vs 7");
        assertFalse(Arrays.equals(a, new RealEsrganDegrader(43).degrade(hr, T, H, W, LH, LW, 7)), "seed 43 vs 42");
        assertFalse(DegradationParams.draw(42, 7).equals(DegradationParams.draw(42, 8)));
    }

    @Test
    void outputHasTheLrShapeAndEightBitLevelsInMinusOneToOne() {
        float[] hr = clip(5);
        for (long clip = 0; clip < 6; clip++) {
            float[] lr = new RealEsrganDegrader(9).degrade(hr, T, H, W, LH, LW, clip);
            assertEquals(3 * T * LH * LW, lr.length);
            for (float v : lr) {
                assertTrue(v >= -1 && v <= 1, "value " + v);
                double level = (v + 1) / 2.0 * 255;
                assertEquals(Math.rint(level), level, 1e-4, "an 8-bit level");
            }
        }
    }

    @Test
    void theLrClipStillResemblesTheHrClip() {
        // degradations destroy detail, not content: correlation with an area downscale stays high
        float[] hr = clip(6);
        float[] ref = new float[3 * T * LH * LW];
        for (int p = 0; p < 3 * T; p++) {
            for (int y = 0; y < LH; y++) {
                for (int x = 0; x < LW; x++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += hr[(p * H + 2 * y + k / 2) * W + 2 * x + k % 2];
                    }
                    ref[(p * LH + y) * LW + x] = (float) (s / 4);
                }
            }
        }
        for (long clip = 0; clip < 4; clip++) {
            float[] lr = new RealEsrganDegrader(1).degrade(hr, T, H, W, LH, LW, clip);
            double corr = correlation(ref, lr);
            assertTrue(corr > 0.5, "clip " + clip + " correlation " + corr + " with " + new RealEsrganDegrader(1).params(clip));
        }
    }

    private static double correlation(float[] a, float[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    @Test
    void everyFrameGetsTheSameDegradationAndItsOwnNoise() {
        RgbFrame f = TestFrames.uniform(4, H, W);
        DegradationRound quiet = new DegradationRound(new BlurKernel(9, 2, 0.5, 0.3), 0.6, ResizeFilter.BICUBIC, null, 70);
        DegradationRound noisy = new DegradationRound(BlurKernel.isotropic(7, 1), 0.6, ResizeFilter.BICUBIC,
                new NoiseSpec(NoiseSpec.Kind.GAUSSIAN, 0.05, false), 70);
        DegradationParams still = new DegradationParams(quiet, quiet, ResizeFilter.AREA, true, 99);
        assertArrayEquals(RealEsrganDegrader.frame(f, still, 0, LH, LW).data(), RealEsrganDegrader.frame(f, still, 5, LH, LW).data(),
                "without noise, equal frames degrade equally");
        DegradationParams grainy = new DegradationParams(noisy, quiet, ResizeFilter.AREA, false, 99);
        assertFalse(Arrays.equals(RealEsrganDegrader.frame(f, grainy, 0, LH, LW).data(),
                RealEsrganDegrader.frame(f, grainy, 1, LH, LW).data()), "noise is drawn per frame");
    }

    @Test
    void drawnParametersStayInTheDocumentedRangesWithTheDocumentedFrequencies() {
        int n = 4000;
        int[] sizes = new int[22];
        int blur2 = 0;
        int iso = 0;
        int up = 0;
        int down = 0;
        int gaussian = 0;
        int jpegFirst = 0;
        for (long clip = 0; clip < n; clip++) {
            DegradationParams p = DegradationParams.draw(17, clip);
            DegradationRound r1 = p.first();
            assertNotNull(r1.blur(), "round 1 always blurs");
            assertNotNull(r1.noise(), "round 1 always adds noise");
            assertTrue(r1.jpegQuality() >= 30 && r1.jpegQuality() <= 95);
            BlurKernel k = r1.blur();
            assertTrue(k.size() >= 7 && k.size() <= 21 && k.size() % 2 == 1, k.toString());
            sizes[k.size()]++;
            assertTrue(k.sigmaX() >= 0.2 && k.sigmaX() <= 3 && k.sigmaY() >= 0.2 && k.sigmaY() <= 3, k.toString());
            iso += k.isIsotropic() ? 1 : 0;
            assertTrue(r1.resizeScale() >= 0.15 && r1.resizeScale() <= 1.5);
            up += r1.resizeScale() > 1 ? 1 : 0;
            down += r1.resizeScale() < 1 ? 1 : 0;
            NoiseSpec ns = r1.noise();
            gaussian += ns.kind() == NoiseSpec.Kind.GAUSSIAN ? 1 : 0;
            if (ns.kind() == NoiseSpec.Kind.GAUSSIAN) {
                assertTrue(ns.amount() >= 1 / 255.0 && ns.amount() <= 30 / 255.0);
            } else {
                assertTrue(ns.amount() >= 0.05 && ns.amount() <= 3);
            }
            DegradationRound r2 = p.second();
            if (r2.blur() != null) {
                blur2++;
                assertTrue(r2.blur().sigmaX() <= 1.5 && r2.blur().sigmaY() <= 1.5);
            }
            assertTrue(r2.resizeScale() >= 0.3 && r2.resizeScale() <= 1.2);
            jpegFirst += p.jpegBeforeFinalResize() ? 1 : 0;
        }
        for (int s = 7; s <= 21; s += 2) {
            assertTrue(sizes[s] > 0, "kernel size " + s + " drawn");
        }
        assertFrequency(0.8, blur2, n, "round-2 blur");
        assertFrequency(0.45 / 0.7, iso, n, "isotropic");
        assertFrequency(0.2, up, n, "round-1 up");
        assertFrequency(0.7, down, n, "round-1 down");
        assertFrequency(0.5, gaussian, n, "gaussian");
        assertFrequency(0.5, jpegFirst, n, "jpeg before the final resize");
    }

    /** Within 5 binomial standard deviations. */
    private static void assertFrequency(double p, int hits, int n, String what) {
        assertEquals(p * n, hits, 5 * Math.sqrt(n * p * (1 - p)), what);
    }

    @Test
    void tinyAndUnscaledClipsDegradeWithoutError() {
        // 1-pixel sides make the blur's reflection fold many times and round 1's resize clamp at 1
        int[][] cases = {{1, 2, 3, 1, 1}, {2, 5, 4, 5, 4}, {1, 9, 7, 12, 10}};
        for (int[] c : cases) {
            float[] hr = new float[3 * c[0] * c[1] * c[2]];
            SplittableRandom r = new SplittableRandom(c[1]);
            for (int i = 0; i < hr.length; i++) {
                hr[i] = (float) (2 * r.nextDouble() - 1);
            }
            for (long clip = 0; clip < 20; clip++) {
                float[] lr = new RealEsrganDegrader(2).degrade(hr, c[0], c[1], c[2], c[3], c[4], clip);
                assertEquals(3 * c[0] * c[3] * c[4], lr.length, Arrays.toString(c));
                for (float v : lr) {
                    assertTrue(v >= -1 && v <= 1, Arrays.toString(c) + " clip " + clip + ": " + v);
                }
            }
        }
    }

    @Test
    void badShapesAreRejectedWithTheSizesInTheMessage() {
        RealEsrganDegrader d = new RealEsrganDegrader(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.degrade(new float[10], T, H, W, LH, LW, 0));
        assertTrue(e.getMessage().contains("[3, 3, 40, 48]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.degrade(clip(1), T, H, W, 0, LW, 0));
    }
}
