package dev.surf.models.pipeline;

/**
 * A stretch [firstStep, endStep) of the sampling schedule run by one model at one latent size.
 *
 * @param role         the model that runs it: {@link ModelRole#BASE}, or {@link ModelRole#SMALL} for a second
 *                     model of the same latent space (SRDiffusion-style sketching)
 * @param latentHeight latent rows (pixels / 8)
 * @param latentWidth  latent columns
 * @param firstStep    first step index of the schedule
 * @param endStep      one past the last step
 * @param shift        timestep shift of this segment's schedule, or null for the plan's shift
 */
public record Segment(ModelRole role, int latentHeight, int latentWidth, int firstStep, int endStep, Double shift) {

    public Segment {
        if (role == null || !role.samples()) {
            throw new IllegalArgumentException("segment needs a sampling model role (BASE or SMALL), got " + role);
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
