package dev.surf.models.pipeline;

import java.util.Locale;

/**
 * The part a model plays in a generation. Plans, reports and the engine name models by role, never
 * by a free-form string.
 */
public enum ModelRole {
    /** The main model: samples every segment unless a plan hands steps to another. */
    BASE,
    /**
     * A second model of the same latent space that takes over later, cheaper steps (SRDiffusion-style
     * sketching and rendering).
     */
    SMALL,
    /** The SURF Refiner: maps the upscaled preview to the final latent (the refine stage). */
    REFINER;

    /** The lower-case name shown to users: "base", "small", "refiner". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this role samples segments of the schedule (BASE, SMALL), as opposed to refining. */
    public boolean samples() {
        return this != REFINER;
    }
}
