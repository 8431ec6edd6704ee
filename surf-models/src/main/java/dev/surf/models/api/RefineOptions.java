package dev.surf.models.api;

import dev.surf.models.pipeline.BaseRefine;
import dev.surf.models.pipeline.RefineStage;

/**
 * The refine stage of a request: the Refiner's flow mapping ({@link #to}), or the training-free refine
 * with the base model's own weights ({@link #fromBase}, docs/refiner.md), which an engine built
 * without Refiner weights runs ({@link SurfEngine#refineTo} picks the right one for an engine).
 *
 * @param width      target width in pixels (multiple of 16)
 * @param height     target height in pixels (multiple of 16)
 * @param steps      Refiner Euler steps (10 recommended); for the training-free refine the length of
 *                   its schedule (the request's solver), run from s0 on
 * @param shift      shift of the refine schedule (1 = uniform for the Refiner; the request's for the base)
 * @param startNoise std of noise added to the upscaled preview before refining (Refiner only; 0 for the base)
 * @param guide      guidance of the refining passes (1 = none)
 * @param base       the training-free refine's s0 and attention window, or null for the Refiner
 */
public record RefineOptions(int width, int height, int steps, double shift, double startNoise, double guide, BaseRefine base) {

    public RefineOptions {
        if (width < 16 || height < 16 || width % 16 != 0 || height % 16 != 0) {
            throw new IllegalArgumentException("refine target " + width + "x" + height + " must have sides that are multiples of 16");
        }
        new RefineStage(height / 8, width / 8, steps, shift, startNoise, guide, base); // validates the rest
    }

    /** A refine by the Refiner. */
    public RefineOptions(int width, int height, int steps, double shift, double startNoise, double guide) {
        this(width, height, steps, shift, startNoise, guide, null);
    }

    /** Target size with the Refiner's defaults (10 steps, uniform, no noise, no guidance). */
    public static RefineOptions to(int width, int height) {
        return new RefineOptions(width, height, RefineStage.DEFAULT_STEPS, 1.0, 0.0, 1.0);
    }

    /** The training-free refine with the base model: a schedule of steps steps with the shift and guidance given, from s0 on. */
    public static RefineOptions fromBase(int width, int height, int steps, double shift, double guide, BaseRefine base) {
        if (base == null) {
            throw new IllegalArgumentException("fromBase needs the base refine's settings (BaseRefine.standard() for the defaults)");
        }
        return new RefineOptions(width, height, steps, shift, 0.0, guide, base);
    }

    /**
     * The training-free refine with the defaults for request r: r's steps, shift and guidance (the
     * sampler's schedule run again at the target size), the measured default s0, global attention.
     */
    public static RefineOptions fromBase(int width, int height, GenerationRequest r) {
        return fromBase(width, height, r.steps(), r.shift(), r.guide(), BaseRefine.standard());
    }

    /** True for the training-free refine with the base model. */
    public boolean trainingFree() {
        return base != null;
    }

    RefineStage stage() {
        return new RefineStage(height / 8, width / 8, steps, shift, startNoise, guide, base);
    }
}
