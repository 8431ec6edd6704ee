package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * {@code Resample} in its decoder modes. {@code upsample2d(C)}: per frame nearest 2x upsampling and a
 * 3x3 Conv2d C -> C/2 ({@code resample.1}). {@code upsample3d(C)} first doubles time with
 * {@code time_conv} (a causal (3,1,1) conv C -> 2C whose halves become two consecutive frames) under
 * the first-frame rule of spec §4.4 item 6, then does the same spatial step.
 */
final class Resample implements ChunkModule {
    private final int c;
    private final boolean temporal;
    private final Tensor conv;
    private final Tensor convBias;
    private final CausalConv3d timeConv;

    Resample(VaeWeights w, String prefix, int c, boolean temporal) throws IOException {
        this.c = c;
        this.temporal = temporal;
        this.conv = w.get(prefix + ".resample.1.weight", Shape.of(c / 2, c, 3, 3));
        this.convBias = w.get(prefix + ".resample.1.bias", Shape.of(c / 2));
        this.timeConv = temporal ? new CausalConv3d(w, prefix + ".time_conv", c, 2 * c, 3, 1, 1, 1, 0, 0) : null;
    }

    /**
     * One chunk x [C, n, H, W] with the cache. upsample3d: the first chunk only marks the slot ('Rep')
     * and keeps its single frame; the second runs time_conv with its plain two zero frames in front
     * (it never sees frame 0) and caches [zeros, x] for a one-frame chunk; later chunks follow the
     * ordinary cache rule.
     */
    @Override
    public Tensor apply(Backend be, Tensor x, TimeCache cache) {
        if (!temporal) {
            return spatial(be, x);
        }
        int slot = timeConv.slot();
        if (cache.isEmpty(slot)) {
            cache.markRep(slot);
            return spatial(be, x);
        }
        try (TensorScope s = new TensorScope()) {
            Tensor y;
            if (cache.isRep(slot)) {
                Tensor next;
                if (x.dim(1) >= 2) {
                    next = Frames.range(be, x, x.dim(1) - 2, 2);
                } else {
                    next = be.concat(1, s.track(be.zeros(x.dtype(), x.shape())), x);
                }
                y = s.track(timeConv.apply(be, x));
                cache.put(slot, next);
            } else {
                y = s.track(timeConv.apply(be, x, cache));
            }
            return spatial(be, s.track(Frames.interleave(be, y)));
        }
    }

    /** Nearest 2x in H and W (exactly out[i] = in[i / 2]), then the 3x3 conv C -> C/2 per frame. */
    private Tensor spatial(Backend be, Tensor x) {
        try (Tensor up = be.resize(x, 2 * x.dim(2), 2 * x.dim(3), ResizeMode.NEAREST_EXACT)) {
            return be.conv3d(up, conv.view(c / 2, c, 1, 3, 3), convBias, 0, 1, 1);
        }
    }
}
