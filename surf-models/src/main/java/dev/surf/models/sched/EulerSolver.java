package dev.surf.models.sched;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * The first-order flow Euler step {@code x_{i+1} = x_i + (sigma_{i+1} - sigma_i) v_i} in float32, as
 * diffusers' {@code FlowMatchEulerDiscreteScheduler} computes it. Stateless: steps may come in any order.
 */
public final class EulerSolver implements Solver {
    private final FlowSchedule schedule;

    /** An Euler sampler over the given schedule (usually {@link FlowSchedule#euler}). */
    public EulerSolver(FlowSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public FlowSchedule schedule() {
        return schedule;
    }

    @Override
    public Tensor step(Backend be, int i, Tensor x, Tensor v) {
        if (i < 0 || i >= schedule.steps()) {
            throw new IllegalArgumentException("step " + i + " outside 0.." + (schedule.steps() - 1));
        }
        // the step size is the float32 difference of the float32 sigmas, as torch computes sigma_next - sigma
        float dt = schedule.solverSigma(i + 1) - schedule.solverSigma(i);
        return be.combine(new float[] {1f, dt}, x, v);
    }

    @Override
    public void reset() {
        // no history
    }

    @Override
    public void begin(int i) {
        if (i < 0 || i >= schedule.steps()) {
            throw new IllegalArgumentException("step " + i + " outside 0.." + (schedule.steps() - 1));
        }
    }
}
