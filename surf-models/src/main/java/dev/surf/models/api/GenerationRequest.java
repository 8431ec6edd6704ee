package dev.surf.models.api;

import dev.surf.models.pipeline.Limits;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;

/**
 * One generation, validated before any compute.
 *
 * @param context     prompt embedding [n, text_dim]
 * @param contextNull negative-prompt embedding, required when guide > 1
 * @param size        base resolution and frame count (the model's optimal size)
 * @param seed        noise seed
 * @param steps       sampling steps
 * @param shift       timestep shift
 * @param guide       classifier-free guidance scale (1 = off)
 * @param solver      sampler
 * @param surf        SURF preview options, or null for the baseline (no resolution switch)
 * @param refine      refine stage, or null for none
 * @param smallFrom   step from which the engine's second model ({@link ModelRole#SMALL}) takes over (SRDiffusion), 0 for never
 */
public record GenerationRequest(TextEmbedding context, TextEmbedding contextNull, VideoSize size, long seed, int steps,
                                double shift, double guide, SolverKind solver, SurfOptions surf, RefineOptions refine,
                                int smallFrom) {

    /** A request without a model switch. */
    public GenerationRequest(TextEmbedding context, TextEmbedding contextNull, VideoSize size, long seed, int steps,
                             double shift, double guide, SolverKind solver, SurfOptions surf, RefineOptions refine) {
        this(context, contextNull, size, seed, steps, shift, guide, solver, surf, refine, 0);
    }

    public GenerationRequest {
        if (context == null) {
            throw new IllegalArgumentException("context: a prompt embedding is required");
        }
        if (size == null) {
            throw new IllegalArgumentException("size is required");
        }
        Limits.steps("steps", steps);
        if (!(shift > 0 && Double.isFinite(shift))) {
            throw new IllegalArgumentException("shift must be positive and finite, got " + shift);
        }
        if (!(guide >= 1 && Double.isFinite(guide))) {
            throw new IllegalArgumentException("guide must be >= 1 (1 turns guidance off), got " + guide);
        }
        if (guide > 1 && contextNull == null) {
            throw new IllegalArgumentException("contextNull: guidance " + guide + " needs a negative-prompt embedding");
        }
        if (contextNull != null && contextNull.dim() != context.dim()) {
            throw new IllegalArgumentException("contextNull has width " + contextNull.dim() + ", context has " + context.dim());
        }
        if (surf != null && surf.k() > steps) {
            throw new IllegalArgumentException("surf.k = " + surf.k() + " exceeds steps = " + steps);
        }
        if (solver == null) {
            solver = SolverKind.UNIPC;
        }
        if (smallFrom < 0 || smallFrom >= steps && smallFrom != 0) {
            throw new IllegalArgumentException("smallFrom must be 0 (no switch) or in [1, " + (steps - 1) + "], got " + smallFrom);
        }
    }

    /** The stage plan of this request for a model with square patches of the given size. */
    public StagePlan plan(int patch) {
        var r = refine == null ? null : refine.stage();
        StagePlan p = surf == null ? StagePlan.baseline(steps, shift, solver, guide, size).withRefine(r)
                : StagePlan.surf(steps, shift, solver, guide, size, surf.k(), surf.lowScale(), patch, surf.lowShift(),
                surf.reshift(), r);
        return smallFrom > 0 ? p.withModelFrom(smallFrom, ModelRole.SMALL) : p;
    }

    /** A copy with another seed (for multiple previews). */
    public GenerationRequest withSeed(long s) {
        return new GenerationRequest(context, contextNull, size, s, steps, shift, guide, solver, surf, refine, smallFrom);
    }

    /** A copy without the refine stage. */
    public GenerationRequest withoutRefine() {
        return new GenerationRequest(context, contextNull, size, seed, steps, shift, guide, solver, surf, null, smallFrom);
    }
}
