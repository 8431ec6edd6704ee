package dev.surf.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes held by open tensors, now and at most since the last {@link #resetPeak()}: what a program
 * keeps alive. The CPU backend keeps one ({@code CpuBackend.memory()}; closed tensors count as freed
 * at once, whenever the garbage collector takes their arrays, and borrowed memory such as mapped
 * weights is not counted), and test wrappers count with one. Used to measure the memory of a
 * training step.
 */
public final class MemoryMeter {
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();


    /** Bytes of the tensors open now. */
    public long liveBytes() {
        return live.get();
    }

    /** The most bytes open at once since the backend was made or {@link #resetPeak()} last ran. */
    public long peakBytes() {
        return peak.get();
    }

    /** Starts a new peak measurement from the bytes open now. */
    public void resetPeak() {
        peak.set(live.get());
    }

    /** Counts bytes that storage now holds. */
    public void allocated(long bytes) {
        long now = live.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    /** Counts bytes that storage gave back. */
    public void freed(long bytes) {
        live.addAndGet(-bytes);
    }
}
