package dev.surf.models.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.pipeline.BaseRefine;
import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.PricedPlan;
import dev.surf.models.pipeline.ProgressListener;
import dev.surf.models.pipeline.ReshiftMode;
import dev.surf.models.pipeline.StageReport;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.sched.SolverKind;
import org.junit.jupiter.api.Test;

/**
 * The refine choice of the Java API: an engine built with {@code refineWithBase()} refines
 * training-free, {@link SurfEngine#refineTo} gives each engine its kind of options, the wrong kind is
 * refused naming the fix, and a preview refined later equals the refine of the same run.
 */
class SurfEngineRefineChoiceTest {
    private static final TextEmbedding CTX = TextEmbedding.standIn("a cat", TinyModels.BASE.textDim(), 8);
    private static final TextEmbedding NEG = TextEmbedding.standIn("blurry", TinyModels.BASE.textDim(), 8);

    private static GenerationRequest request(RefineOptions refine) {
        return new GenerationRequest(CTX, NEG, new VideoSize(64, 64, 5), 7, 4, 5.0, 3.0, SolverKind.UNIPC,
                new SurfOptions(2, 0.5, null, ReshiftMode.FLOW_CONSISTENT), refine);
    }

    @Test
    void anEngineBuiltToRefineWithTheBaseRunsTheTrainingFreeRefine() throws Exception {
        try (SurfEngine engine = SurfEngine.builder().device("cpu:2").tinyModels().refineWithBase().build()) {
            assertTrue(engine.refinesTrainingFree());
            assertTrue(engine.hasRefiner());
            assertTrue(engine.describe().stream().anyMatch(l -> l.startsWith("refiner: training-free refine with the base")),
                    engine.describe().toString());
            GenerationRequest plain = request(null);
            RefineOptions how = engine.refineTo(96, 96, plain);
            assertTrue(how.trainingFree());
            assertEquals(4, how.steps());
            assertEquals(BaseRefine.DEFAULT_START_SIGMA, how.base().startSigma());
            GenerationRequest r = request(how);
            PricedPlan priced = engine.price(r);
            assertEquals(ModelRole.BASE, priced.refine().role());
            GenerationResult res = engine.generate(r, ProgressListener.NONE, () -> false);
            StageReport last = res.stages().get(res.stages().size() - 1);
            assertEquals("refine 12x12 [base]", last.name());
            assertEquals(priced.refine().total().total(), last.flops().total());
            assertEquals(priced.refine().steps(), last.steps());
            // a preview refined later is the same refine
            GenerationResult later = engine.refine(res.preview(), r, how, ProgressListener.NONE, () -> false);
            assertArrayEquals(res.latent().values(), later.latent().values());

            String msg = assertThrows(IllegalArgumentException.class, () -> engine.validate(request(RefineOptions.to(96, 96))))
                    .getMessage();
            assertTrue(msg.contains("RefineOptions.fromBase"), msg);
        }
    }

    @Test
    void theTinyDefaultKeepsItsRefinerAndRefusesTrainingFreeOptions() throws Exception {
        try (SurfEngine engine = SurfEngine.builder().device("cpu:1").tinyModels().build()) {
            assertFalse(engine.refinesTrainingFree());
            GenerationRequest plain = request(null);
            assertFalse(engine.refineTo(96, 96, plain).trainingFree());
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> engine.validate(request(RefineOptions.fromBase(96, 96, plain)))).getMessage();
            assertTrue(msg.contains("refineWithBase()"), msg);
        }
    }
}
