package dev.surf.core.cpu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes held by the open tensors of one {@link CpuBackend}, now and at most since the last
 * {@link #resetPeak()}: what a program keeps alive, as the CUDA allocator's usage is on a device.
 * Closed tensors count as freed at once, whenever the garbage collector takes their arrays, and
 * borrowed memory (mapped weights) is not counted. Used to measure the memory of a training step.
 */
public final class HostMemoryMeter {
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    HostMemoryMeter() {
    }

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

    void allocated(long bytes) {
        long now = live.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    void freed(long bytes) {
        live.addAndGet(-bytes);
    }
}
