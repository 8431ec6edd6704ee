package dev.surf.models.pipeline;

/** Receives a {@link StepProgress} after every model step; called on the sampling thread. */
@FunctionalInterface
public interface ProgressListener {
    void onStep(StepProgress progress);

    /** Ignores everything. */
    ProgressListener NONE = p -> {
    };
}
