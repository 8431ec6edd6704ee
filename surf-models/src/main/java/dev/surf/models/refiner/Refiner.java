package dev.surf.models.refiner;

import dev.surf.core.Backend;
import dev.surf.models.wan.WanKeys;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Path;

/** Loads the Refiner: a {@link WanModel} with time-windowed self-attention. */
public final class Refiner {
    private Refiner() {
    }

    /**
     * From a checkpoint ({@link Checkpoint}: safetensors or a torch .pth) with the Wan DiT's parameter
     * names, official or diffusers (docs/refiner.md).
     */
    public static WanModel load(Path checkpoint, Backend be, RefinerConfig config) throws IOException {
        return Checkpoint.load(checkpoint, ckpt -> load(ckpt.weights("SURF Refiner", WanKeys::toDiffusers), be, config));
    }

    /** From any weight source. */
    public static WanModel load(WeightSource source, Backend be, RefinerConfig config) throws IOException {
        return WanModel.load(source, be, config.arch(), config.windowFrames());
    }

    /** With deterministic random weights (no trained Refiner is published; for speed work and demos). */
    public static WanModel random(long seed, Backend be, RefinerConfig config) throws IOException {
        return load(new RandomWeights(seed), be, config);
    }
}
