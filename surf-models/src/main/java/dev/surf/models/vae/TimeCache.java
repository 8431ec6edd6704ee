package dev.surf.models.vae;

import dev.surf.core.Tensor;

/**
 * The per-decode state of streaming decoding: for every causal convolution with a time kernel, the
 * last (at most two) frames of its input seen so far ({@code feat_cache} in the official code). An
 * upsample3d slot may instead hold the 'Rep' marker: the first chunk passed it without its time
 * convolution. One cache belongs to one decode; the decoder itself stays immutable.
 */
final class TimeCache implements AutoCloseable {
    private final Tensor[] frames;
    private final boolean[] rep;

    TimeCache(int slots) {
        frames = new Tensor[slots];
        rep = new boolean[slots];
    }

    /** The cached frames [C, n, H, W] of a slot, or null (also while it holds the marker). */
    Tensor get(int slot) {
        return frames[slot];
    }

    /** True when the slot holds the 'Rep' marker. */
    boolean isRep(int slot) {
        return rep[slot];
    }

    /** True when nothing, not even the marker, was stored yet. */
    boolean isEmpty(int slot) {
        return frames[slot] == null && !rep[slot];
    }

    void markRep(int slot) {
        rep[slot] = true;
    }

    /** Stores frames (owned by the cache from now on), releasing what the slot held. */
    void put(int slot, Tensor t) {
        if (frames[slot] != null && frames[slot] != t) {
            frames[slot].close();
        }
        frames[slot] = t;
        rep[slot] = false;
    }

    /** Bytes held by all slots. */
    long bytes() {
        long n = 0;
        for (Tensor t : frames) {
            n += t == null ? 0 : t.byteSize();
        }
        return n;
    }

    @Override
    public void close() {
        for (int i = 0; i < frames.length; i++) {
            if (frames[i] != null) {
                frames[i].close();
                frames[i] = null;
            }
            rep[i] = false;
        }
    }
}
