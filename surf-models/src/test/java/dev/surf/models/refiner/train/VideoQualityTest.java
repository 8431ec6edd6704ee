package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PSNR and SSIM against closed forms. */
class VideoQualityTest {
    private static float[] pattern(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 1.6 - 0.8);
        }
        return v;
    }

    @Test
    void psnrOfAConstantOffsetIsMinusTenLogOfItsSquareOnTheUnitScale() {
        float[] ref = pattern(1, 3 * 2 * 16 * 16);
        float[] a = ref.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] += 0.1f;          // 0.05 on the [0, 1] scale
        }
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Math.pow(((double) a[i] - ref[i]) / 2, 2);
        }
        assertEquals(-10 * Math.log10(d / a.length), VideoQuality.psnr(a, ref), 1e-9);
        assertEquals(-10 * Math.log10(0.0025), VideoQuality.psnr(a, ref), 1e-4);
        assertEquals(Double.POSITIVE_INFINITY, VideoQuality.psnr(ref, ref));
    }

    @Test
    void ssimOfFlatFramesIsTheLuminanceTerm() {
        // no variance: SSIM = (2 m1 m2 + C1) / (m1^2 + m2^2 + C1), C1 = 1e-4, means on the [0, 1] scale
        int f = 2, h = 13, w = 17;
        float[] a = new float[3 * f * h * w];
        float[] b = new float[a.length];
        Arrays.fill(a, 0.2f);      // 0.6
        Arrays.fill(b, -0.4f);     // 0.3
        double m1 = 0.6, m2 = 0.3;
        double expect = (2 * m1 * m2 + 1e-4) / (m1 * m1 + m2 * m2 + 1e-4);
        assertEquals(expect, VideoQuality.ssim(a, b, f, h, w), 1e-6);
    }

    @Test
    void ssimIsOneForEqualClipsSymmetricAndFallsWithNoise() {
        int f = 1, h = 16, w = 16;
        float[] ref = pattern(2, 3 * f * h * w);
        assertEquals(1.0, VideoQuality.ssim(ref, ref, f, h, w), 1e-12);
        float[] small = ref.clone();
        float[] large = ref.clone();
        float[] noise = pattern(3, ref.length);
        for (int i = 0; i < ref.length; i++) {
            small[i] += 0.05f * noise[i];
            large[i] += 0.5f * noise[i];
        }
        double s = VideoQuality.ssim(small, ref, f, h, w);
        double l = VideoQuality.ssim(large, ref, f, h, w);
        assertEquals(s, VideoQuality.ssim(ref, small, f, h, w), 1e-12);
        assertTrue(1 > s && s > l && l > 0, s + " " + l);
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> VideoQuality.ssim(new float[3 * 8 * 8], new float[3 * 8 * 8], 1, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> VideoQuality.ssim(new float[10], new float[10], 1, 16, 16));
        assertThrows(IllegalArgumentException.class, () -> VideoQuality.psnr(new float[3], new float[4]));
    }
}
