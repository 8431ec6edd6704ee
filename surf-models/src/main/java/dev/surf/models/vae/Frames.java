package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/** Frame-axis helpers for [C, T, H, W] tensors (time is axis 1). */
final class Frames {
    private Frames() {
    }

    /** Frames [from, from + n) of x as a new tensor. */
    static Tensor range(Backend be, Tensor x, int from, int n) {
        return be.narrow(x, 1, from, n);
    }

    /**
     * What a cache slot keeps after seeing chunk x: its last two frames, or, for a one-frame chunk, the
     * previous slot contents' last frame followed by it (just the frame when there is no previous).
     */
    static Tensor lastTwo(Backend be, Tensor x, Tensor prev) {
        int t = x.dim(1);
        if (t >= 2 || prev == null) {
            return range(be, x, Math.max(0, t - 2), Math.min(t, 2));
        }
        try (Tensor last = range(be, prev, prev.dim(1) - 1, 1)) {
            return be.concat(1, last, x);
        }
    }

    /**
     * [2C, T, H, W] -> [C, 2T, H, W]: channels [0, C) of input frame t become output frame 2t and
     * channels [C, 2C) frame 2t + 1 (the official reshape(b, 2, c, t, h, w) + stack on dim 3).
     */
    static Tensor interleave(Backend be, Tensor y) {
        int c = y.dim(0) / 2;
        int t = y.dim(1);
        int h = y.dim(2);
        int w = y.dim(3);
        Tensor p = be.permute(y.view(2, c, t, h, w), 1, 2, 0, 3, 4);
        return p.reshape(c, 2 * t, h, w);
    }
}
