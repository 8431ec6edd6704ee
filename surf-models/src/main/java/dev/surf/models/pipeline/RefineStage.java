package dev.surf.models.pipeline;

import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.SolverKind;

/**
 * The refine stage (spec/surf.md §3): the preview latent is upscaled to the target latent size
 * (z_lr) and the Refiner integrates the flow mapping from z_lr at sigma = 1 to z_hr at sigma = 0.
 * With {@code base} set, the base model refines instead, training-free ({@link BaseRefine}): the
 * schedule is then the plan's solver over {@code steps} steps with {@code shift}, run from the step
 * of s0 on.
 *
 * @param latentHeight target latent rows
 * @param latentWidth  target latent columns
 * @param steps        Euler steps (the paper finds 8-12 equivalent, 10 recommended)
 * @param shift        timestep shift of the refine schedule (1 = uniform sigmas)
 * @param startNoise   std of fresh noise added to z_lr before refining (0 = none)
 * @param guide        classifier-free guidance of the Refiner (1 = conditional pass only)
 * @param base         the training-free refine with the base model, or null for the Refiner
 */
public record RefineStage(int latentHeight, int latentWidth, int steps, double shift, double startNoise, double guide,
                          BaseRefine base) {

    /** The paper's recommended number of Refiner steps. */
    public static final int DEFAULT_STEPS = 10;

    public RefineStage {
        if (latentHeight < 1 || latentWidth < 1) {
            throw new IllegalArgumentException("refine target latent size must be positive, got " + latentHeight + "x" + latentWidth);
        }
        Limits.steps("refine steps", steps);
        if (!(shift > 0 && Double.isFinite(shift))) {
            throw new IllegalArgumentException("refine shift must be positive and finite, got " + shift);
        }
        if (!(startNoise >= 0 && Double.isFinite(startNoise))) {
            throw new IllegalArgumentException("refine start noise must be >= 0, got " + startNoise);
        }
        if (!(guide >= 1 && Double.isFinite(guide))) {
            throw new IllegalArgumentException("refine guidance must be >= 1, got " + guide);
        }
        if (base != null && startNoise != 0) {
            throw new IllegalArgumentException("refine start noise is the Refiner's; the base model's refine starts at s0 = "
                    + base.startSigma() + " instead");
        }
    }

    /** A stage refined by the Refiner. */
    public RefineStage(int latentHeight, int latentWidth, int steps, double shift, double startNoise, double guide) {
        this(latentHeight, latentWidth, steps, shift, startNoise, guide, null);
    }

    /**
     * The training-free refine with the base model: a schedule of {@code steps} steps (the plan's
     * solver) with the given shift and guidance, run from the step of s0 on.
     */
    public static RefineStage fromBase(int latentHeight, int latentWidth, int steps, double shift, double guide, BaseRefine base) {
        if (base == null) {
            throw new IllegalArgumentException("fromBase needs the base refine's settings");
        }
        return new RefineStage(latentHeight, latentWidth, steps, shift, 0, guide, base);
    }

    /**
     * The model that refines: the {@link ModelRole#REFINER} for the flow mapping; for the training-free
     * refine the REFINER-role model when one is loaded (then a Wan DiT other than the base, e.g.
     * {@code --refiner PATH} to Wan 2.1 1.3B), else the {@link ModelRole#BASE} model itself.
     */
    public ModelRole model(boolean refinerLoaded) {
        return base == null || refinerLoaded ? ModelRole.REFINER : ModelRole.BASE;
    }

    /** The schedule the stage steps over: the Refiner's Euler grid, or the plan's solver for the base refine. */
    public FlowSchedule schedule(SolverKind planSolver) {
        return solver(planSolver).schedule(steps, shift);
    }

    /** The solver the stage runs: Euler for the Refiner, the plan's own for the base refine. */
    public SolverKind solver(SolverKind planSolver) {
        return base == null ? SolverKind.EULER : planSolver;
    }

    /** The first step the stage runs (0 for the Refiner, the step of s0 for the base refine). */
    public int firstStep(SolverKind planSolver) {
        return base == null ? 0 : base.firstStep(schedule(planSolver));
    }

    /** The model steps the stage runs. */
    public int runSteps(SolverKind planSolver) {
        return steps - firstStep(planSolver);
    }

    /** Target with the defaults: 10 steps, uniform sigmas, no start noise, no guidance. */
    public static RefineStage to(int latentHeight, int latentWidth) {
        return new RefineStage(latentHeight, latentWidth, DEFAULT_STEPS, 1.0, 0.0, 1.0);
    }
}
