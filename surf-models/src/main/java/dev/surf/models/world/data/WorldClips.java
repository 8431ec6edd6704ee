package dev.surf.models.world.data;

import dev.surf.models.world.ClipRenderer;
import dev.surf.models.world.WorldClip;
import java.util.List;

/**
 * The procedural world's clips 0..count-1 of a seed as a {@link ClipSource}: clip i is
 * {@code WorldClip.draw(seed, i, width / height)} drawn by {@link ClipRenderer} at width x height
 * (17 frames, anti-aliased), its caption the clip's canonical prompt. The renderer's sRGB values in
 * [0, 1] become the VAE's [-1, 1] (2v - 1).
 */
public final class WorldClips implements ClipSource {
    private final long seed;
    private final int count;
    private final int width;
    private final int height;

    /**
     * @throws IllegalArgumentException for no clips, or a size the renderer refuses (a side under 16)
     */
    public WorldClips(long seed, int count, int width, int height) {
        if (count < 1) {
            throw new IllegalArgumentException("--clips must be >= 1, got " + count);
        }
        if (width < ClipRenderer.MIN_SIDE || height < ClipRenderer.MIN_SIDE) {
            throw new IllegalArgumentException("--size " + width + "x" + height + ": the world renders at least "
                    + ClipRenderer.MIN_SIDE + " pixels each way");
        }
        if ((double) width / height < WorldClip.MIN_ASPECT) {
            throw new IllegalArgumentException("--size " + width + "x" + height + ": the world needs width / height >= "
                    + String.format(java.util.Locale.ROOT, "%.3f", WorldClip.MIN_ASPECT) + " (the largest object must travel in the frame)");
        }
        this.seed = seed;
        this.count = count;
        this.width = width;
        this.height = height;
    }

    /** The clip description behind index. */
    public WorldClip clip(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("world clip " + index + " of " + count);
        }
        return WorldClip.draw(seed, index, (double) width / height);
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int frameCount() {
        return WorldClip.FRAMES;
    }

    @Override
    public float[] frames(int index) {
        List<float[]> frames = ClipRenderer.render(clip(index), width, height);
        int plane = width * height;
        int n = frames.size();
        float[] out = new float[3 * n * plane];
        for (int f = 0; f < n; f++) {
            float[] rgb = frames.get(f);
            for (int c = 0; c < 3; c++) {
                int to = (c * n + f) * plane;
                int from = c * plane;
                for (int p = 0; p < plane; p++) {
                    out[to + p] = 2 * rgb[from + p] - 1;
                }
            }
        }
        return out;
    }

    @Override
    public String caption(int index) {
        return clip(index).caption();
    }

    @Override
    public String id(int index) {
        return "world seed " + seed + " clip " + index;
    }
}
