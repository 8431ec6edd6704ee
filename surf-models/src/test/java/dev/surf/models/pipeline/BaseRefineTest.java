package dev.surf.models.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TinyModels;
import dev.surf.models.flops.FlopModel;
import dev.surf.models.sched.FlowSchedule;
import dev.surf.models.sched.Guidance;
import dev.surf.models.sched.Solver;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.wan.TextContext;
import dev.surf.models.wan.WanConfig;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The training-free refine with the base model (issue 20): at s0 = 1 with global attention it is the
 * plain sampler at the target size; below 1 it is the step-by-step computation its documentation
 * defines; its price counts the steps it runs from s0 on.
 */
class BaseRefineTest {
    private static final VideoSize SIZE = new VideoSize(128, 128, 9); // latent 3 x 16 x 16
    private static final VideoSize TARGET = new VideoSize(192, 192, 9); // latent 3 x 24 x 24
    private static final long SEED = 23;
    private static final double GUIDE = 3.0;

    @Test
    void startSigmaOneWithGlobalAttentionIsThePlainSamplerAtTheTargetSizeBitForBit() throws Exception {
        for (SolverKind solver : new SolverKind[] {SolverKind.UNIPC, SolverKind.EULER}) {
            try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be)) {
                // the refine's noise on the sampler's own stream: "given the same starting noise"
                SurfPipeline sameNoise = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base), 0);
                RefineStage fromBase = RefineStage.fromBase(24, 24, 6, 5.0, GUIDE, new BaseRefine(1.0, 0));
                StagePlan surf = StagePlan.surf(6, 5.0, solver, GUIDE, SIZE, 2, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, fromBase);
                StagePlan baseline = StagePlan.baseline(6, 5.0, solver, GUIDE, TARGET);
                try (SurfPipeline.Result refined = sameNoise.run(surf, m.cond(), SEED, ProgressListener.NONE, () -> false);
                     SurfPipeline.Result plain = sameNoise.run(baseline, m.cond(), SEED, ProgressListener.NONE, () -> false)) {
                    assertArrayEquals(be.toFloats(plain.latent()), be.toFloats(refined.refined()), solver.cliName());
                    StageReport last = refined.stages().get(refined.stages().size() - 1);
                    assertEquals(ModelRole.BASE, last.role());
                    assertEquals(6, last.steps());
                    assertEquals("refine 24x24 [base]", last.name());
                }
            }
        }
    }

    @Test
    void aWanDitLoadedAsTheRefinerRefinesTrainingFreeInsteadOfTheBase() throws Exception {
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be);
             WanModel other = WanModel.load(new RandomWeights(TinyModels.BASE_SEED + 7), be, TinyModels.BASE)) {
            SurfPipeline withDit = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base, ModelRole.REFINER, other), 0);
            SurfPipeline otherAlone = new SurfPipeline(be, Map.of(ModelRole.BASE, other), 0);
            RefineStage fromBase = RefineStage.fromBase(24, 24, 4, 5.0, GUIDE, new BaseRefine(1.0, 0));
            StagePlan surf = StagePlan.surf(4, 5.0, SolverKind.UNIPC, GUIDE, SIZE, 2, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, fromBase);
            try (SurfPipeline.Result refined = withDit.run(surf, m.cond(), SEED, ProgressListener.NONE, () -> false);
                 SurfPipeline.Result plain = otherAlone.run(StagePlan.baseline(4, 5.0, SolverKind.UNIPC, GUIDE, TARGET), m.cond(),
                         SEED, ProgressListener.NONE, () -> false)) {
                assertArrayEquals(be.toFloats(plain.latent()), be.toFloats(refined.refined()));
                StageReport last = refined.stages().get(refined.stages().size() - 1);
                assertEquals(ModelRole.REFINER, last.role());
                assertEquals("refine 24x24 [refiner]", last.name());
            }
        }
    }

    @Test
    void belowOneItNoisesTheUpscaledPreviewAtTheStepOfS0AndSamplesTheRest() throws Exception {
        RefineStage stage = RefineStage.fromBase(24, 24, 8, 3.0, GUIDE, new BaseRefine(0.6, 0));
        StagePlan plan = StagePlan.surf(4, 5.0, SolverKind.UNIPC, GUIDE, SIZE, 2, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, stage);
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be)) {
            SurfPipeline pipeline = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base));
            try (SurfPipeline.Result r = pipeline.run(plan, m.cond(), SEED, ProgressListener.NONE, () -> false)) {
                FlowSchedule sched = SolverKind.UNIPC.schedule(8, 3.0);
                int first = 0;
                while (sched.solverSigma(first) > 0.6f) {
                    first++;
                }
                assertTrue(first > 0 && first < 8, "s0 = 0.6 falls inside the schedule, at step " + first);
                assertEquals(8 - first, r.stages().get(r.stages().size() - 1).steps());
                try (Tensor ref = reference(be, m, m.base, r.preview().latent(), sched, first)) {
                    assertArrayEquals(be.toFloats(ref), be.toFloats(r.refined()));
                }
            }
        }
    }

    @Test
    void windowedRefineRunsTheBaseWeightsWithTheRefinersTimeWindows() throws Exception {
        RefineStage stage = RefineStage.fromBase(24, 24, 6, 5.0, GUIDE, new BaseRefine(0.7, 2));
        StagePlan plan = StagePlan.surf(4, 5.0, SolverKind.UNIPC, GUIDE, SIZE, 2, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, stage);
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be);
             WanModel windowed = WanModel.load(new RandomWeights(TinyModels.BASE_SEED), be, TinyModels.BASE, 2)) {
            SurfPipeline pipeline = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base));
            float[] global;
            try (SurfPipeline.Result r = pipeline.run(plan.withRefine(RefineStage.fromBase(24, 24, 6, 5.0, GUIDE,
                    new BaseRefine(0.7, 0))), m.cond(), SEED, ProgressListener.NONE, () -> false)) {
                global = be.toFloats(r.refined());
            }
            try (SurfPipeline.Result r = pipeline.run(plan, m.cond(), SEED, ProgressListener.NONE, () -> false)) {
                FlowSchedule sched = SolverKind.UNIPC.schedule(6, 5.0);
                int first = new BaseRefine(0.7, 2).firstStep(sched);
                // the reference: the same weights loaded afresh as a windowed model
                try (Tensor ref = reference(be, m, windowed, r.preview().latent(), sched, first)) {
                    assertArrayEquals(be.toFloats(ref), be.toFloats(r.refined()));
                }
                assertFalse(Arrays.equals(global, be.toFloats(r.refined())), "windows change the attention");
            }
            // the base model is untouched by its windowed view: still global attention, still usable
            assertEquals(0, m.base.windowFrames());
            try (SurfPipeline.Result r = pipeline.run(plan.withRefine(RefineStage.fromBase(24, 24, 6, 5.0, GUIDE,
                    new BaseRefine(0.7, 0))), m.cond(), SEED, ProgressListener.NONE, () -> false)) {
                assertArrayEquals(global, be.toFloats(r.refined()));
            }
        }
    }

    @Test
    void thePriceCountsTheStepsFromS0OnAtTheTargetSize() {
        // Euler grid of 10 steps, shift 5: sigma_i = 5 u / (1 + 4 u), u = 1 - i/10. s0 = 0.75 needs u <= 0.375,
        // so i >= 7: 3 steps run; under guidance 6 forwards of the base model at the target size.
        WanConfig c = TinyModels.BASE;
        RefineStage stage = RefineStage.fromBase(24, 32, 10, 5.0, GUIDE, new BaseRefine(0.75, 0));
        StagePlan plan = StagePlan.surf(10, 5.0, SolverKind.EULER, GUIDE, SIZE, 4, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, stage);
        PricedPlan p = PricedPlan.of(plan, Map.of(ModelRole.BASE, c), 0);
        PricedPlan.Stage r = p.refine();
        assertEquals(ModelRole.BASE, r.role());
        assertTrue(r.refines());
        assertEquals(3, r.steps());
        assertEquals(6, r.forwards());
        assertEquals(6 * FlopModel.forward(c, 3, 24, 32, 0).total(), r.total().total(), 1e-6 * r.total().total());
        assertEquals(2, p.segments().size(), "the base refine is not a sampling segment");
        assertEquals(4 + 6 + 3, p.stepFlops().length);
        // windowed: priced with the windowed attention
        RefineStage windowed = RefineStage.fromBase(24, 32, 10, 5.0, GUIDE, new BaseRefine(0.75, 1));
        assertEquals(6 * FlopModel.forward(c, 3, 24, 32, 1).total(),
                PricedPlan.of(plan.withRefine(windowed), Map.of(ModelRole.BASE, c), 0).refine().total().total(), 1);
        // s0 = 1: every step
        RefineStage all = RefineStage.fromBase(24, 32, 10, 5.0, 1.0, new BaseRefine(1.0, 0));
        assertEquals(10, PricedPlan.of(plan.withRefine(all), Map.of(ModelRole.BASE, c), 0).refine().forwards());
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BaseRefine(0, 0)).getMessage().contains("s0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BaseRefine(1.5, 0)).getMessage().contains("s0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BaseRefine(0.5, -1)).getMessage().contains("window"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RefineStage(8, 8, 4, 1, 0.3, 1, new BaseRefine(0.5, 0))).getMessage().contains("start noise"));
        try (CpuBackend be = new CpuBackend(1); PipelineTestModels m = new PipelineTestModels(be)) {
            SurfPipeline pipeline = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base));
            StagePlan odd = StagePlan.baseline(4, 5.0, SolverKind.EULER, 1.0, SIZE)
                    .withRefine(RefineStage.fromBase(15, 16, 4, 5.0, 1.0, BaseRefine.standard()));
            String msg = assertThrows(IllegalArgumentException.class, () -> pipeline.price(odd)).getMessage();
            assertTrue(msg.contains("of model 'base'"), msg);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The documented computation: z = (1 - sigma) up(preview) + sigma eps (stream 1000) at step first, then the solver. */
    private static Tensor reference(Backend be, PipelineTestModels m, WanModel model, Tensor preview, FlowSchedule sched, int first) {
        float sigma = sched.solverSigma(first);
        Tensor z = be.empty(DType.F32, Shape.of(preview.dim(0), preview.dim(1), 24, 24));
        be.fillNormal(z, SEED, 1000);
        try (Tensor lr = be.resize(preview, 24, 24, ResizeMode.BILINEAR)) {
            be.combineInto(z, new float[] {1f - sigma, sigma}, lr, z);
        }
        try (Solver solver = SolverKind.UNIPC.create(sched); TextContext text = model.prepareText(List.of(m.ctx, m.neg))) {
            solver.begin(first);
            for (int i = first; i < sched.steps(); i++) {
                try (Tensor v = guided(be, model, text, z, sched.modelTimestep(i))) {
                    Tensor next = solver.step(be, i, z, v);
                    z.close();
                    z = next;
                }
            }
        }
        return z;
    }

    private static Tensor guided(Backend be, WanModel model, TextContext text, Tensor x, float t) {
        int[] d = x.shape().dims();
        Tensor one = x.view(1, d[0], d[1], d[2], d[3]);
        try (Tensor pair = be.concat(0, one, one); Tensor v = model.forward(pair, new float[] {t, t}, text)) {
            return Guidance.cfg(be, v.slice(1, 2).view(x.shape()), v.slice(0, 1).view(x.shape()), (float) GUIDE);
        }
    }
}
