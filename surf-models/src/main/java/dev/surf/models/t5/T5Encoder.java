package dev.surf.models.t5;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.Arrays;

/**
 * The umT5 encoder ({@code T5Encoder} of wan/modules/t5.py), written against {@link Backend} only,
 * spec/wan21.md §5.3: token embedding (no scaling), blocks of pre-norm self-attention with a per-block
 * relative position bias and pre-norm gated-GELU FFN, final RMSNorm. Padding keys are masked; the
 * rows of padding queries are still computed, as in the official code.
 *
 * <p>Precision: the residual stream and every activation are in the backend's activation type (BF16
 * on CUDA, as the official bf16 run; F32 on the CPU), with F32 norm statistics and softmax.
 *
 * <p>Thread-safety: a loaded encoder is immutable; concurrent forwards are safe on a thread-safe backend.
 */
public final class T5Encoder implements AutoCloseable {
    private final UmT5Config config;
    private final Backend be;
    private final T5Weights weights;
    private final Tensor tokenEmbedding;
    private final T5SelfAttention[] blocks;
    private final T5LayerNorm norm;
    private final T5RelativeEmbedding sharedPos;

    private T5Encoder(WeightSource source, Backend be, UmT5Config c) throws IOException {
        this.config = c;
        this.be = be;
        this.weights = new T5Weights(source, be);
        try {
            tokenEmbedding = weights.matrix("token_embedding.weight", Shape.of(c.vocab(), c.dim()));
            blocks = new T5SelfAttention[c.numLayers()];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = new T5SelfAttention(weights, i, c);
            }
            norm = new T5LayerNorm(weights, "norm", c.dim());
            sharedPos = c.sharedPos() ? new T5RelativeEmbedding(weights, "pos_embedding", c.numBuckets(), c.numHeads()) : null;
        } catch (IOException | RuntimeException e) {
            weights.close();
            source.close();
            throw e;
        }
    }

    /**
     * Builds the encoder. It owns the source and closes it with itself: CPU weights may borrow a
     * checkpoint's mapped memory.
     */
    public static T5Encoder load(WeightSource source, Backend be, UmT5Config config) throws IOException {
        return new T5Encoder(source, be, config);
    }

    public UmT5Config config() {
        return config;
    }

    public Backend backend() {
        return be;
    }

    /** Where the parameters came from. */
    public WeightSource weights() {
        return weights.source();
    }

    /**
     * Encodes a batch of token sequences of one length L: ids holds batch x L ids row-major, and
     * item b's tokens at positions {@code >= keyLengths[b]} are padding (masked as keys;
     * {@code 1 <= keyLengths[b] <= L}). Returns all rows, padding included: [batch, L, dim] in the activation type.
     */
    public Tensor forward(int[] ids, int batch, int[] keyLengths) {
        if (batch < 1 || ids.length == 0 || ids.length % batch != 0) {
            throw new IllegalArgumentException("T5 encoder: " + ids.length + " ids do not form " + batch + " sequences of one length");
        }
        int l = ids.length / batch;
        if (keyLengths.length != batch) {
            throw new IllegalArgumentException("T5 encoder: " + keyLengths.length + " key lengths for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (keyLengths[b] < 1 || keyLengths[b] > l) {
                throw new IllegalArgumentException("T5 encoder: sequence " + b + " has " + keyLengths[b]
                        + " real tokens; expected 1.." + l + " (every sequence has at least its EOS)");
            }
        }
        int[] buckets = RelativePositionBucket.table(l, config.numBuckets());
        AttentionSpec spec = new AttentionSpec(1f, Arrays.stream(keyLengths).allMatch(k -> k == l) ? null : keyLengths.clone(),
                null, null);
        try (TensorScope s = new TensorScope()) {
            Tensor emb = s.track(be.embedding(tokenEmbedding, ids));
            Tensor x = emb.dtype() == be.activationType() ? emb : s.track(be.convert(emb, be.activationType()));
            x = x.view(batch, l, config.dim());
            Tensor shared = sharedPos == null ? null : s.track(sharedPos.bias(be, l, buckets));
            for (T5SelfAttention block : blocks) {
                block.forward(be, x, spec, buckets, shared);
            }
            return norm.forward(be, x);
        }
    }

    @Override
    public void close() {
        weights.close();
        weights.source().close();
    }
}
