package dev.surf.models.api;

import dev.surf.models.pipeline.RefineStage;

/**
 * The refine stage of a request.
 *
 * @param width      target width in pixels (multiple of 16)
 * @param height     target height in pixels (multiple of 16)
 * @param steps      Refiner Euler steps (10 recommended)
 * @param shift      shift of the refine schedule (1 = uniform)
 * @param startNoise std of noise added to the upscaled preview before refining
 * @param guide      Refiner guidance (1 = none)
 */
public record RefineOptions(int width, int height, int steps, double shift, double startNoise, double guide) {

    public RefineOptions {
        if (width < 16 || height < 16 || width % 16 != 0 || height % 16 != 0) {
            throw new IllegalArgumentException("refine target " + width + "x" + height + " must have sides that are multiples of 16");
        }
        new RefineStage(height / 8, width / 8, steps, shift, startNoise, guide); // validates the rest
    }

    /** Target size with the defaults (10 steps, uniform, no noise, no guidance). */
    public static RefineOptions to(int width, int height) {
        return new RefineOptions(width, height, RefineStage.DEFAULT_STEPS, 1.0, 0.0, 1.0);
    }

    RefineStage stage() {
        return new RefineStage(height / 8, width / 8, steps, shift, startNoise, guide);
    }
}
