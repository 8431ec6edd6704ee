package dev.surf.models.sched;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/** Classifier-free guidance as the official pipeline applies it to the two velocity predictions. */
public final class Guidance {
    private Guidance() {
    }

    /**
     * {@code v_u + g (v_c - v_u)} as a new F32 tensor, in the official operation order: the
     * difference first (bit-identical to torch's fp32 subtraction), then {@code v_u + g * diff} as one
     * fused multiply-add (torch rounds the product before adding; we round once). The algebraically
     * equal {@code (1 - g) v_u + g v_c} is avoided: it rounds differently when g is large.
     *
     * @param scale the guide scale g as float32, which is what torch multiplies an fp32 tensor by
     */
    public static Tensor cfg(Backend be, Tensor vUncond, Tensor vCond, float scale) {
        try (Tensor diff = be.combine(new float[] {1f, -1f}, vCond, vUncond)) {
            return be.combine(new float[] {1f, scale}, vUncond, diff);
        }
    }
}
