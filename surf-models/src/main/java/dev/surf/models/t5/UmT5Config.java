package dev.surf.models.t5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Hyper-parameters of the umT5 encoder ({@code T5Encoder} of wan/modules/t5.py), spec/wan21.md §5.1.
 *
 * @param vocab      token embedding rows (256,384 for umT5-XXL)
 * @param dim        model width (4096)
 * @param dimAttn    width of q, k, v and the attention output before {@code o} (4096)
 * @param dimFfn     inner width of the gated FFN (10,240)
 * @param numHeads   attention heads (64); the head width is dimAttn / numHeads
 * @param numLayers  encoder blocks (24)
 * @param numBuckets relative position buckets (32, bidirectional: 16 per direction)
 * @param sharedPos  one position-bias table for all blocks (T5) instead of one per block (umT5: false)
 */
public record UmT5Config(int vocab, int dim, int dimAttn, int dimFfn, int numHeads, int numLayers, int numBuckets,
                         boolean sharedPos) {

    /** Epsilon of every T5 RMSNorm. */
    public static final float EPS = 1e-6f;

    /** Tokens per prompt after padding/truncation in the official pipeline ({@code text_len}). */
    public static final int TEXT_LEN = 512;

    /** The umT5-XXL encoder of Wan 2.1 ({@code models_t5_umt5-xxl-enc-bf16.pth}). */
    public static final UmT5Config XXL = new UmT5Config(256384, 4096, 4096, 10240, 64, 24, 32, false);

    public UmT5Config {
        for (int v : new int[] {vocab, dim, dimAttn, dimFfn, numHeads, numLayers, numBuckets}) {
            if (v <= 0) {
                throw new IllegalArgumentException("umT5 config: sizes must be positive: vocab " + vocab + ", dim " + dim
                        + ", dim_attn " + dimAttn + ", dim_ffn " + dimFfn + ", num_heads " + numHeads + ", num_layers "
                        + numLayers + ", num_buckets " + numBuckets);
            }
        }
        if (dimAttn % numHeads != 0) {
            throw new IllegalArgumentException("umT5 config: dim_attn " + dimAttn + " is not a multiple of num_heads " + numHeads);
        }
        if (numBuckets % 2 != 0) {
            throw new IllegalArgumentException("umT5 config: num_buckets " + numBuckets + " must be even (bidirectional buckets)");
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return dimAttn / numHeads;
    }

    /** Parameter count (no biases exist): embedding, blocks, final norm. */
    public long parameterCount() {
        long d = dim;
        long block = 2 * d + 4 * d * dimAttn + 3 * d * dimFfn + (sharedPos ? 0 : (long) numBuckets * numHeads);
        return (long) vocab * d + numLayers * block + d + (sharedPos ? (long) numBuckets * numHeads : 0);
    }

    /**
     * Reads a JSON object with the official constructor's names: vocab, dim, dim_attn, dim_ffn,
     * num_heads, num_layers, num_buckets, shared_pos (dim_attn defaults to dim, num_buckets to 32,
     * shared_pos to false, as for umT5).
     */
    public static UmT5Config fromJson(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read umT5 config " + file + ": " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException("umT5 config " + file + " is not a JSON object");
        }
        int dim = required(n, "dim", file);
        try {
            return new UmT5Config(required(n, "vocab", file), dim, n.path("dim_attn").asInt(dim),
                    required(n, "dim_ffn", file), required(n, "num_heads", file), required(n, "num_layers", file),
                    n.path("num_buckets").asInt(32), n.path("shared_pos").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IOException("umT5 config " + file + ": " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode n, String key, Path file) throws IOException {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IOException("umT5 config " + file + " lacks the integer field \"" + key + "\"");
        }
        return v.asInt();
    }
}
