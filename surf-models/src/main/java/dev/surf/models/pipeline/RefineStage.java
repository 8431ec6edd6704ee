package dev.surf.models.pipeline;

/**
 * The refine stage (spec/surf.md §3): the preview latent is upscaled to the target latent size
 * (z_lr) and the Refiner integrates the flow mapping from z_lr at sigma = 1 to z_hr at sigma = 0.
 *
 * @param latentHeight target latent rows
 * @param latentWidth  target latent columns
 * @param steps        Euler steps (the paper finds 8-12 equivalent, 10 recommended)
 * @param shift        timestep shift of the refine schedule (1 = uniform sigmas)
 * @param startNoise   std of fresh noise added to z_lr before refining (0 = none)
 * @param guide        classifier-free guidance of the Refiner (1 = conditional pass only)
 */
public record RefineStage(int latentHeight, int latentWidth, int steps, double shift, double startNoise, double guide) {

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
    }

    /** Target with the defaults: 10 steps, uniform sigmas, no start noise, no guidance. */
    public static RefineStage to(int latentHeight, int latentWidth) {
        return new RefineStage(latentHeight, latentWidth, DEFAULT_STEPS, 1.0, 0.0, 1.0);
    }
}
