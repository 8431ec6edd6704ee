package dev.surf.models.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.models.api.GenerationRequest;
import dev.surf.models.api.GenerationResult;
import dev.surf.models.api.SurfEngine;
import dev.surf.models.api.SurfOptions;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.sched.SolverKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * SURF's time follows the FLOP model stage by stage: each stage of a tiny-model SURF run costs its
 * FLOP share of a plain run at the same resolution, within 25%. The signature stage (k steps at the
 * full size) is priced against the baseline at the full size, the preview stage (the other steps at
 * half size) against a plain run at half size. A stage that secretly ran at the wrong size, ran extra
 * forwards or redid work would miss by far more.
 *
 * <p>Why per resolution and not the end-to-end ratio against the FLOP ratio: a FLOP is not the same
 * time at every size. On a model this small the half-size steps (320 tokens) run at about half the
 * FLOP rate of the full-size ones, and by how much depends on the machine's caches and core count
 * (2.4x measured on one 2-core VM, 2.0x on CI's, against 2.87x by FLOPs). The FLOP model does not
 * model efficiency, so the honest check compares equal shapes; the message prints both rates.
 *
 * <p>Measured in a warm JVM, alternating the runs and taking each one's fastest repetition: noise from
 * other processes only ever adds time, so the minimum is the estimate of the work itself.
 */
class SurfTimingTest {

    private static final int STEPS = 20;
    private static final int K = 5;

    @Test
    void everyStageCostsItsFlopShareOfAPlainRunAtItsResolution() throws Exception {
        TextEmbedding ctx = TextEmbedding.standIn("timing", TinyModels.BASE.textDim(), 8);
        VideoSize full = new VideoSize(256, 256, 17);
        VideoSize half = new VideoSize(128, 128, 17);
        GenerationRequest baseline = plain(ctx, full);
        GenerationRequest baselineHalf = plain(ctx, half);
        GenerationRequest surf = new GenerationRequest(ctx, null, full, 1, STEPS, 5.0, 1.0, SolverKind.UNIPC,
                new SurfOptions(K, 0.5, null, null), null);
        try (SurfEngine engine = SurfEngine.builder().device("cpu").tinyModels().noRefiner().build()) {
            for (int i = 0; i < 2; i++) {
                engine.generate(surf, ProgressListener.NONE, () -> false);
                engine.generate(baseline, ProgressListener.NONE, () -> false);
                engine.generate(baselineHalf, ProgressListener.NONE, () -> false);
            }
            int reps = 7;
            double[] tFull = new double[reps];
            double[] tHalf = new double[reps];
            double[] tSignature = new double[reps];
            double[] tPreview = new double[reps];
            GenerationResult b = null;
            GenerationResult h = null;
            GenerationResult s = null;
            for (int i = 0; i < reps; i++) {
                b = engine.generate(baseline, ProgressListener.NONE, () -> false);
                s = engine.generate(surf, ProgressListener.NONE, () -> false);
                h = engine.generate(baselineHalf, ProgressListener.NONE, () -> false);
                assertEquals(2, s.stages().size(), "SURF without a refiner runs a signature and a preview stage");
                tFull[i] = b.seconds();
                tHalf[i] = h.seconds();
                tSignature[i] = s.stages().get(0).seconds();
                tPreview[i] = s.stages().get(1).seconds();
            }
            StageReport signature = s.stages().get(0);
            StageReport preview = s.stages().get(1);
            assertEquals(b.stages().get(0).latent(), signature.latent(), "the signature stage runs at the full size");
            assertEquals(h.stages().get(0).latent(), preview.latent(), "the preview stage runs at half size");
            assertEquals(K, signature.steps());
            assertEquals(STEPS - K, preview.steps());

            double flopRatio = b.flops().total() / s.flops().total();
            double signatureShare = signature.flops().total() / b.flops().total();
            double previewShare = preview.flops().total() / h.flops().total();
            double measuredSignature = fastest(tSignature) / fastest(tFull);
            double measuredPreview = fastest(tPreview) / fastest(tHalf);
            String msg = String.format(
                    "signature %.3f of the full-size run (FLOPs %.3f), preview %.3f of the half-size run (FLOPs %.3f); "
                            + "end to end %.2fx measured vs %.2fx by FLOPs; FLOP rate full %.1f, half %.1f GFLOP/s "
                            + "(full %s s, half %s s, signature %s s, preview %s s)",
                    measuredSignature, signatureShare, measuredPreview, previewShare,
                    fastest(tFull) / (fastest(tSignature) + fastest(tPreview)), flopRatio,
                    b.flops().total() / fastest(tFull) / 1e9, h.flops().total() / fastest(tHalf) / 1e9,
                    Arrays.toString(tFull), Arrays.toString(tHalf), Arrays.toString(tSignature), Arrays.toString(tPreview));
            System.out.println(msg);
            assertTrue(flopRatio > 2, "the plan must save real work: " + msg);
            assertTrue(Math.abs(measuredSignature / signatureShare - 1) <= 0.25, msg);
            assertTrue(Math.abs(measuredPreview / previewShare - 1) <= 0.25, msg);
        }
    }

    private static GenerationRequest plain(TextEmbedding ctx, VideoSize size) {
        return new GenerationRequest(ctx, null, size, 1, STEPS, 5.0, 1.0, SolverKind.UNIPC, null, null);
    }

    private static double fastest(double[] a) {
        return Arrays.stream(a).min().orElseThrow();
    }
}
