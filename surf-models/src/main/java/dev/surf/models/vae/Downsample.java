package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code Resample} in its encoder modes. {@code downsample2d(C)}: per frame ZeroPad2d (0, 1, 0, 1)
 * and a 3x3 Conv2d C -> C with stride 2 ({@code resample.1}, see {@link StridedConv2d}).
 * {@code downsample3d(C)} then halves time with {@code time_conv}, a (3,1,1) conv C -> C with time
 * stride 2 and no padding, over [the previous chunk's last frame, this chunk] (spec §4.2, §4.6).
 */
final class Downsample implements ChunkModule {
    private final StridedConv2d spatial;
    private final Tensor timeWeight;
    private final Tensor timeBias;
    private final int slot;

    Downsample(Backend be, VaeWeights w, String prefix, int c, boolean temporal) throws IOException {
        Tensor weight = w.get(prefix + ".resample.1.weight", Shape.of(c, c, 3, 3));
        Tensor bias = w.get(prefix + ".resample.1.bias", Shape.of(c));
        this.spatial = new StridedConv2d(be, w, weight, bias);
        if (temporal) {
            timeWeight = w.get(prefix + ".time_conv.weight", Shape.of(c, c, 3, 1, 1));
            timeBias = w.get(prefix + ".time_conv.bias", Shape.of(c));
            // the official Resample keeps its own feat_cache entry (time_conv itself has no padding)
            slot = w.nextSlot();
        } else {
            timeWeight = null;
            timeBias = null;
            slot = -1;
        }
    }

    /**
     * One chunk x [C, n, H, W]. downsample3d: the first chunk passes after the spatial step and only
     * its last frame is cached (the official code caches the whole chunk, of which it later reads
     * just the last frame); every later chunk of n frames becomes the stride-2 time conv over
     * n + 1 frames, i.e. floor((n - 2) / 2) + 1 frames (4 -> 2, 2 -> 1).
     */
    @Override
    public Tensor apply(Backend be, Tensor x, TimeCache cache) {
        Tensor y = spatial.apply(be, x);
        if (slot < 0) {
            return y;
        }
        int n = y.dim(1);
        Tensor prev = cache.get(slot);
        if (prev == null) {
            cache.put(slot, Frames.range(be, y, n - 1, 1));
            return y;
        }
        try (TensorScope s = new TensorScope()) {
            s.track(y);
            Tensor joined = s.track(be.concat(1, prev, y));
            cache.put(slot, Frames.range(be, y, n - 1, 1));
            // stride 1 over the n + 1 frames gives n - 1 windows; stride 2 keeps the even ones
            Tensor all = s.track(be.conv3d(joined, timeWeight, timeBias, 0, 0, 0));
            return evenFrames(be, all);
        }
    }

    /** Frames 0, 2, 4, ... of x [C, m, H, W] as a new tensor. */
    private static Tensor evenFrames(Backend be, Tensor x) {
        int m = x.dim(1);
        int kept = (m + 1) / 2;
        if (kept == 1) {
            return Frames.range(be, x, 0, 1);
        }
        Tensor[] parts = new Tensor[kept];
        try {
            for (int i = 0; i < kept; i++) {
                parts[i] = Frames.range(be, x, 2 * i, 1);
            }
            return be.concat(1, parts);
        } finally {
            for (Tensor p : parts) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }
}
