package dev.surf.models.flops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.models.pipeline.ModelRole;
import dev.surf.models.pipeline.PricedPlan;
import dev.surf.models.pipeline.RefineStage;
import dev.surf.models.pipeline.ReshiftMode;
import dev.surf.models.pipeline.StagePlan;
import dev.surf.models.pipeline.VideoSize;
import dev.surf.models.refiner.RefinerConfig;
import dev.surf.models.sched.SolverKind;
import dev.surf.models.vae.WanVaeConfig;
import dev.surf.models.wan.WanConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The FLOP model against values computed by hand from spec/wan21.md §2.8 (the literals below were
 * evaluated once with exact integer arithmetic in Python from the per-block formulas).
 */
class FlopModelTest {

    @Test
    void wan13bAt480pMatchesTheSpecFormulas() {
        ForwardFlops f = FlopModel.forward(WanConfig.T2V_1_3B, 21, 60, 104, 0);
        // 30 * (4 L^2 d + 4 L n d), L = 32760, d = 1536, n = 512
        assertEquals(200_907_089_510_400.0, f.attention(), 1);
        // 30 * (8 L d^2 + 4 L d^2 + 4 n d^2 + 4 L d f) + patch + text + time + head
        assertEquals(82_094_698_266_624.0, f.linear(), 1);
        // the spec: about 2.8e14 per forward, about 70% attention
        assertEquals(2.8e14, f.total(), 0.05e14);
        assertEquals(0.71, f.attention() / f.total(), 0.01);
    }

    @Test
    void wan14bAt720pMatchesTheSpecFormulas() {
        ForwardFlops f = FlopModel.forward(WanConfig.T2V_14B, 21, 90, 160, 0);
        assertEquals(4_713_731_850_240_000.0, f.attention(), 1);
        assertEquals(1_809_704_741_765_120.0, f.linear(), 1);
        assertEquals(6.5e15, f.total(), 0.05e15); // spec: about 6.5e15 per forward
        // 50 steps with CFG: about 6.5e17 per video (spec), the paper's 658.5 PFLOPs
        assertEquals(6.5e17, FlopModel.sampling(f, 50, true).total(), 0.1e17);
    }

    @Test
    void windowedAttentionCountsOnlyTheKeysEachQuerySees() {
        // 21 frames, window 4: even blocks group 4,4,4,4,4,1 frames (sum of squares 81); odd blocks,
        // shifted by 2, group 4,4,4,4,3 plus the two wrapped frames alone in their windows (75)
        assertEquals((81 + 75) / 2.0 * 64 * 64, FlopModel.windowedPairs(21, 64, 4, 40), 1e-6);
        // an odd number of blocks weighs the plain windows once more
        assertEquals((81 * 2 + 75) / 3.0, FlopModel.windowedPairs(21, 1, 4, 3), 1e-9);
        // a window covering every frame is global attention
        assertEquals(21.0 * 21, FlopModel.windowedPairs(21, 1, 32, 2), 1e-9);
    }

    @Test
    void surfPlanOfThePaperIsPricedPerStage() {
        StagePlan plan = StagePlan.surf(40, 5, SolverKind.UNIPC, 5, new VideoSize(832, 480, 81), 10, 0.5, 2, null,
                ReshiftMode.FLOW_CONSISTENT, new RefineStage(90, 160, 10, 1, 0, 1));
        PricedPlan priced = PricedPlan.of(plan, Map.of(ModelRole.BASE, WanConfig.T2V_14B, ModelRole.REFINER,
                RefinerConfig.DEFAULT.arch()), RefinerConfig.DEFAULT.windowFrames());
        List<PricedPlan.Stage> s = priced.stages();
        assertEquals(3, s.size());
        assertEquals(20, s.get(0).forwards());
        assertEquals(60, s.get(1).forwards());
        assertEquals(10, s.get(2).forwards(), "the Refiner runs without guidance by default");
        assertEquals(FlopModel.forward(WanConfig.T2V_14B, 21, 60, 104, 0).total() * 20, s.get(0).total().total(), 1e3);
        assertEquals(FlopModel.forward(WanConfig.T2V_14B, 21, 30, 52, 0).total() * 60, s.get(1).total().total(), 1e3);
        assertEquals(FlopModel.forward(RefinerConfig.DEFAULT.arch(), 21, 90, 160, 4).total() * 10, s.get(2).total().total(), 1e3);
        double baseline = FlopModel.sampling(FlopModel.forward(WanConfig.T2V_14B, 21, 90, 160, 0), 40, true).total();
        double surf = s.stream().mapToDouble(x -> x.total().total()).sum();
        assertEquals(surf, priced.total().total(), surf * 1e-12);
        // the ETA's weights: per step, in run order, summing to the whole
        double[] steps = priced.stepFlops();
        assertEquals(40 + 10, steps.length);
        assertEquals(s.get(0).total().total() / 10, steps[0], 1e3);
        assertEquals(s.get(1).total().total() / 30, steps[10], 1e3);
        assertEquals(s.get(2).total().total() / 10, steps[49], 1e3);
        assertEquals(surf, java.util.Arrays.stream(steps).sum(), surf * 1e-12);
        assertEquals(s.get(2), priced.refine());
        assertEquals(s.subList(0, 2), priced.segments());
        // the 720p baseline costs an order of magnitude more than SURF 10-30 at 480p/240p plus the Refiner
        assertEquals(10.0, baseline / surf, 0.1);
    }

    @Test
    void vaeDecodeCountsEveryConvolutionTapAndTheMiddleAttention() {
        // literals: the layer walk of Decoder3d evaluated with exact integers in Python
        assertEquals(4_352_196_526_080.0, FlopModel.vaeDecode(WanVaeConfig.WAN21, 1, 60, 104), 1);
        assertEquals(17_902_196_981_760.0, FlopModel.vaeDecode(WanVaeConfig.WAN21, 2, 60, 104), 1);
        assertEquals(275_352_205_639_680.0, FlopModel.vaeDecode(WanVaeConfig.WAN21, 21, 60, 104), 1);
        // the first chunk of 5 frames: 1 video frame; every later one: 4, each at 8x the latent's H and W
        double perLaterChunk = FlopModel.vaeDecode(WanVaeConfig.WAN21, 3, 60, 104)
                - FlopModel.vaeDecode(WanVaeConfig.WAN21, 2, 60, 104);
        assertEquals(13_550_000_455_680.0, perLaterChunk, 1);
    }

    @Test
    void parameterCountsMatchTheSpec() {
        assertEquals(1_418_996_800L, WanConfig.T2V_1_3B.parameterCount());
        assertEquals(14_288_491_584L, WanConfig.T2V_14B.parameterCount());
        assertEquals(1.02e9, RefinerConfig.DEFAULT.arch().parameterCount(), 0.01e9);
    }
}
