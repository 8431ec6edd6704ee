package dev.surf.core.optim;

/**
 * Gradient clipping by the global L2 norm over all trainable parameters, as
 * {@code torch.nn.utils.clip_grad_norm_}: when the norm exceeds {@code maxNorm} every gradient is
 * scaled by {@code maxNorm / (norm + 1e-6)}.
 */
public final class GradClip {
    /** torch's guard against dividing by a zero norm. */
    static final double EPS = 1e-6;

    private GradClip() {
    }

    /**
     * The global L2 norm of the gradients of {@code params}, accumulated in double in name order;
     * when it exceeds {@code maxNorm} the gradients are scaled in place so that their norm becomes
     * (just under) {@code maxNorm}. A non-finite norm leaves the gradients untouched, so that the
     * caller can see it and skip the step.
     *
     * @return the norm before clipping
     */
    public static double globalNorm(ParameterSet params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("gradient clipping: max norm must be > 0, got " + maxNorm);
        }
        double sumSq = 0;
        for (Parameter p : params.trainable()) {
            for (float g : HostArrays.load(p.grad())) {
                sumSq += (double) g * g;
            }
        }
        double norm = Math.sqrt(sumSq);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float[] scale = {(float) (maxNorm / (norm + EPS))};
            for (Parameter p : params.trainable()) {
                p.grad().backend().combineInto(p.grad(), scale, p.grad());
            }
        }
        return norm;
    }
}
