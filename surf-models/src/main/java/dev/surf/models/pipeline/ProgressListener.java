package dev.surf.models.pipeline;

/** Receives a {@link StepProgress} after every model step; called on the sampling thread. */
@FunctionalInterface
public interface ProgressListener {
    void onStep(StepProgress progress);

    /**
     * Whether this listener wants the clean-latent estimate of each step ({@link #onLatent}); computing
     * it costs one extra elementwise pass per step, so it is off unless asked for.
     */
    default boolean wantsLatents() {
        return false;
    }

    /**
     * The clean-latent estimate x0 = x - sigma v [C, F, h, w] after step {@code done} of the run (1-based),
     * before {@link #onStep}. The tensor is valid only during the call.
     */
    default void onLatent(String stage, int done, dev.surf.core.Tensor x0) {
    }

    /** Ignores everything. */
    ProgressListener NONE = p -> {
    };
}
