package dev.surf.models.sched;

import java.util.Arrays;

/**
 * The noise levels and model timesteps of one flow-matching sampling run, built exactly as the
 * official Wan 2.1 code builds them (spec/wan21.md §3.4 and §3.6).
 *
 * <p>Three views of the same grid are kept, because the official code uses all three:
 * <ul>
 * <li>{@link #sigma(int)}: the shifted sigmas in float64, as numpy computes them;</li>
 * <li>{@link #timestep(int)}: {@code int64(sigma * 1000)} truncated toward zero, the integers the DiT
 *     receives (also as floats via {@link #modelTimestep(int)}, exact since they are below 2^24);</li>
 * <li>{@link #solverSigma(int)}: the same sigmas rounded to float32 with a final 0 appended
 *     ({@code N + 1} values), which are what the solvers use; never {@code t / 1000}.</li>
 * </ul>
 * Instances are immutable; accessors returning arrays return copies.
 */
public final class FlowSchedule {
    /** {@code num_train_timesteps} of every Wan 2.1 config. */
    public static final int NUM_TRAIN_TIMESTEPS = 1000;

    /**
     * The official FlowUniPC grid starts at the first training sigma, {@code 1 - 1/1000} stored in a
     * float32 tensor and read back with {@code .item()}: 0.9990000128746033, not 0.999.
     */
    public static final double UNIPC_SIGMA_MAX = (float) (1.0 - 1.0 / NUM_TRAIN_TIMESTEPS);

    /** Which official grid a schedule was built on. */
    public enum Grid {
        /** {@code FlowUniPCMultistepScheduler.set_timesteps}: linspace(0.999.., 0, N+1)[:N], then shift. */
        UNIPC,
        /** {@code get_sampling_sigmas}: linspace(1, 0, N+1)[:N], then shift; the first sigma is 1. */
        EULER
    }

    private final Grid grid;
    private final double shift;
    private final double[] sigmas;
    private final float[] solverSigmas;
    private final long[] timesteps;

    private FlowSchedule(Grid grid, double shift, double[] sigmas) {
        this.grid = grid;
        this.shift = shift;
        this.sigmas = sigmas;
        int n = sigmas.length;
        this.solverSigmas = new float[n + 1];
        this.timesteps = new long[n];
        for (int i = 0; i < n; i++) {
            // numpy multiplies in float64 and torch's .to(int64) truncates toward zero, as a Java cast does
            timesteps[i] = (long) (sigmas[i] * NUM_TRAIN_TIMESTEPS);
            solverSigmas[i] = (float) sigmas[i];
        }
        solverSigmas[n] = 0f; // final_sigmas_type = 'zero'
    }

    /**
     * The official FlowUniPC schedule (the Wan 2.1 default): {@code linspace(sigma_max, 0, steps+1)[:steps]}
     * in float64, shifted in float64, timesteps truncated, solver sigmas in float32 ending in 0.
     * Float64 throughout matters: a float32 grid truncates some timesteps differently (spec §10.2).
     *
     * @param steps number of sampling steps, at least 1
     * @param shift the timestep shift s, positive and finite (Wan 2.1 t2v default 5.0)
     */
    public static FlowSchedule unipc(int steps, double shift) {
        validate(steps, shift);
        return new FlowSchedule(Grid.UNIPC, shift, shiftedLinspace(UNIPC_SIGMA_MAX, steps, shift));
    }

    /**
     * The {@code get_sampling_sigmas} grid of the official DPM++ path, which our Euler sampler uses:
     * {@code linspace(1, 0, steps+1)[:steps]} shifted, so the first sigma is 1.0 and the first
     * timestep 1000; then 0 is appended for the solver.
     *
     * @param steps number of sampling steps, at least 1
     * @param shift the timestep shift s, positive and finite
     */
    public static FlowSchedule euler(int steps, double shift) {
        validate(steps, shift);
        return new FlowSchedule(Grid.EULER, shift, shiftedLinspace(1.0, steps, shift));
    }

    /**
     * The timestep shift {@code s * sigma / (1 + (s - 1) * sigma)} in float64 with numpy's operation
     * order, which the integer truncation of the timesteps is sensitive to.
     */
    public static double shift(double sigma, double s) {
        return s * sigma / (1 + (s - 1) * sigma);
    }

    private static void validate(int steps, double shift) {
        if (steps < 1 || steps > NUM_TRAIN_TIMESTEPS) {
            throw new IllegalArgumentException("steps must be in [1, " + NUM_TRAIN_TIMESTEPS + "] (the schedule has "
                    + NUM_TRAIN_TIMESTEPS + " training timesteps), got " + steps);
        }
        if (!(shift > 0) || Double.isInfinite(shift)) {
            throw new IllegalArgumentException("shift must be positive and finite, got " + shift);
        }
    }

    /** numpy's {@code linspace(start, 0, n+1)[:n]} (y_i = i * step + start in float64), then the shift. */
    private static double[] shiftedLinspace(double start, int n, double s) {
        double step = (0.0 - start) / n;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = shift(i * step + start, s);
        }
        return out;
    }

    /** The grid this schedule was built on. */
    public Grid grid() {
        return grid;
    }

    /** The shift it was built with. */
    public double shift() {
        return shift;
    }

    /** Number of sampling steps N (model evaluations per guidance branch). */
    public int steps() {
        return sigmas.length;
    }

    /** Shifted sigma of step i (0 &lt;= i &lt; N) in float64, as computed before any rounding. */
    public double sigma(int i) {
        return sigmas[i];
    }

    /** All N float64 sigmas (a copy). */
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** Float32 solver sigma i, 0 &lt;= i &lt;= N; {@code solverSigma(N) == 0}. */
    public float solverSigma(int i) {
        return solverSigmas[i];
    }

    /** All N + 1 float32 solver sigmas (a copy), ending in 0. */
    public float[] solverSigmas() {
        return solverSigmas.clone();
    }

    /** The integer timestep the DiT receives at step i. */
    public long timestep(int i) {
        return timesteps[i];
    }

    /** All N integer timesteps (a copy). */
    public long[] timesteps() {
        return timesteps.clone();
    }

    /** Timestep i as the float the model input takes (exact: the integers are at most 1000). */
    public float modelTimestep(int i) {
        return timesteps[i];
    }

    /** All N timesteps as floats (a new array). */
    public float[] modelTimesteps() {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timesteps[i];
        }
        return out;
    }

    /**
     * The step index the official scheduler's first {@code step()} derives from a timestep
     * ({@code index_for_timestep}): the position of {@code t} in the timesteps, taking the
     * <em>second</em> match when it occurs more than once. For long schedules whose first two
     * timesteps truncate to the same integer (e.g. shift 8 with N = 149) this is 1, so the official
     * loop skips sigma_0 and its last {@code step()} fails; our samplers take the index explicitly and
     * run i = 0 .. N-1. Returns -1 when t is not a timestep of this schedule.
     */
    public int officialStepIndex(long t) {
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == t) {
                if (first >= 0) {
                    return i;
                }
                first = i;
            }
        }
        return first;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowSchedule f && f.grid == grid && Double.compare(f.shift, shift) == 0
                && Arrays.equals(f.sigmas, sigmas);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * grid.hashCode() + Double.hashCode(shift)) + Arrays.hashCode(sigmas);
    }

    @Override
    public String toString() {
        return grid.name().toLowerCase(java.util.Locale.ROOT) + " schedule, " + sigmas.length + " steps, shift " + shift;
    }
}
