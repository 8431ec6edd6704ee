package dev.surf.models.sfv;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.Latent;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.train.TrainingData;
import java.util.List;

/**
 * The generator's training pairs for {@link SfvTrainer}: pair i is the noise the engine's sampler
 * starts from for seed {@code seed + i} (Philox {@code fillNormal(seed + i, 0)}, as
 * {@code SurfPipeline} draws it), the prompt i, and the teacher's multi-step sample from exactly that
 * noise (its default plan: UniPC, the given steps and guidance, no SURF), which the regression term
 * pulls the one-step output towards. Teacher samples are computed on first use and kept in memory
 * (one latent per pair), so a pair costs one teacher run per training process.
 */
public final class TeacherPairs implements TrainingData {
    private final SurfEngine teacher;
    private final List<TextEmbedding> prompts;
    private final TextEmbedding negative;
    private final VideoSize size;
    private final int steps;
    private final double shift;
    private final double guide;
    private final long seed;
    private final Latent[] samples;

    /**
     * @param teacher  the engine running the teacher (its base model; no refiner needed)
     * @param prompts  one embedding per pair
     * @param negative the negative prompt's embedding for guidance (null: unconditional = none, needs guide 1)
     */
    public TeacherPairs(SurfEngine teacher, List<TextEmbedding> prompts, TextEmbedding negative, VideoSize size, int steps,
                        double shift, double guide, long seed) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("SF-V pairs: give at least one prompt");
        }
        this.teacher = teacher;
        this.prompts = List.copyOf(prompts);
        this.negative = negative;
        this.size = size;
        this.steps = steps;
        this.shift = shift;
        this.guide = guide;
        this.seed = seed;
        this.samples = new Latent[prompts.size()];
    }

    @Override
    public int size() {
        return prompts.size();
    }

    /** The seed of pair i's noise. */
    public long seedOf(int index) {
        return seed + index;
    }

    /** The teacher's sample of pair i (computed on first use). */
    public synchronized Latent teacherSample(int index) {
        if (samples[index] == null) {
            GenerationRequest r = new GenerationRequest(prompts.get(index), negative, size, seedOf(index), steps, shift, guide,
                    SolverKind.UNIPC, null, null);
            GenerationResult g = teacher.generate(r, ProgressListener.NONE, () -> false);
            samples[index] = g.latent();
        }
        return samples[index];
    }

    @Override
    public Example get(int index, Backend be) {
        Latent x0 = teacherSample(index);
        Tensor latent = x0.upload(be);
        Tensor noise = be.empty(DType.F32, latent.shape());
        be.fillNormal(noise, seedOf(index), 0);
        return new Example(latent, prompts.get(index).upload(be), noise);
    }
}
