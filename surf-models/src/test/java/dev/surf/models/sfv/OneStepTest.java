package dev.surf.models.sfv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.WanModel;
import dev.surf.models.wan.WanTrainForward;
import dev.surf.models.weights.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * The generator map SF-V trains (x0 = noise - sigma0 v at t0) is what the stock sampler computes with
 * one step: the engine's {@code generate} with steps 1 and no guidance, on the tiny model, against
 * {@link OneStep#sample} on a tape over the same weights, noise and prompt.
 */
class OneStepTest {

    @Test
    void oneSamplerStepIsNoiseMinusSigmaTimesVelocity() throws Exception {
        TextEmbedding ctx = TextEmbedding.standIn("a red circle moving left", TinyModels.BASE.textDim(), 8);
        VideoSize size = new VideoSize(64, 64, 5);
        long seed = 7;
        double shift = 5.0;
        GenerationRequest one = new GenerationRequest(ctx, null, size, seed, 1, shift, 1.0, SolverKind.UNIPC, null, null);
        float[] sampled;
        try (SurfEngine engine = SurfEngine.builder().device("cpu:2").tinyModels().noRefiner().build()) {
            GenerationResult r = engine.generate(one, ProgressListener.NONE, () -> false);
            sampled = r.latent().values();
            assertEquals(1, r.stages().get(0).steps());
        }
        try (CpuBackend be = new CpuBackend(2);
             WanModel model = WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE);
             Tensor noise = be.empty(DType.F32, dev.surf.core.Shape.of(16, 2, 8, 8));
             Tensor context = ctx.upload(be);
             Tape tape = new Tape(be)) {
            be.fillNormal(noise, seed, 0);
            OneStep step = new OneStep(shift);
            assertTrue(step.sigma() > 0.999f && step.sigma() < 1f, "sigma0 " + step.sigma());
            // the official timesteps are whole numbers: t0 = floor(1000 sigma0)
            assertEquals(Math.floor(1000.0 * step.sigma()), step.timestep(), 0.0);
            WanTrainForward frozen = new WanTrainForward(model, n -> false);
            Variable x0 = step.sample(tape, frozen, tape.constant(noise), tape.constant(context)).x0();
            float[] mine = be.toFloats(x0.value());
            assertEquals(sampled.length, mine.length);
            double num = 0;
            double den = 0;
            for (int i = 0; i < mine.length; i++) {
                num += (mine[i] - sampled[i]) * (double) (mine[i] - sampled[i]);
                den += sampled[i] * (double) sampled[i];
            }
            double rel = Math.sqrt(num / den);
            assertTrue(rel < 1e-5, "one-step x0 differs from the sampler's by " + rel);
        }
    }

    @Test
    void teacherPairsCarryTheNoiseTheSamplerStartedFrom() throws Exception {
        // with a one-step teacher, pair i's sample must be OneStep applied to pair i's noise
        TextEmbedding ctx = TextEmbedding.standIn("a cyan square moving down", TinyModels.BASE.textDim(), 8);
        try (SurfEngine engine = SurfEngine.builder().device("cpu:2").tinyModels().noRefiner().build();
             CpuBackend be = new CpuBackend(2);
             WanModel model = WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE)) {
            TeacherPairs pairs = new TeacherPairs(engine, java.util.List.of(ctx, ctx), null, new VideoSize(64, 64, 5), 1, 5.0, 1.0, 40);
            try (var ex = pairs.get(1, be); Tape tape = new Tape(be)) {
                float[] want = be.toFloats(new OneStep(5.0).sample(tape, new WanTrainForward(model, n -> false),
                        tape.constant(ex.source()), tape.constant(ex.context())).x0().value());
                float[] got = be.toFloats(ex.latent());
                double num = 0;
                double den = 0;
                for (int i = 0; i < got.length; i++) {
                    num += (want[i] - got[i]) * (double) (want[i] - got[i]);
                    den += got[i] * (double) got[i];
                }
                assertTrue(Math.sqrt(num / den) < 1e-5, "pair 1: teacher sample vs one step from its noise: " + Math.sqrt(num / den));
            }
        }
    }
}
