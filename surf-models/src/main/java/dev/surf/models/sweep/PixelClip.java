package dev.surf.models.sweep;

import dev.surf.core.Backend;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded clip in memory: planar RGB {@code [3, F, H, W]} in [-1, 1], the VAE's output layout and
 * range (the one {@link dev.surf.models.refiner.train.VideoQuality} measures).
 *
 * @param planar the values, channel planes of frame planes
 * @param frames F
 * @param height H
 * @param width  W
 */
public record PixelClip(float[] planar, int frames, int height, int width) {
    public PixelClip {
        if (frames < 1 || height < 1 || width < 1 || planar == null || planar.length != 3L * frames * height * width) {
            throw new IllegalArgumentException("a clip of 3 x " + frames + " x " + height + " x " + width + " needs "
                    + 3L * frames * height * width + " values, got " + (planar == null ? "none" : planar.length));
        }
    }

    /**
     * The clip with every frame resized bilinearly (half-pixel centres, {@link ResizeMode#BILINEAR}) to
     * width x height on be; the clip itself when it already has that size.
     */
    public PixelClip resized(Backend be, int toHeight, int toWidth) {
        if (toHeight == height && toWidth == width) {
            return this;
        }
        try (Tensor t = be.fromFloats(planar, Shape.of(3, frames, height, width));
             Tensor r = be.resize(t, toHeight, toWidth, ResizeMode.BILINEAR)) {
            return new PixelClip(be.toFloats(r), frames, toHeight, toWidth);
        }
    }

    /** The frames as {@link dev.surf.models.world.WorldChecker#check(List, int, int)} takes them: [3, H, W] each, in [0, 1]. */
    public List<float[]> checkerFrames() {
        int plane = height * width;
        List<float[]> out = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            float[] u = new float[3 * plane];
            for (int c = 0; c < 3; c++) {
                int from = (c * frames + f) * plane;
                for (int p = 0; p < plane; p++) {
                    u[c * plane + p] = planar[from + p] * 0.5f + 0.5f;
                }
            }
            out.add(u);
        }
        return out;
    }

    /** Frames [3, H, W] in [0, 1] (the world renderer's output) as a clip in [-1, 1]. */
    public static PixelClip ofUnitFrames(List<float[]> frames, int height, int width) {
        int plane = height * width;
        int n = frames.size();
        float[] planar = new float[3 * n * plane];
        for (int f = 0; f < n; f++) {
            float[] u = frames.get(f);
            if (u.length != 3 * plane) {
                throw new IllegalArgumentException("frame " + f + " has " + u.length + " values, not 3x" + height + "x" + width);
            }
            for (int c = 0; c < 3; c++) {
                int to = (c * n + f) * plane;
                for (int p = 0; p < plane; p++) {
                    planar[to + p] = u[c * plane + p] * 2f - 1f;
                }
            }
        }
        return new PixelClip(planar, n, height, width);
    }
}
