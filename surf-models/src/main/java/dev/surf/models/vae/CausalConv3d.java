package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * {@code CausalConv3d}: a stride-1 Conv3d whose nominal padding (pt, ph, pw) becomes ph and pw on both
 * sides but 2 pt zero frames in front and none behind (spec §4.2). With a time cache (pt > 0 only) the
 * cached frames of the previous chunk replace that many front zero frames, so chunked evaluation
 * equals one causal convolution over the whole sequence.
 */
final class CausalConv3d {
    final Tensor weight;
    final Tensor bias;
    private final int padT;
    private final int padH;
    private final int padW;
    /** Time-cache slot, or -1 for a convolution without time extent (1x1x1). */
    private final int slot;

    /**
     * Loads {@code prefix.weight} [out, in, kt, kh, kw] and {@code prefix.bias} [out]; a cache slot is
     * taken when pt > 0 (the official code caches exactly those convolutions).
     */
    CausalConv3d(VaeWeights w, String prefix, int in, int out, int kt, int kh, int kw, int pt, int ph, int pw)
            throws IOException {
        this.weight = w.get(prefix + ".weight", Shape.of(out, in, kt, kh, kw));
        this.bias = w.get(prefix + ".bias", Shape.of(out));
        this.padT = pt;
        this.padH = ph;
        this.padW = pw;
        this.slot = pt > 0 ? w.nextSlot() : -1;
    }

    /** The cube kernel k x k x k with padding p on every axis. */
    static CausalConv3d cube(VaeWeights w, String prefix, int in, int out, int k, int p) throws IOException {
        return new CausalConv3d(w, prefix, in, out, k, k, k, p, p, p);
    }

    /** Whole-sequence causal convolution of x [in, T, H, W] (two leading zero frames for pt = 1). */
    Tensor apply(Backend be, Tensor x) {
        return be.conv3d(x, weight, bias, 2 * padT, padH, padW);
    }

    /**
     * One chunk x [in, n, H, W] with the cache: the slot's frames are prepended (reducing the front
     * zero padding by as many), then the slot keeps the last two frames of this conv's input, taking
     * the previous chunk's last frame when the chunk has only one (spec §4.4 item 5).
     */
    Tensor apply(Backend be, Tensor x, TimeCache cache) {
        if (slot < 0 || cache == null) {
            return apply(be, x);
        }
        Tensor prev = cache.get(slot);
        Tensor next = Frames.lastTwo(be, x, prev);
        Tensor y;
        if (prev == null) {
            y = be.conv3d(x, weight, bias, 2 * padT, padH, padW);
        } else {
            try (Tensor joined = be.concat(1, prev, x)) {
                y = be.conv3d(joined, weight, bias, Math.max(0, 2 * padT - prev.dim(1)), padH, padW);
            }
        }
        cache.put(slot, next);
        return y;
    }

    int slot() {
        return slot;
    }
}
