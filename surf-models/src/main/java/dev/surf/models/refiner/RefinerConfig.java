package dev.surf.models.refiner;

import dev.surf.models.wan.WanConfig;

/**
 * The SURF Refiner (spec/surf.md §3): a Wan-architecture DiT (adaLN blocks, qk RMSNorm, 3D RoPE, text
 * cross-attention, GELU-tanh FFN) whose self-attention is windowed along time. Parameter names are
 * those of the official Wan DiT (docs/refiner.md lists them), so one loader serves both.
 *
 * @param arch         the transformer's dimensions
 * @param windowFrames latent frames per attention window (odd blocks shift by half of it)
 */
public record RefinerConfig(WanConfig arch, int windowFrames) {

    public RefinerConfig {
        if (windowFrames < 1) {
            throw new IllegalArgumentException("Refiner window must be >= 1 latent frame, got " + windowFrames);
        }
    }

    /**
     * Our default, close to the paper (which publishes no exact architecture): hidden 1024 (5x narrower
     * than Wan-14B), 16 heads of 64 (2.5x fewer), FFN 8192, 40 blocks, umT5 text width 4096, about
     * 1.02e9 parameters; windows of 4 latent frames (16 video frames).
     */
    public static final RefinerConfig DEFAULT = new RefinerConfig(
            new WanConfig(1, 2, 2, 512, 16, 1024, 8192, 256, 4096, 16, 16, 40, true, true, 1e-6f), 4);
}
