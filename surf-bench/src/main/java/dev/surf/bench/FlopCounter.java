package dev.surf.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Floating-point work done by a benchmark, as a JMH secondary metric: each invocation adds its FLOP
 * count / 1e9 to {@link #gflop}, and JMH divides the field by the measured time like the primary
 * score, so it reads as GFLOP/s ("gflop", unit ops/s, in throughput mode).
 *
 * <p>Type.OPERATIONS, not EVENTS: JMH reports EVENTS counters as plain sums over the iteration
 * (unit "#"), which would make the figure depend on the iteration time.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
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
