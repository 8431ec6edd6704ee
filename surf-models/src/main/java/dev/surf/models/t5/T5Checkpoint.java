package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.weights.WeightFileException;
import dev.surf.models.weights.Checkpoint;
import dev.surf.models.weights.StoreWeights;
import dev.surf.models.weights.WeightFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Opens a umT5 encoder checkpoint ({@link Checkpoint}): the official {@code models_t5_umt5-xxl-enc-bf16.pth}
 * read directly, a safetensors file with official names, or a transformers {@code UMT5EncoderModel}
 * file or (sharded) folder. The configuration is an explicit JSON file when given, else read from the
 * weight shapes.
 */
public final class T5Checkpoint {
    private static final Pattern OFFICIAL_BLOCK = Pattern.compile("blocks\\.(\\d+)\\..*");
    private static final Pattern HF_BLOCK = Pattern.compile("encoder\\.block\\.(\\d+)\\..*");

    private T5Checkpoint() {
    }

    /** Loads the encoder at path onto the backend; configFile may be null. */
    public static T5Encoder load(Path path, Path configFile, Backend be) throws IOException {
        return Checkpoint.load(path, ckpt -> {
            StoreWeights weights = weights(ckpt);
            UmT5Config cfg = configFile != null ? UmT5Config.fromJson(configFile) : infer(weights);
            return T5Encoder.load(weights, be, cfg);
        });
    }

    /** The checkpoint's parameters under official encoder names. */
    public static StoreWeights weights(Checkpoint ckpt) {
        return ckpt.weights("umT5 encoder", T5Keys.toHf(ckpt.archive()::has));
    }

    /**
     * The configuration from the shapes: vocab and dim from the token table, dim_attn from q,
     * dim_ffn from fc1, buckets and heads from the first position-bias table (shared_pos when only
     * one table exists for several blocks), the layer count from the block indices.
     */
    public static UmT5Config infer(StoreWeights w) throws IOException {
        boolean hf = w.checkpoint().naming() == WeightFormat.DIFFUSERS;
        int layers = w.checkpoint().blockCount(hf ? HF_BLOCK : OFFICIAL_BLOCK);
        Shape emb = w.shape("token_embedding.weight", 2);
        if (layers == 0) {
            throw w.notThisModel("has a token table but no encoder blocks");
        }
        Shape q = w.shape("blocks.0.attn.q.weight", 2);
        Shape fc1 = w.shape("blocks.0.ffn.fc1.weight", 2);
        String block0Pos = "blocks.0.pos_embedding.embedding.weight";
        // transformers keeps a shared table in block 0, so sharing shows as block 1 having none
        boolean shared = hf ? layers > 1 && !w.has("blocks.1.pos_embedding.embedding.weight") : !w.has(block0Pos);
        Shape pos = w.shape(shared ? "pos_embedding.embedding.weight" : block0Pos, 2);
        try {
            return new UmT5Config(emb.dim(0), emb.dim(1), q.dim(0), fc1.dim(0), pos.dim(1), layers, pos.dim(0), shared);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(w.checkpoint().path(), "the weight shapes give no valid umT5 configuration: "
                    + e.getMessage(), e);
        }
    }
}
