package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/** Test data: clips of one flat colour each (a trivially learnable set), [3, frames, size, size]. */
final class ConstantClips implements VaeClips {
    private static final float[][] COLOURS = {
        {0.8f, -0.9f, -0.9f}, {-1f, -1f, -1f}, {0f, 0f, 0f}, {-0.7f, -0.4f, 0.8f}, {0.9f, 0.7f, -0.8f}, {1f, 1f, 1f}};
    private final int frames;
    private final int size;
    private final int count;

    /** The first count (1 .. 6) colours: red, black (-1), mid gray (exactly 0: the input whose features start at zero), ... */
    ConstantClips(int frames, int size, int count) {
        this.frames = frames;
        this.size = size;
        this.count = count;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public Tensor frames(int index, Backend be) {
        int plane = frames * size * size;
        float[] v = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            java.util.Arrays.fill(v, c * plane, (c + 1) * plane, COLOURS[index][c]);
        }
        return be.fromFloats(v, Shape.of(3, frames, size, size));
    }
}
