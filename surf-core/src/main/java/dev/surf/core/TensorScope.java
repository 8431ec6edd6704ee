package dev.surf.core;

import java.util.ArrayList;

/**
 * Collects intermediate tensors so a block of model code can release them all at once:
 * {@code try (var s = new TensorScope()) { Tensor h = s.track(be.linear(...)); ... return s.keep(out); }}.
 * Not thread-safe; one scope belongs to one thread of work.
 */
public final class TensorScope implements AutoCloseable {
    private final ArrayList<Tensor> tracked = new ArrayList<>();

    /** Registers t to be closed with this scope and returns it. */
    public Tensor track(Tensor t) {
        tracked.add(t);
        return t;
    }

    /** Whether t is registered here (by identity). */
    public boolean tracks(Tensor t) {
        for (int i = tracked.size() - 1; i >= 0; i--) {
            if (tracked.get(i) == t) {
                return true;
            }
        }
        return false;
    }

    /** Removes t from this scope so that it outlives it, and returns it. */
    public Tensor keep(Tensor t) {
        for (int i = tracked.size() - 1; i >= 0; i--) {
            if (tracked.get(i) == t) {
                tracked.remove(i);
                break;
            }
        }
        return t;
    }

    /** Closes every tracked tensor, newest first. */
    @Override
    public void close() {
        for (int i = tracked.size() - 1; i >= 0; i--) {
            tracked.get(i).close();
        }
        tracked.clear();
    }
}
