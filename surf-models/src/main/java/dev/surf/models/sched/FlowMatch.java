package dev.surf.models.sched;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * The flow-matching convention of Wan 2.1 (spec/wan21.md §3.1): {@code x_sigma = (1 - sigma) x0 + sigma eps},
 * the model predicts the velocity {@code v = eps - x0}.
 */
public final class FlowMatch {
    private FlowMatch() {
    }

    /**
     * The x0-estimate {@code x - sigma v} as a new F32 tensor, evaluated as one fused multiply-add per
     * element (torch rounds {@code sigma v} before subtracting, so results can differ in the last bit).
     *
     * @param sigma the solver's float32 sigma of the step, not t/1000
     */
    public static Tensor x0(Backend be, Tensor x, Tensor v, float sigma) {
        return be.combine(new float[] {1f, -sigma}, x, v);
    }
}
