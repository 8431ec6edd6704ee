package dev.surf.models.pipeline;

/**
 * A stretch [firstStep, endStep) of the sampling schedule run by one model at one latent size.
 *
 * @param model        key of the model that runs it ("base" by default; another key, e.g. "small",
 *                     names a second model of the same latent space: SRDiffusion-style sketching)
 * @param latentHeight latent rows (pixels / 8)
 * @param latentWidth  latent columns
 * @param firstStep    first step index of the schedule
 * @param endStep      one past the last step
 * @param shift        timestep shift of this segment's schedule, or null for the plan's shift
 */
public record Segment(String model, int latentHeight, int latentWidth, int firstStep, int endStep, Double shift) {

    public Segment {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("segment needs a model name");
        }
        if (latentHeight < 1 || latentWidth < 1) {
            throw new IllegalArgumentException("segment latent size must be positive, got " + latentHeight + "x" + latentWidth);
        }
        if (firstStep < 0 || endStep <= firstStep) {
            throw new IllegalArgumentException("segment steps [" + firstStep + ", " + endStep + ") are empty or negative");
        }
        if (shift != null && !(shift > 0 && Double.isFinite(shift))) {
            throw new IllegalArgumentException("segment shift must be positive and finite, got " + shift);
        }
    }

    public int steps() {
        return endStep - firstStep;
    }
}
