package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JpegRecompressionTest {
    private static final int H = 40;
    private static final int W = 56;

    /** Gradients and a low-frequency wave per channel: what JPEG keeps well. */
    private static RgbFrame smooth() {
        float[] d = new float[3 * H * W];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    double v = 0.5 + 0.3 * Math.sin(0.15 * x + 0.4 * c) * Math.cos(0.11 * y) + 0.15 * (x - y) / W;
                    d[(c * H + y) * W + x] = (float) v;
                }
            }
        }
        return new RgbFrame(d, H, W);
    }

    /**
     * Luminance texture (one random level per pixel on all channels): colour noise would be dominated by
     * the 4:2:0 chroma subsampling, which loses the same at every quality.
     */
    private static RgbFrame noisy(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = H * W;
        float[] d = new float[3 * n];
        for (int p = 0; p < n; p++) {
            float v = (float) r.nextDouble();
            d[p] = v;
            d[n + p] = v;
            d[2 * n + p] = v;
        }
        return new RgbFrame(d, H, W);
    }

    private static double psnr(RgbFrame a, RgbFrame b) {
        double se = 0;
        for (int i = 0; i < a.data().length; i++) {
            double e = a.data()[i] - b.data()[i];
            se += e * e;
        }
        return 10 * Math.log10(1 / (se / a.data().length));
    }

    private static int changedLevels(RgbFrame in, RgbFrame out) {
        int changed = 0;
        for (int i = 0; i < in.data().length; i++) {
            if (Math.round(in.data()[i] * 255) != Math.round(out.data()[i] * 255)) {
                changed++;
            }
        }
        return changed;
    }

    @Test
    void recompressionChangesTheBytesButKeepsASmoothImageClose() {
        RgbFrame in = smooth();
        RgbFrame out = JpegRecompression.apply(in, 90);
        assertTrue(changedLevels(in, out) > in.data().length / 20, "JPEG at q90 changed " + changedLevels(in, out) + " values");
        double p = psnr(in, out);
        assertTrue(p > 30 && p < 80, "PSNR at q90 on a smooth image: " + p);
    }

    @Test
    void lowerQualityLosesMore() {
        RgbFrame in = noisy(4);
        double q95 = psnr(in, JpegRecompression.apply(in, 95));
        double q30 = psnr(in, JpegRecompression.apply(in, 30));
        assertTrue(q30 < q95 - 3, "q30 " + q30 + " dB vs q95 " + q95 + " dB");
    }

    @Test
    void outputIsEightBitLevelsInRangeAndDeterministic() {
        RgbFrame in = noisy(6);
        RgbFrame a = JpegRecompression.apply(in, 55);
        assertArrayEquals(a.data(), JpegRecompression.apply(in, 55).data());
        for (float v : a.data()) {
            assertTrue(v >= 0 && v <= 1);
            assertEquals(Math.round(v * 255) / 255f, v, 0);
        }
    }

    @Test
    void qualityOutsideOneToHundredIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> JpegRecompression.apply(smooth(), 0));
        assertThrows(IllegalArgumentException.class, () -> JpegRecompression.apply(smooth(), 101));
    }
}
