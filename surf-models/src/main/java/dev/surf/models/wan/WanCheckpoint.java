package dev.surf.models.wan;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.weights.WeightFileException;
import dev.surf.models.refiner.train.TrainableWeights;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.StoreWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Opens a Wan DiT checkpoint ({@link Checkpoint}: safetensors file, folder or sharded index, or a
 * torch .pth; official or diffusers naming). The configuration comes from, in order: an explicit
 * config file, the folder's config.json, or the weight shapes themselves ({@link WanConfigSource}
 * says which).
 */
public final class WanCheckpoint {
    /** Block parameters, official and diffusers alike. */
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\..*");

    /** What the checkpoint holds, for messages. */
    static final String MODEL = "Wan DiT";

    /** Wan 2.1 models all use attention heads of 128 channels; used only when no config names the count. */
    public static final int INFERRED_HEAD_DIM = 128;

    /** text_len assumed without a config: no shape records it (the official default). */
    public static final int INFERRED_TEXT_LEN = 512;

    /** eps assumed without a config (the official default). */
    public static final float INFERRED_EPS = 1e-6f;

    private WanCheckpoint() {
    }

    /** Loads the model at path onto the backend; configFile may be null. */
    public static WanModel load(Path path, Path configFile, Backend be) throws IOException {
        return load(path, configFile, be, c -> { });
    }

    /** {@link #load(Path, Path, Backend)}, handing where the configuration came from to configSource first. */
    public static WanModel load(Path path, Path configFile, Backend be, Consumer<WanConfigSource> configSource) throws IOException {
        return Checkpoint.load(path, ckpt -> {
            StoreWeights weights = weights(ckpt);
            WanConfigSource cfg = resolveConfig(path, configFile, weights);
            configSource.accept(cfg);
            return WanModel.load(weights, be, cfg.config());
        });
    }

    /**
     * {@link #load(Path, Path, Backend)} with every weight as an F32 tensor the model owns (not a view of
     * the file): the form a trainer updates in place, e.g. a generator initialised from a base model.
     */
    public static WanModel loadTrainable(Path path, Path configFile, Backend be) throws IOException {
        return Checkpoint.load(path, ckpt -> {
            StoreWeights weights = weights(ckpt);
            return WanModel.load(new TrainableWeights(weights), be, resolveConfig(path, configFile, weights).config());
        });
    }

    /** The configuration of the checkpoint at path per the class comment, without loading any weight. */
    public static WanConfigSource config(Path path, Path configFile) throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(path)) {
            return resolveConfig(path, configFile, weights(ckpt));
        }
    }

    /** The checkpoint's parameters under official DiT names. */
    public static StoreWeights weights(Checkpoint ckpt) {
        return ckpt.weights(MODEL, WanKeys::toDiffusers);
    }

    /** The configuration per the class comment; weights are read only when it must be inferred. */
    public static WanConfigSource resolveConfig(Path path, Path configFile, StoreWeights weights) throws IOException {
        if (configFile != null) {
            return new WanConfigSource(WanConfig.fromJson(configFile), WanConfigSource.Origin.GIVEN_FILE, configFile);
        }
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        if (dir != null && Files.isRegularFile(dir.resolve("config.json"))) {
            Path json = dir.resolve("config.json");
            return new WanConfigSource(WanConfig.fromJson(json), WanConfigSource.Origin.FOLDER_CONFIG, json);
        }
        return new WanConfigSource(infer(weights), WanConfigSource.Origin.WEIGHT_SHAPES, path);
    }

    /**
     * Dimensions from the weight shapes. The head count is not recorded in any shape: it is taken
     * as dim / 128, true of every Wan 2.1 model; text_len is 512 and eps 1e-6 (the official defaults).
     */
    public static WanConfig infer(StoreWeights w) throws WeightFileException {
        Shape patch = w.shape("patch_embedding.weight", 5);
        int dim = patch.dim(0);
        int layers = w.checkpoint().blockCount(BLOCK);
        if (layers == 0) {
            throw w.notThisModel("has no transformer blocks (blocks.N.*)");
        }
        int ffn = w.shape("blocks.0.ffn.0.weight", 2).dim(0);
        int textDim = w.shape("text_embedding.0.weight", 2).dim(1);
        int freq = w.shape("time_embedding.0.weight", 2).dim(1);
        int outAll = w.shape("head.head.weight", 2).dim(0);
        int pt = patch.dim(2);
        int ph = patch.dim(3);
        int pw = patch.dim(4);
        if (dim % INFERRED_HEAD_DIM != 0) {
            throw new WeightFileException(w.checkpoint().path(), "cannot infer the head count of a model of width " + dim
                    + " (not a multiple of " + INFERRED_HEAD_DIM + "): pass --config with num_heads", null);
        }
        boolean qk = w.has("blocks.0.self_attn.norm_q.weight");
        boolean cross = w.has("blocks.0.norm3.weight");
        return new WanConfig(pt, ph, pw, INFERRED_TEXT_LEN, patch.dim(1), dim, ffn, freq, textDim, outAll / (pt * ph * pw),
                dim / INFERRED_HEAD_DIM, layers, qk, cross, INFERRED_EPS);
    }
}
