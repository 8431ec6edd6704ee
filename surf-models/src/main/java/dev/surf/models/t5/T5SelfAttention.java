package dev.surf.models.t5;

import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.io.IOException;

/**
 * One encoder block, named {@code T5SelfAttention} as in the official code: pre-norm self-attention
 * and pre-norm gated FFN, each added to the residual stream,
 * {@code x += attn(norm1(x), bias); x += ffn(norm2(x))}. Every umT5 block owns its position bias
 * table ({@code pos_embedding}); with shared_pos the encoder's table is passed in instead.
 */
final class T5SelfAttention {
    final int index;
    private final T5LayerNorm norm1;
    private final T5Attention attn;
    private final T5LayerNorm norm2;
    private final T5FeedForward ffn;
    private final T5RelativeEmbedding posEmbedding;

    T5SelfAttention(T5Weights w, int index, UmT5Config c) throws IOException {
        String p = "blocks." + index + ".";
        this.index = index;
        norm1 = new T5LayerNorm(w, p + "norm1", c.dim());
        attn = new T5Attention(w, p + "attn", c.dim(), c.dimAttn(), c.numHeads());
        norm2 = new T5LayerNorm(w, p + "norm2", c.dim());
        ffn = new T5FeedForward(w, p + "ffn", c.dim(), c.dimFfn());
        posEmbedding = c.sharedPos() ? null : new T5RelativeEmbedding(w, p + "pos_embedding", c.numBuckets(), c.numHeads());
    }

    /**
     * Updates the residual stream x [B, L, dim] in place. spec carries the key lengths; the bias is
     * this block's own unless {@code sharedBias} (shared_pos) is given. buckets is the [L, L] table.
     */
    void forward(Backend be, Tensor x, AttentionSpec spec, int[] buckets, Tensor sharedBias) {
        try (TensorScope s = new TensorScope()) {
            Tensor bias = sharedBias != null ? sharedBias : s.track(posEmbedding.bias(be, x.dim(1), buckets));
            Tensor h = s.track(norm1.forward(be, x));
            be.addInPlace(x, s.track(attn.forward(be, h, spec.withBias(bias))));
            Tensor h2 = s.track(norm2.forward(be, x));
            be.addInPlace(x, s.track(ffn.forward(be, h2)));
        }
    }
}
