package dev.surf.models.api;

import dev.surf.models.pipeline.ReshiftMode;

/**
 * SURF's preview stage: switch after k steps to the base latent size scaled by lowScale.
 *
 * @param k        steps at the base resolution (1..steps; the paper recommends 10 of 40)
 * @param lowScale spatial scale of the low-resolution segment (0.5: 480p to 240p)
 * @param lowShift timestep shift of the low-resolution segment, or null to keep the schedule
 * @param reshift  re-noising form at the switch
 */
public record SurfOptions(int k, double lowScale, Double lowShift, ReshiftMode reshift) {

    public SurfOptions {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (!(lowScale > 0 && lowScale <= 1)) {
            throw new IllegalArgumentException("low-scale must be in (0, 1], got " + lowScale);
        }
        if (reshift == null) {
            reshift = ReshiftMode.FLOW_CONSISTENT;
        }
    }

    /** The paper's recommended setting for a 40-step schedule: k = 10, half resolution. */
    public static SurfOptions paper() {
        return new SurfOptions(10, 0.5, null, ReshiftMode.FLOW_CONSISTENT);
    }
}
