package dev.surf.models.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Draws a {@link WorldClip} at any size of its aspect ratio (at least 16 pixels each way).
 *
 * <p>Frames are channels-first RGB floats [3, H, W] in [0, 1], the sRGB values themselves (no
 * linear-light conversion): a pixel is {@code background + coverage * (object - background)}, where
 * coverage is the exact fraction of the pixel the shape covers ({@link Coverage}). So a pixel inside
 * the object holds the object's sRGB value exactly, a pixel outside the background's, and edge pixels
 * lie strictly between; and a 2x render box-downsampled by 2 equals the 1x render up to float
 * rounding. {@link #toRgb} rounds to the nearest 8-bit value, so whole pixels keep the issue's
 * integers. Shapes fill a square box of side {@code size * H} pixels: the circle inscribed, the square
 * the box itself, the triangle upward and isosceles with base = height = the box side.
 *
 * <p>Pure arithmetic on the clip's numbers: the same clip gives the same bytes on every machine and
 * thread count (no shared state, strict IEEE double arithmetic).
 */
public final class ClipRenderer {
    /** Smallest frame side. */
    public static final int MIN_SIDE = 16;

    private ClipRenderer() {
    }

    /** Every frame of the clip at width x height, in order. */
    public static List<float[]> render(WorldClip clip, int width, int height) {
        List<float[]> frames = new ArrayList<>(WorldClip.FRAMES);
        for (int f = 0; f < WorldClip.FRAMES; f++) {
            frames.add(frame(clip, f, width, height));
        }
        return frames;
    }

    /**
     * Frame f (0 .. {@link WorldClip#FRAMES} - 1) at width x height: [3, height, width] floats in [0, 1].
     *
     * @throws IllegalArgumentException for a side under 16 or a size whose aspect is not the clip's
     */
    public static float[] frame(WorldClip clip, int f, int width, int height) {
        check(clip, width, height);
        if (f < 0 || f >= WorldClip.FRAMES) {
            throw new IllegalArgumentException("frame " + f + " is outside 0.." + (WorldClip.FRAMES - 1));
        }
        int plane = width * height;
        float[] out = new float[3 * plane];
        float[] bg = clip.background().unit();
        float[] obj = clip.colour().unit();
        for (int c = 0; c < 3; c++) {
            Arrays.fill(out, c * plane, (c + 1) * plane, bg[c]);
        }
        double k = height; // pixels per height unit
        double s = clip.size() * k;
        double cx = clip.centreX(f) * k;
        double cy = clip.centreY(f) * k;
        int x0 = Math.max(0, (int) Math.floor(cx - s / 2));
        int x1 = Math.min(width, (int) Math.ceil(cx + s / 2));
        int y0 = Math.max(0, (int) Math.floor(cy - s / 2));
        int y1 = Math.min(height, (int) Math.ceil(cy + s / 2));
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                double cov = switch (clip.shape()) {
                    case CIRCLE -> Coverage.circle(cx, cy, s, x, x + 1, y, y + 1);
                    case SQUARE -> Coverage.square(cx, cy, s, x, x + 1, y, y + 1);
                    case TRIANGLE -> Coverage.triangle(cx, cy, s, x, x + 1, y, y + 1);
                };
                if (cov <= 0) {
                    continue;
                }
                int p = y * width + x;
                boolean whole = cov > 1 - 1e-12; // a fully covered pixel holds the object's value exactly
                for (int c = 0; c < 3; c++) {
                    out[c * plane + p] = whole ? obj[c] : (float) (bg[c] + cov * ((double) obj[c] - bg[c]));
                }
            }
        }
        return out;
    }

    /** A frame [3, H, W] in [0, 1] to interleaved 8-bit RGB (H x W x 3), rounded to nearest, for the frame writers. */
    public static byte[] toRgb(float[] frame, int width, int height) {
        int plane = width * height;
        byte[] rgb = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float v = frame[c * plane + p];
                int b = (int) Math.floor(Math.max(0f, Math.min(1f, v)) * 255f + 0.5f);
                rgb[3 * p + c] = (byte) b;
            }
        }
        return rgb;
    }

    private static void check(WorldClip clip, int width, int height) {
        if (width < MIN_SIDE || height < MIN_SIDE) {
            throw new IllegalArgumentException("size " + width + "x" + height + ": width and height must be at least " + MIN_SIDE);
        }
        double aspect = (double) width / height;
        if (Math.abs(aspect - clip.aspect()) > 1e-9 * clip.aspect()) {
            throw new IllegalArgumentException("size " + width + "x" + height + " has width/height " + aspect
                    + ", but the clip was drawn for " + clip.aspect());
        }
    }
}
