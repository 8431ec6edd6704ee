package dev.surf.models.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.world.WorldVocabulary.Shape;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Rendered frames measured against the clip's drawn numbers: area, height, centroid, travel, scale and anti-aliasing. */
class ClipRendererTest {

    /** Per-pixel coverage read back from a frame: (v - bg) / (object - bg) on the channel where they differ most. */
    static double[] coverage(WorldClip c, float[] frame, int w, int h) {
        float[] bg = c.background().unit();
        float[] obj = c.colour().unit();
        int ch = 0;
        for (int k = 1; k < 3; k++) {
            if (Math.abs(obj[k] - bg[k]) > Math.abs(obj[ch] - bg[ch])) {
                ch = k;
            }
        }
        double[] cov = new double[w * h];
        for (int p = 0; p < w * h; p++) {
            cov[p] = (frame[ch * w * h + p] - bg[ch]) / (double) (obj[ch] - bg[ch]);
        }
        return cov;
    }

    private static double fill(Shape s) {
        return switch (s) {
            case CIRCLE -> Math.PI / 4;
            case SQUARE -> 1;
            case TRIANGLE -> 0.5;
        };
    }

    @Test
    void areaHeightCentroidAndTravelMatchTheDrawnClip() {
        for (int i = 0; i < 60; i++) {
            int w = i % 2 == 0 ? 64 : 96;
            int h = 64;
            WorldClip c = WorldClip.draw(11, i, (double) w / h);
            List<float[]> frames = ClipRenderer.render(c, w, h);
            double[] first = null;
            double[] last = null;
            for (int f = 0; f < WorldClip.FRAMES; f += 8) {
                double[] cov = coverage(c, frames.get(f), w, h);
                double area = 0;
                double mx = 0;
                double my = 0;
                int top = h;
                int bottom = -1;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double v = cov[y * w + x];
                        assertTrue(v > -1e-6 && v < 1 + 1e-6, "coverage " + v);
                        area += v;
                        mx += v * (x + 0.5);
                        my += v * (y + 0.5);
                        if (v > 1e-6) {
                            top = Math.min(top, y);
                            bottom = Math.max(bottom, y);
                        }
                    }
                }
                double side = c.size() * h;
                assertEquals(fill(c.shape()) * side * side, area, 1e-3 * side * side, "area of " + c);
                int rows = bottom - top + 1;
                assertTrue(rows >= side - 1e-6 && rows <= side + 2, rows + " rows for a side of " + side + " px: " + c);
                double[] centroid = {mx / area, my / area};
                // the triangle's centroid lies a sixth of the side below its box centre
                double yOffset = c.shape() == Shape.TRIANGLE ? side / 6 : 0;
                // pixel centres stand for the covered part of edge pixels: off by at most 1/8 px per edge over the side
                double tol = 0.25 / side;
                assertEquals(c.centreX(f) * h, centroid[0], tol, "centroid x of " + c);
                assertEquals(c.centreY(f) * h + yOffset, centroid[1], tol, "centroid y of " + c);
                if (f == 0) {
                    first = centroid;
                }
                last = centroid;
            }
            double along = c.direction().horizontal() ? w : h;
            double moved = c.direction().horizontal() ? last[0] - first[0] : last[1] - first[1];
            double fraction = moved * (c.direction().dx() + c.direction().dy()) / along;
            assertTrue(fraction >= 0.30 - 1e-3 && fraction <= 0.60 + 1e-3, "travel " + fraction + " of " + c);
            assertEquals(c.travel(), fraction, 1e-3);
        }
    }

    @Test
    void twiceTheSizeBoxDownsampledIsTheBaseRender() {
        double worst = 0;
        for (int i = 0; i < 12; i++) {
            WorldClip c = WorldClip.draw(3, i, 1.5);
            for (int scale : new int[] {2, 4}) {
                for (int f : new int[] {0, 7, 16}) {
                    float[] base = ClipRenderer.frame(c, f, 48, 32);
                    float[] big = ClipRenderer.frame(c, f, 48 * scale, 32 * scale);
                    for (int ch = 0; ch < 3; ch++) {
                        for (int y = 0; y < 32; y++) {
                            for (int x = 0; x < 48; x++) {
                                double sum = 0;
                                for (int dy = 0; dy < scale; dy++) {
                                    for (int dx = 0; dx < scale; dx++) {
                                        sum += big[ch * 48 * 32 * scale * scale + (y * scale + dy) * 48 * scale + x * scale + dx];
                                    }
                                }
                                worst = Math.max(worst, Math.abs(sum / (scale * scale) - base[ch * 48 * 32 + y * 48 + x]));
                            }
                        }
                    }
                }
            }
        }
        assertTrue(worst < 1e-5, "largest difference " + worst);
    }

    @Test
    void edgesAreAntiAliasedAndWholePixelsHoldTheExactColours() {
        WorldClip c = WorldClip.draw(5, 2, 1);
        float[] frame = ClipRenderer.frame(c, 4, 64, 64);
        double[] cov = coverage(c, frame, 64, 64);
        int between = 0;
        int inside = 0;
        for (double v : cov) {
            between += v > 0.02 && v < 0.98 ? 1 : 0;
            inside += v == 1 ? 1 : 0;
        }
        double side = c.size() * 64;
        assertTrue(between >= side, between + " edge pixels for a " + side + " px " + c.shape());
        assertTrue(inside > 0);
        byte[] rgb = ClipRenderer.toRgb(frame, 64, 64);
        int[] bg = c.background().rgb();
        assertEquals(bg[0], rgb[0] & 0xff); // the corner pixel: the object never covers all four corners' regions
        int[] obj = c.colour().rgb();
        boolean found = false;
        for (int p = 0; p < 64 * 64; p++) {
            if (cov[p] == 1) {
                found = true;
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(obj[ch], rgb[3 * p + ch] & 0xff);
                }
            }
        }
        assertTrue(found);
    }

    @Test
    void sameBytesOnEveryRunAndThread() throws Exception {
        WorldClip c = WorldClip.draw(9, 9, 1);
        byte[] ref = ClipRenderer.toRgb(ClipRenderer.frame(c, 8, 80, 80), 80, 80);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> runs = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> ClipRenderer.toRgb(ClipRenderer.frame(WorldClip.draw(9, 9, 1), 8, 80, 80), 80, 80)));
            }
            for (Future<byte[]> r : runs) {
                assertArrayEquals(ref, r.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void refusesTinyFramesAndTheWrongAspect() {
        WorldClip c = WorldClip.draw(1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> ClipRenderer.frame(c, 0, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> ClipRenderer.frame(c, 0, 64, 32));
        assertThrows(IllegalArgumentException.class, () -> ClipRenderer.frame(c, 17, 64, 64));
    }
}
