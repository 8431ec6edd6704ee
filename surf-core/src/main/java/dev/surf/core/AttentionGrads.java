package dev.surf.core;

/**
 * The gradients {@link Backend#attentionBackward} returns: dq, dk, dv in the shapes of q, k, v,
 * F32, owned by the caller (closing the record closes all three).
 */
public record AttentionGrads(Tensor dq, Tensor dk, Tensor dv) implements AutoCloseable {
    @Override
    public void close() {
        dq.close();
        dk.close();
        dv.close();
    }
}
