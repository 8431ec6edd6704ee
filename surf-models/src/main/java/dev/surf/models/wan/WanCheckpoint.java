package dev.surf.models.wan;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.safetensors.SafetensorsException;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.core.safetensors.WeightFormat;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.models.weights.StoreWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a Wan DiT checkpoint: a safetensors file, a folder of them, or a sharded HF folder, in
 * official or diffusers naming. The configuration comes from, in order: an explicit config file,
 * the folder's config.json, or the weight shapes themselves.
 */
public final class WanCheckpoint {
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\..*");

    /** Wan 2.1 models all use attention heads of 128 channels; used only when no config names the count. */
    public static final int INFERRED_HEAD_DIM = 128;

    private WanCheckpoint() {
    }

    /** Loads the model at path onto the backend; configFile may be null. */
    public static WanModel load(Path path, Path configFile, Backend be) throws IOException {
        WeightStore store = WeightStore.open(path);
        WanConfig cfg;
        try {
            cfg = resolveConfig(path, configFile, store);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return WanModel.load(new StoreWeights(store, true, WanKeys::toDiffusers), be, cfg);
    }

    /** The configuration for a store per the class comment. */
    public static WanConfig resolveConfig(Path path, Path configFile, WeightStore store) throws IOException {
        if (configFile != null) {
            return WanConfig.fromJson(configFile);
        }
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        if (dir != null && Files.isRegularFile(dir.resolve("config.json"))) {
            return WanConfig.fromJson(dir.resolve("config.json"));
        }
        return infer(store);
    }

    /**
     * Dimensions from the weight shapes. The head count is not recorded in any shape: it is taken
     * as dim / 128, true of every Wan 2.1 model; text_len is 512 and eps 1e-6 (the class defaults).
     */
    public static WanConfig infer(WeightStore store) throws SafetensorsException {
        boolean diffusers = WeightFormat.detect(store.names()) == WeightFormat.DIFFUSERS;
        Function<String, String> name = k -> diffusers ? WanKeys.toDiffusers(k) : k;
        Shape patch = shape(store, name.apply("patch_embedding.weight"), 5);
        int dim = patch.dim(0);
        int layers = 0;
        for (String n : store.names()) {
            Matcher m = BLOCK.matcher(n);
            if (m.matches()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (layers == 0) {
            throw new SafetensorsException(store.path(), "no transformer blocks (blocks.N.*) in " + store.files() + ": is this a Wan DiT checkpoint?");
        }
        int ffn = shape(store, name.apply("blocks.0.ffn.0.weight"), 2).dim(0);
        int textDim = shape(store, name.apply("text_embedding.0.weight"), 2).dim(1);
        int freq = shape(store, name.apply("time_embedding.0.weight"), 2).dim(1);
        int outAll = shape(store, name.apply("head.head.weight"), 2).dim(0);
        int pt = patch.dim(2);
        int ph = patch.dim(3);
        int pw = patch.dim(4);
        if (dim % INFERRED_HEAD_DIM != 0) {
            throw new SafetensorsException(store.path(), "cannot infer the head count of a model of width " + dim
                    + " (not a multiple of 128): pass --config with num_heads");
        }
        boolean qk = store.has(name.apply("blocks.0.self_attn.norm_q.weight"));
        boolean cross = store.has(name.apply("blocks.0.norm3.weight"));
        return new WanConfig(pt, ph, pw, 512, patch.dim(1), dim, ffn, freq, textDim, outAll / (pt * ph * pw),
                dim / INFERRED_HEAD_DIM, layers, qk, cross, 1e-6f);
    }

    private static Shape shape(WeightStore store, String name, int rank) throws SafetensorsException {
        if (!store.has(name)) {
            throw new SafetensorsException(store.path(), "tensor " + name + " missing in " + store.files() + ": is this a Wan DiT checkpoint?");
        }
        TensorInfo info = store.info(name);
        if (info.shape().rank() != rank) {
            throw new SafetensorsException(store.path(), "tensor " + name + " has shape " + info.shape() + ", expected rank " + rank);
        }
        return info.shape();
    }
}
