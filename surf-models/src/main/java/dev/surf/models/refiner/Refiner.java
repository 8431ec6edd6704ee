package dev.surf.models.refiner;

import dev.surf.core.Backend;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.models.wan.WanKeys;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import dev.surf.models.weights.StoreWeights;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Path;

/** Loads the Refiner: a {@link WanModel} with time-windowed self-attention. */
public final class Refiner {
    private Refiner() {
    }

    /** From a checkpoint (official Wan DiT key names). */
    public static WanModel load(Path checkpoint, Backend be, RefinerConfig config) throws IOException {
        WeightStore store = WeightStore.open(checkpoint);
        return load(new StoreWeights(store, true, WanKeys::toDiffusers), be, config);
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
