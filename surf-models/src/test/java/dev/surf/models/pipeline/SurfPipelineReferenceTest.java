package dev.surf.models.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TinyModels;
import dev.surf.models.sched.FlowMatch;
import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.Guidance;
import dev.surf.models.sched.Solver;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plan with a resolution switch, a model switch (SRDiffusion) and a guided refine stage with start
 * noise gives, bit for bit, the latents of the same computation written out step by step with the
 * public building blocks (models, schedules, solvers, guidance, noise reshifting) as the pipeline's
 * documentation defines it: noise stream 0 for the initial latent, 1 + j for the switch into
 * segment j, 1000 for the Refiner's start noise; the x0 of the last step before a resize; a fresh
 * solver trajectory per segment; a model switch at the same size continuing the sample unchanged.
 */
class SurfPipelineReferenceTest {
    private static final VideoSize SIZE = new VideoSize(128, 128, 9); // latent 3 x 16 x 16
    private static final long SEED = 17;
    private static final double GUIDE = 3.0;
    private static final double LOW_SHIFT = 3.0;
    private static final RefineStage REFINE = new RefineStage(24, 24, 3, 1.0, 0.3, 2.0);

    /** Steps [0, 2) base at 16x16, [2, 4) base at 8x8 under shift 3, [4, 6) the small model at 8x8, then the Refiner. */
    private static StagePlan plan() {
        return StagePlan.surf(6, 5.0, SolverKind.UNIPC, GUIDE, SIZE, 2, 0.5, 2, LOW_SHIFT, ReshiftMode.FLOW_CONSISTENT, REFINE)
                .withModelFrom(4, ModelRole.SMALL);
    }

    @Test
    void aPlanWithAModelSwitchAndARefineStageIsTheStepByStepComputation() throws Exception {
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be);
             WanModel small = WanModel.load(new RandomWeights(TinyModels.BASE_SEED + 1), be, TinyModels.BASE)) {
            StagePlan plan = plan();
            assertEquals(3, plan.segments().size());
            SurfPipeline pipeline = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base, ModelRole.SMALL, small,
                    ModelRole.REFINER, m.refiner));
            float[] preview;
            float[] refined;
            try (SurfPipeline.Result r = pipeline.run(plan, m.cond(), SEED, ProgressListener.NONE, () -> false)) {
                preview = be.toFloats(r.preview().latent());
                refined = be.toFloats(r.refined());
                assertEquals(List.of(ModelRole.BASE, ModelRole.BASE, ModelRole.SMALL, ModelRole.REFINER),
                        r.stages().stream().map(StageReport::role).toList());
            }
            try (Tensor x = reference(be, m, small); Tensor z = refineReference(be, m, x)) {
                assertArrayEquals(be.toFloats(x), preview, "preview");
                assertArrayEquals(be.toFloats(z), refined, "refined");
            }
        }
    }

    /** The three sampling segments written out. */
    private static Tensor reference(Backend be, PipelineTestModels m, WanModel small) {
        Tensor x = be.empty(DType.F32, Shape.of(TinyModels.BASE.inDim(), SIZE.latentFrames(), 16, 16));
        be.fillNormal(x, SEED, 0);
        FlowSchedule full = SolverKind.UNIPC.schedule(6, 5.0);
        Tensor x0 = null;
        try (Solver solver = SolverKind.UNIPC.create(full); TextContext text = m.base.prepareText(List.of(m.ctx, m.neg))) {
            solver.begin(0);
            for (int i = 0; i < 2; i++) {
                try (Tensor v = guided(be, m.base, text, x, full.modelTimestep(i), GUIDE)) {
                    if (i == 1) {
                        x0 = FlowMatch.x0(be, x, v, full.solverSigma(i));
                    }
                    x = replace(x, solver.step(be, i, x, v));
                }
            }
        }
        // the switch into segment 1: a new size and shift, noise stream 1 + 1
        FlowSchedule low = SolverKind.UNIPC.schedule(6, LOW_SHIFT);
        x.close();
        try {
            x = NoiseReshift.apply(be, x0, 8, 8, low.solverSigma(2), SEED, 2, ReshiftMode.FLOW_CONSISTENT, ResizeMode.BILINEAR);
        } finally {
            x0.close();
        }
        x = integrate(be, m.base, m, low, 2, 4, x);
        // the model switch into segment 2: same size and schedule, so the sample simply continues
        return integrate(be, small, m, low, 4, 6, x);
    }

    /** Steps [first, end) of one segment on a fresh solver trajectory; consumes x. */
    private static Tensor integrate(Backend be, WanModel model, PipelineTestModels m, FlowSchedule sched, int first, int end, Tensor x) {
        try (Solver solver = SolverKind.UNIPC.create(sched); TextContext text = model.prepareText(List.of(m.ctx, m.neg))) {
            solver.begin(first);
            for (int i = first; i < end; i++) {
                try (Tensor v = guided(be, model, text, x, sched.modelTimestep(i), GUIDE)) {
                    x = replace(x, solver.step(be, i, x, v));
                }
            }
        }
        return x;
    }

    /** The Refiner's flow mapping from the upscaled preview plus start noise (stream 1000), Euler steps. */
    private static Tensor refineReference(Backend be, PipelineTestModels m, Tensor preview) {
        FlowSchedule sched = SolverKind.EULER.schedule(REFINE.steps(), REFINE.shift());
        Tensor z = be.resize(preview, REFINE.latentHeight(), REFINE.latentWidth(), ResizeMode.BILINEAR);
        try (Tensor eps = be.empty(DType.F32, z.shape())) {
            be.fillNormal(eps, SEED, 1000);
            be.combineInto(z, new float[] {1f, (float) REFINE.startNoise()}, z, eps);
        }
        try (Solver solver = SolverKind.EULER.create(sched); TextContext text = m.refiner.prepareText(List.of(m.ctx, m.neg))) {
            solver.begin(0);
            for (int i = 0; i < REFINE.steps(); i++) {
                try (Tensor v = guided(be, m.refiner, text, z, sched.modelTimestep(i), REFINE.guide())) {
                    z = replace(z, solver.step(be, i, z, v));
                }
            }
        }
        return z;
    }

    /** Classifier-free guidance with the conditional and unconditional passes as one batch of two. */
    private static Tensor guided(Backend be, WanModel model, TextContext text, Tensor x, float t, double g) {
        int[] d = x.shape().dims();
        Tensor one = x.view(1, d[0], d[1], d[2], d[3]);
        try (Tensor pair = be.concat(0, one, one); Tensor v = model.forward(pair, new float[] {t, t}, text)) {
            return Guidance.cfg(be, v.slice(1, 2).view(x.shape()), v.slice(0, 1).view(x.shape()), (float) g);
        }
    }

    private static Tensor replace(Tensor old, Tensor next) {
        old.close();
        return next;
    }
}
