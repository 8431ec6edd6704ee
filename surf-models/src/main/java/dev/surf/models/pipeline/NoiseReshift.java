package dev.surf.models.pipeline;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Tensor;

/**
 * The switch between segments: the clean-latent estimate is resized in latent space, per channel
 * and per frame (never across frames), and fresh noise from the engine's Philox stream is injected
 * at the noise level where the next segment resumes.
 */
public final class NoiseReshift {
    private NoiseReshift() {
    }

    /**
     * @param x0     clean-latent estimate [..., F, H, W] (F32)
     * @param height target latent rows
     * @param width  target latent columns
     * @param sigma  noise level of the next segment's first step (its fp32 solver sigma)
     * @param seed   noise seed of the generation
     * @param stream Philox offset of this switch (distinct from the initial noise's)
     * @return the new sample, a new F32 tensor
     */
    public static Tensor apply(Backend be, Tensor x0, int height, int width, float sigma, long seed, long stream,
                               ReshiftMode mode, ResizeMode resize) {
        boolean same = x0.dim(-2) == height && x0.dim(-1) == width;
        try (Tensor down = same ? be.combine(new float[] {1f}, x0) : be.resize(x0, height, width, resize);
             Tensor eps = be.empty(DType.F32, down.shape())) {
            be.fillNormal(eps, seed, stream);
            float keep = mode == ReshiftMode.FLOW_CONSISTENT ? 1f - sigma : 1f;
            return be.combine(new float[] {keep, sigma}, down, eps);
        }
    }
}
