package dev.surf.core;

/**
 * What {@link Backend#attentionWithLse} returns: the attention output and, per (batch item, head,
 * query row), the log-sum-exp of that row's logits (F32 [B, H, Lq]; negative infinity for a row
 * whose keys are all masked). The backward recomputes the probabilities from it instead of storing
 * them. Closing the record closes both tensors.
 */
public record AttentionWithLse(Tensor out, Tensor lse) implements AutoCloseable {
    @Override
    public void close() {
        out.close();
        lse.close();
    }
}
