package dev.surf.models.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.sched.SolverKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class SurfPipelineTest {
    private static final VideoSize SIZE = new VideoSize(128, 128, 9); // latent 3 x 16 x 16

    private static float[] run(CpuBackend be, StagePlan plan, long seed) throws Exception {
        try (PipelineTestModels m = new PipelineTestModels(be);
             SurfPipeline.Result r = m.pipeline().run(plan, m.cond(), seed, ProgressListener.NONE, () -> false)) {
            return be.toFloats(r.latent());
        }
    }

    @Test
    void kEqualToStepsIsTheBaselineBitForBit() throws Exception {
        try (CpuBackend be = new CpuBackend(2)) {
            StagePlan baseline = StagePlan.baseline(6, 5.0, SolverKind.UNIPC, 3.0, SIZE);
            StagePlan surfAtN = StagePlan.surf(6, 5.0, SolverKind.UNIPC, 3.0, SIZE, 6, 0.5, 2, null,
                    ReshiftMode.FLOW_CONSISTENT, null);
            assertEquals(1, surfAtN.segments().size());
            assertArrayEquals(run(be, baseline, 3), run(be, surfAtN, 3));
        }
    }

    @Test
    void sameSeedAndPlanGiveTheSameBytesTwiceAndForAnyThreadCount() throws Exception {
        StagePlan plan = StagePlan.surf(6, 5.0, SolverKind.UNIPC, 3.0, SIZE, 2, 0.5, 2, 3.0,
                ReshiftMode.FLOW_CONSISTENT, RefineStage.to(24, 24));
        float[] ref;
        try (CpuBackend be = new CpuBackend(1)) {
            ref = run(be, plan, 11);
            assertArrayEquals(ref, run(be, plan, 11), "twice on one backend");
        }
        for (int threads : new int[] {2, 3}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                assertArrayEquals(ref, run(be, plan, 11), threads + " threads");
            }
        }
        try (CpuBackend be = new CpuBackend(2)) {
            assertFalse(Arrays.equals(ref, run(be, plan, 12)), "another seed gives another latent");
        }
    }

    @Test
    void surfRunsTheStagesItPlansAndReportsThem() throws Exception {
        StagePlan plan = StagePlan.surf(8, 5.0, SolverKind.UNIPC, 3.0, SIZE, 3, 0.5, 2, null,
                ReshiftMode.PAPER_LITERAL, RefineStage.to(32, 32));
        List<StepProgress> steps = new ArrayList<>();
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be);
             SurfPipeline.Result r = m.pipeline().run(plan, m.cond(), 5, steps::add, () -> false)) {
            assertEquals(List.of(16, 3, 8, 8).toString(), Arrays.toString(r.preview().latent().shape().dims()));
            assertEquals(List.of(16, 3, 32, 32).toString(), Arrays.toString(r.refined().shape().dims()));
            assertEquals(3, r.stages().size());
            assertEquals(3, r.stages().get(0).steps());
            assertEquals(5, r.stages().get(1).steps());
            assertEquals(10, r.stages().get(2).steps());
            assertTrue(r.stages().get(0).name().startsWith("signature"));
            assertTrue(r.stages().get(2).name().startsWith("refine"));
            for (float v : be.toFloats(r.refined())) {
                assertTrue(Float.isFinite(v));
            }
        }
        assertEquals(18, steps.size());
        assertEquals(18, steps.get(17).done());
        assertEquals(0.0, steps.get(17).etaSeconds(), 1e-9);
    }

    @Test
    void aPreviewCanBeRefinedLaterToAnySize() throws Exception {
        StagePlan plan = StagePlan.surf(4, 5.0, SolverKind.EULER, 1.0, SIZE, 2, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, null);
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be);
             Preview p = m.pipeline().preview(plan, m.cond(), 9, ProgressListener.NONE, () -> false)) {
            float[] before = be.toFloats(p.latent());
            try (SurfPipeline.Result a = m.pipeline().refine(p, RefineStage.to(16, 24), m.cond(), ProgressListener.NONE, () -> false);
                 SurfPipeline.Result b = m.pipeline().refine(p, RefineStage.to(24, 16), m.cond(), ProgressListener.NONE, () -> false)) {
                assertEquals(List.of(16, 3, 16, 24).toString(), Arrays.toString(a.latent().shape().dims()));
                assertEquals(List.of(16, 3, 24, 16).toString(), Arrays.toString(b.latent().shape().dims()));
            }
            assertArrayEquals(before, be.toFloats(p.latent()), "refining leaves the preview untouched");
        }
    }

    @Test
    void cancellationStopsWithinAStep() throws Exception {
        StagePlan plan = StagePlan.baseline(20, 5.0, SolverKind.UNIPC, 1.0, SIZE);
        int[] seen = {0};
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be)) {
            assertThrows(CancellationException.class, () -> m.pipeline().run(plan, m.cond(), 1, p -> seen[0]++, () -> seen[0] >= 3));
        }
        assertEquals(3, seen[0]);
    }

    @Test
    void aPlanTheLoadedModelsCannotRunFailsBeforeAnyStep() throws Exception {
        int[] steps = {0};
        try (CpuBackend be = new CpuBackend(2); PipelineTestModels m = new PipelineTestModels(be)) {
            SurfPipeline baseOnly = new SurfPipeline(be, Map.of(ModelRole.BASE, m.base));
            StagePlan refined = StagePlan.surf(4, 5.0, SolverKind.EULER, 1.0, SIZE, 2, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT,
                    RefineStage.to(16, 16));
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> baseOnly.run(refined, m.cond(), 1, p -> steps[0]++, () -> false)).getMessage();
            assertEquals("this plan has a refine stage but no Refiner was loaded", msg);
            StagePlan switched = StagePlan.baseline(4, 5.0, SolverKind.EULER, 1.0, SIZE).withModelFrom(2, ModelRole.SMALL);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> baseOnly.run(switched, m.cond(), 1, p -> steps[0]++, () -> false)).getMessage();
            assertEquals("plan names model 'small' but only [base] are loaded", msg);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> m.pipeline().run(refined.withRefine(RefineStage.to(15, 16)), m.cond(), 1, p -> steps[0]++, () -> false))
                    .getMessage();
            assertTrue(msg.contains("not divisible by the Refiner's patch"), msg);
            // a preview needs no Refiner
            try (Preview p = baseOnly.preview(refined, m.cond(), 1, p2 -> steps[0]++, () -> false)) {
                assertEquals(4, steps[0]);
            }
        }
        String msg = assertThrows(IllegalArgumentException.class, () -> new Segment(ModelRole.REFINER, 8, 8, 0, 2, null)).getMessage();
        assertTrue(msg.contains("sampling model role"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> new SurfPipeline(null, Map.of())).getMessage();
        assertTrue(msg.contains("BASE"), msg);
    }

    @Test
    void planValidationNamesTheProblem() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> StagePlan.surf(10, 5, SolverKind.UNIPC, 1, SIZE, 11, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, null)).getMessage();
        assertTrue(m.contains("k = 11"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> StagePlan.surf(10, 5, SolverKind.UNIPC, 1, SIZE, 0, 0.5, 2, null, ReshiftMode.FLOW_CONSISTENT, null)).getMessage();
        assertTrue(m.contains("k = 0"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> StagePlan.surf(10, 5, SolverKind.UNIPC, 1, SIZE, 3, 0.01, 2, null, ReshiftMode.FLOW_CONSISTENT, null)).getMessage();
        assertTrue(m.contains("below one patch"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> StagePlan.surf(10, 5, SolverKind.UNIPC, 1, SIZE, 3, 1.5, 2, null, ReshiftMode.FLOW_CONSISTENT, null)).getMessage();
        assertTrue(m.contains("(0, 1]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new StagePlan(10, 5, SolverKind.UNIPC, 1, 3,
                List.of(new Segment(ModelRole.BASE, 16, 16, 0, 4, null), new Segment(ModelRole.BASE, 8, 8, 5, 10, null)),
                ReshiftMode.FLOW_CONSISTENT, dev.surf.core.ResizeMode.BILINEAR, null)).getMessage();
        assertTrue(m.contains("contiguous"), m);
        StagePlan odd = new StagePlan(4, 5, SolverKind.UNIPC, 1, 3, List.of(new Segment(ModelRole.BASE, 15, 16, 0, 4, null)),
                ReshiftMode.FLOW_CONSISTENT, dev.surf.core.ResizeMode.BILINEAR, null);
        m = assertThrows(IllegalArgumentException.class, () -> odd.checkPatch(ModelRole.BASE, 2, 2)).getMessage();
        assertTrue(m.contains("not divisible by the patch"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new VideoSize(130, 128, 9)).getMessage();
        assertTrue(m.contains("multiples of 16"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new VideoSize(128, 128, 10)).getMessage();
        assertTrue(m.contains("4n+1"), m);
    }

    @Test
    void lowScaleRoundsToThePatch() {
        StagePlan p = StagePlan.surf(40, 5, SolverKind.UNIPC, 5, new VideoSize(1280, 720, 81), 10, 0.5, 2, null,
                ReshiftMode.FLOW_CONSISTENT, null);
        // 720p latent 90 x 160: half is 45 rows, rounded to the nearest multiple of the 2-row patch
        assertEquals(46, p.segments().get(1).latentHeight());
        assertEquals(80, p.segments().get(1).latentWidth());
        assertEquals(10, p.segments().get(0).endStep());
    }

    @Test
    void modelSwitchSplitsTheSegments() {
        StagePlan p = StagePlan.surf(40, 5, SolverKind.UNIPC, 5, new VideoSize(832, 480, 81), 10, 0.5, 2, null,
                ReshiftMode.FLOW_CONSISTENT, null).withModelFrom(5, ModelRole.SMALL);
        assertEquals(3, p.segments().size());
        assertEquals(ModelRole.BASE, p.segments().get(0).role());
        assertEquals(5, p.segments().get(0).endStep());
        assertEquals(ModelRole.SMALL, p.segments().get(1).role());
        assertEquals(60, p.segments().get(1).latentHeight());
        assertEquals(ModelRole.SMALL, p.segments().get(2).role());
        assertEquals(30, p.segments().get(2).latentHeight());
    }
}
