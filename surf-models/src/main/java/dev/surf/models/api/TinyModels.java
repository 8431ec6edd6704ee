package dev.surf.models.api;

import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.wan.WanConfig;

/**
 * The embedded tiny models: Wan-architecture networks small enough to run the whole pipeline in
 * seconds on a laptop CPU, with deterministic random weights. Their output is not a meaningful video;
 * they exist so that the engine works out of the box and so tests and benchmarks have a fixed model.
 */
public final class TinyModels {
    private TinyModels() {
    }

    /** Tiny base DiT: dim 128, 2 heads of 64, 2 blocks, text width 64 and length 32. */
    public static final WanConfig BASE = new WanConfig(1, 2, 2, 32, 16, 128, 256, 64, 64, 16, 2, 2, true, true, 1e-6f);

    /** Tiny Refiner: dim 64, 1 head of 64, 2 blocks, windows of 2 latent frames, same text width. */
    public static final RefinerConfig REFINER = new RefinerConfig(
            new WanConfig(1, 2, 2, 32, 16, 64, 128, 64, 64, 16, 1, 2, true, true, 1e-6f), 2);

    /** Tiny Wan-VAE decoder: the real architecture at base width 8 (the conformance fixture's size). */
    public static final WanVaeConfig VAE = new WanVaeConfig(8, 16, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true});

    /** Seeds of the embedded weights (fixed: the tiny models are the same everywhere). */
    public static final long BASE_SEED = 20251122L;
    public static final long REFINER_SEED = 20251123L;
    public static final long VAE_SEED = 20251124L;
}
