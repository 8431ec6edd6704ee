package dev.surf.models.pipeline;

import dev.surf.models.sched.FlowSchedule;

/**
 * The training-free refine (issue 20): the base model refines the upscaled preview with its own
 * weights, as long as no trained Refiner exists. The preview, bilinearly upscaled to the target
 * latent (z_lr), is noised to a start level with fresh noise and the base model's sampler runs the
 * rest of the schedule at the target size (docs/refiner.md, "Training-free refine").
 *
 * <p>The start step is the first step of the refine schedule whose solver sigma is at most
 * {@code startSigma}, and the start latent is {@code (1 - sigma) z_lr + sigma eps} at that step's
 * sigma, so the sample sits on the noise level the solver assumes there. At step 0 the start is
 * pure noise, exactly as the sampler's own start (the official UniPC grid begins at sigma 0.999 but
 * from pure noise): with {@code startSigma = 1} and global attention the refine is the base model's
 * plain sampler at the target size.
 *
 * @param startSigma   s0 in (0, 1]: how much of the preview is replaced by noise (1 = all of it)
 * @param windowFrames self-attention windows along time as the Refiner's (latent frames), 0 for the
 *                     model's own global attention
 */
public record BaseRefine(double startSigma, int windowFrames) {

    /** The default s0, chosen by measurement on the tiny model (docs/refiner.md). */
    public static final double DEFAULT_START_SIGMA = 0.6;

    public BaseRefine {
        if (!(startSigma > 0 && startSigma <= 1)) {
            throw new IllegalArgumentException("refine start sigma s0 must be in (0, 1], got " + startSigma);
        }
        if (windowFrames < 0) {
            throw new IllegalArgumentException("refine window must be >= 0 latent frames (0 = global attention), got "
                    + windowFrames);
        }
    }

    /** Global attention at the default s0. */
    public static BaseRefine standard() {
        return new BaseRefine(DEFAULT_START_SIGMA, 0);
    }

    /**
     * The step the refine starts at: the first whose solver sigma is at most s0, and never the end
     * (a schedule whose last sigma is above s0 still runs its last step).
     */
    public int firstStep(FlowSchedule schedule) {
        int n = schedule.steps();
        for (int i = 0; i < n; i++) {
            if (schedule.solverSigma(i) <= startSigma) {
                return i;
            }
        }
        return n - 1;
    }

    /** The noise level of the start latent at step first: 1 at step 0 (pure noise, as the sampler), else that step's sigma. */
    public static float startLevel(FlowSchedule schedule, int first) {
        return first == 0 ? 1f : schedule.solverSigma(first);
    }
}
