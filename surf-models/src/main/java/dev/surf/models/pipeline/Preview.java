package dev.surf.models.pipeline;

import dev.surf.core.Tensor;
import java.util.List;

/**
 * A finished preview: the final latent of the sampling segments (at the last segment's size), the
 * seed and plan that made it, and what each stage cost. It can be refined later, to any target
 * size, without recomputing it ({@link SurfPipeline#refine}). Owns its latent.
 */
public final class Preview implements AutoCloseable {
    private final Tensor latent;
    private final long seed;
    private final StagePlan plan;
    private final List<StageReport> stages;

    Preview(Tensor latent, long seed, StagePlan plan, List<StageReport> stages) {
        this.latent = latent;
        this.seed = seed;
        this.plan = plan;
        this.stages = List.copyOf(stages);
    }

    /**
     * A preview from a latent made elsewhere (a saved file, another run), taking ownership of it.
     * plan is the plan that made it (its text conditioning and schedule settings are reused).
     */
    public static Preview of(Tensor latent, long seed, StagePlan plan) {
        return new Preview(latent, seed, plan, List.of());
    }

    /** The clean latent [16, F, h, w] (F32). */
    public Tensor latent() {
        return latent;
    }

    public long seed() {
        return seed;
    }

    public StagePlan plan() {
        return plan;
    }

    public List<StageReport> stages() {
        return stages;
    }

    @Override
    public void close() {
        latent.close();
    }
}
