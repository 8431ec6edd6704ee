package dev.surf.models.flops;

/**
 * FLOPs of one DiT forward (2 per multiply-accumulate), split the way the spec's cost model is.
 *
 * @param attention attention scores and the weighted sum of values (self and cross)
 * @param linear    every matrix product with a weight: block projections, FFN, embeddings, head
 * @param other     normalisation, modulation, RoPE, activations and residual updates (estimated per element)
 */
public record ForwardFlops(double attention, double linear, double other) {

    public double total() {
        return attention + linear + other;
    }

    public ForwardFlops times(double n) {
        return new ForwardFlops(attention * n, linear * n, other * n);
    }

    public ForwardFlops plus(ForwardFlops o) {
        return new ForwardFlops(attention + o.attention, linear + o.linear, other + o.other);
    }

    public static final ForwardFlops ZERO = new ForwardFlops(0, 0, 0);
}
