package dev.surf.core;

/**
 * Options of {@link Backend#attention}: softmax(scale * q k^T + bias + mask) v.
 *
 * @param scale      multiplier of the logits (1/sqrt(head_dim) for the DiT, 1 for T5)
 * @param keyLengths per batch item, keys at index >= keyLengths[b] are masked; null attends to all keys
 * @param bias       additive logit bias [heads, Lq, Lk] (F32), shared by the batch; null for none
 * @param window     time-windowed self-attention (needs Lq == Lk == window.tokens()); null for global
 */
public record AttentionSpec(float scale, int[] keyLengths, Tensor bias, TimeWindow window) {

    /** Global attention with scale 1/sqrt(headDim), no mask, no bias. */
    public static AttentionSpec standard(int headDim) {
        return new AttentionSpec((float) (1.0 / Math.sqrt(headDim)), null, null, null);
    }

    public AttentionSpec withScale(float s) {
        return new AttentionSpec(s, keyLengths, bias, window);
    }

    public AttentionSpec withKeyLengths(int[] lengths) {
        return new AttentionSpec(scale, lengths == null ? null : lengths.clone(), bias, window);
    }

    public AttentionSpec withBias(Tensor b) {
        return new AttentionSpec(scale, keyLengths, b, window);
    }

    public AttentionSpec withWindow(TimeWindow w) {
        return new AttentionSpec(scale, keyLengths, bias, w);
    }
}
