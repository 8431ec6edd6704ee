package dev.surf.models.sched;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * A sampler that integrates the flow ODE over a {@link FlowSchedule}, one model evaluation per step.
 * All tensor arithmetic goes through {@link Backend#combine} and {@link Backend#convert}, so a solver
 * runs unchanged on any backend and gives the same bits on each.
 *
 * <p>Usage: for i = 0 .. N-1, evaluate the (guided) velocity v_i at the current sample x_i and
 * timestep {@code schedule().timestep(i)}, then {@code x = step(be, i, x, v)}. Multistep solvers keep
 * history between calls, so steps must come in order; {@link #reset()} (or a step with i = 0)
 * starts a new trajectory. A solver instance is not thread-safe.
 */
public interface Solver extends AutoCloseable {

    /** The schedule this solver steps over. */
    FlowSchedule schedule();

    /**
     * Advances from step i to i + 1.
     *
     * @param x the F32 sample x_i the model saw at step i (not modified; the caller may close it afterwards)
     * @param v the F32 velocity v_i predicted at (x_i, t_i), after guidance (not modified)
     * @return x_{i+1} as a new F32 tensor owned by the caller; after i = N-1 it is the final latent
     */
    Tensor step(Backend be, int i, Tensor x, Tensor v);

    /** Forgets the history and releases the tensors it held. */
    void reset();

    /**
     * Starts a new trajectory at step i with no history, as after a resolution switch: the next call
     * must be {@code step(be, i, ...)}, and a multistep solver begins at first order there, exactly as
     * a freshly built official scheduler does on its first step.
     */
    void begin(int i);

    /** Same as {@link #reset()}. */
    @Override
    default void close() {
        reset();
    }
}
