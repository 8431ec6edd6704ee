package dev.surf.models.refiner;

import dev.surf.models.wan.WanKeys;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.StoreWeights;
import dev.surf.models.wan.WanConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Tells a trained SURF Refiner from another Wan DiT checkpoint: both use the official Wan DiT key
 * names (docs/refiner.md), so only the architecture in the weight shapes differs. A checkpoint is
 * taken as a Refiner when its width, FFN width and block count are those of the Refiner
 * configuration in use; any other Wan DiT refines training-free.
 */
public final class RefinerCheckpoint {
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\..*");

    private RefinerCheckpoint() {
    }

    /**
     * Whether the checkpoint at path has the architecture of config, reading only its header.
     *
     * @throws IOException naming the file when it is not a readable Wan DiT checkpoint
     */
    public static boolean isRefiner(Path path, RefinerConfig config) throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(path)) {
            StoreWeights w = ckpt.weights("Wan DiT or SURF Refiner", WanKeys::toDiffusers);
            WanConfig a = config.arch();
            return w.shape("patch_embedding.weight", 5).dim(0) == a.dim()
                    && w.shape("blocks.0.ffn.0.weight", 2).dim(0) == a.ffnDim()
                    && ckpt.blockCount(BLOCK) == a.numLayers();
        }
    }
}
