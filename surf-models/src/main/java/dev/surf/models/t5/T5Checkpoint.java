package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.safetensors.WeightFormat;
import dev.surf.core.weights.TensorArchive;
import dev.surf.core.weights.WeightFiles;
import dev.surf.models.weights.StoreWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a umT5 encoder checkpoint: the official {@code models_t5_umt5-xxl-enc-bf16.pth} read directly,
 * a safetensors file with official names, or a transformers {@code UMT5EncoderModel} file or (sharded)
 * folder. The configuration is an explicit JSON file when given, else read from the weight shapes.
 */
public final class T5Checkpoint {
    private static final Pattern OFFICIAL_BLOCK = Pattern.compile("blocks\\.(\\d+)\\..*");
    private static final Pattern HF_BLOCK = Pattern.compile("encoder\\.block\\.(\\d+)\\..*");

    private T5Checkpoint() {
    }

    /** Loads the encoder at path onto the backend; configFile may be null. */
    public static T5Encoder load(Path path, Path configFile, Backend be) throws IOException {
        TensorArchive archive = WeightFiles.open(path);
        UmT5Config cfg;
        try {
            cfg = configFile != null ? UmT5Config.fromJson(configFile) : infer(archive);
        } catch (IOException | RuntimeException e) {
            archive.close();
            throw e;
        }
        return T5Encoder.load(new StoreWeights(archive, true, T5Keys.toHf(archive::has)), be, cfg);
    }

    /**
     * The configuration from the shapes: vocab and dim from the token table, dim_attn from q,
     * dim_ffn from fc1, buckets and heads from the first position-bias table (shared_pos when only
     * one table exists for several blocks), the layer count from the block indices.
     */
    public static UmT5Config infer(TensorArchive archive) throws IOException {
        boolean hf = WeightFormat.detect(archive.names()) == WeightFormat.DIFFUSERS;
        UnaryOperator<String> name = hf ? T5Keys.toHf(archive::has) : UnaryOperator.identity();
        Pattern blockKey = hf ? HF_BLOCK : OFFICIAL_BLOCK;
        int layers = 0;
        for (String n : archive.names()) {
            Matcher m = blockKey.matcher(n);
            if (m.matches()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        Shape emb = shape(archive, name.apply("token_embedding.weight"), 2);
        if (layers == 0) {
            throw new IOException(archive.path() + " has a token table but no encoder blocks: is this a umT5 encoder checkpoint?");
        }
        Shape q = shape(archive, name.apply("blocks.0.attn.q.weight"), 2);
        Shape fc1 = shape(archive, name.apply("blocks.0.ffn.fc1.weight"), 2);
        String block0Pos = name.apply("blocks.0.pos_embedding.embedding.weight");
        String block1Pos = name.apply("blocks.1.pos_embedding.embedding.weight");
        boolean shared = hf ? layers > 1 && !archive.has(block1Pos) : !archive.has(block0Pos);
        Shape pos = shape(archive, shared ? name.apply("pos_embedding.embedding.weight") : block0Pos, 2);
        try {
            return new UmT5Config(emb.dim(0), emb.dim(1), q.dim(0), fc1.dim(0), pos.dim(1), layers, pos.dim(0), shared);
        } catch (IllegalArgumentException e) {
            throw new IOException(archive.path() + ": the weight shapes give no valid umT5 configuration: " + e.getMessage(), e);
        }
    }

    private static Shape shape(TensorArchive archive, String name, int rank) throws IOException {
        if (!archive.has(name)) {
            throw new IOException(archive.path() + " has no tensor " + name + ": is this a umT5 encoder checkpoint? (it holds "
                    + archive.names().size() + " tensors in " + WeightFormat.detect(archive.names()).label() + " naming)");
        }
        Shape s = archive.info(name).shape();
        if (s.rank() != rank) {
            throw new IOException(archive.path() + ": tensor " + name + " has shape " + s + ", expected rank " + rank);
        }
        return s;
    }
}
