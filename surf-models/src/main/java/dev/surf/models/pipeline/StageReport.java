package dev.surf.models.pipeline;

import dev.surf.models.flops.ForwardFlops;

/**
 * What one stage cost.
 *
 * @param name    stage name
 * @param role    the model that ran it
 * @param latent  latent size "FxHxW"
 * @param steps   model steps
 * @param seconds wall time (device synchronised at the boundaries)
 * @param flops   FLOPs of the stage per the engine's FLOP model
 */
public record StageReport(String name, ModelRole role, String latent, int steps, double seconds, ForwardFlops flops) {
}
