package dev.surf.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Floating-point work done by a benchmark, as a JMH secondary metric: each invocation adds its FLOP
 * count / 1e9 to {@link #gflop}, and JMH reports the field per second of measured time, i.e.
 * GFLOP/s (shown as "gflop" in ops/s in throughput mode).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class FlopCounter {
    /** Billions of floating-point operations done so far in this iteration. */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
    }

    /** Records one invocation of flops floating-point operations. */
    public void add(double flops) {
        gflop += flops * 1e-9;
    }
}
