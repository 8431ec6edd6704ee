package dev.surf.models.refiner.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.models.api.TextEmbedding;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short Refiner runs of the tiny Refiner on procedural moving shapes (tiny random VAE, box
 * downscale): training lowers the held-out validation loss and the refined latent ends closer to
 * z_hr than the un-refined preview; a resumed run equals the uninterrupted one byte for byte.
 */
class RefinerTrainingTest {
    private static final int W = 32;
    private static final int H = 32;
    private static final RefinerData.Settings SETTINGS = new RefinerData.Settings(W, H, 16, 16, 0.05, 5);

    private static final int TRAIN = 16;
    private static final int VAL = 2;

    @TempDir
    Path dir;

    private static TextEmbedding standIn(String caption) {
        return TextEmbedding.standIn(caption, TinyModels.REFINER.arch().textDim(), TinyModels.REFINER.arch().textLen());
    }

    /** Training clips (the first {@code count} videos) and held-out clips (the next VAL), 9 frames each. */
    private RefinerData[] data(WanVaeEncoder vae, int count) throws IOException {
        Path data = dir.resolve("data");
        if (!Files.exists(data)) {
            Files.createDirectories(data);
            for (int v = 0; v < count + VAL; v++) {
                MovingShapes.writeTensor(data, String.format("v%02d", v), 100 + v, 9, W, H);
            }
        }
        List<TrainingClips.Clip> all = TrainingClips.scan(data, 9, W, H, null);
        RefinerData train = new RefinerData(all.subList(0, count), java.util.stream.IntStream.range(0, count).toArray(), vae,
                MovingShapes.BOX_DOWNSCALE, SETTINGS, dir.resolve("cache"), null, RefinerTrainingTest::standIn);
        RefinerData val = new RefinerData(all.subList(count, count + VAL), java.util.stream.IntStream.range(count, count + VAL).toArray(),
                vae, MovingShapes.BOX_DOWNSCALE, SETTINGS, dir.resolve("cache"), null, RefinerTrainingTest::standIn);
        return new RefinerData[] {train, val};
    }

    /** Runs the schedule of {@code o} into out (resuming when asked) with a fresh model; returns nothing, the files are the result. */
    private void run(RefinerTraining.Options o, Path out, boolean resume) throws Exception {
        try (Backend be = new CpuBackend(2); WanVaeEncoder vae = WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE);
             WanModel model = Refiner.random(TinyModels.REFINER_SEED, be, TinyModels.REFINER)) {
            RefinerData[] d = data(vae, 3);
            RefinerTraining.run(model, d[0], d[1], null, o, out, resume, null);
        }
    }

    @Test
    void aResumedRunEqualsTheUninterruptedOne() throws Exception {
        Path straight = Files.createDirectories(dir.resolve("straight"));
        Path resumed = Files.createDirectories(dir.resolve("resumed"));
        // the frame stage changes at step 3, inside the resumed half
        FrameStages stages = FrameStages.parse("5:3,9");
        run(new RefinerTraining.Options(6, 1e-3, stages, 2, 2, 3, 1.0, 2), straight, false);
        run(new RefinerTraining.Options(2, 1e-3, stages, 2, 2, 3, 1.0, 2), resumed, false);
        run(new RefinerTraining.Options(6, 1e-3, stages, 2, 2, 3, 1.0, 2), resumed, true);
        for (String f : List.of(RefinerTraining.CHECKPOINT, RefinerTraining.WEIGHTS, RefinerTraining.CSV)) {
            assertArrayEquals(Files.readAllBytes(straight.resolve(f)), Files.readAllBytes(resumed.resolve(f)), f);
        }
        List<String> csv = Files.readAllLines(straight.resolve(RefinerTraining.CSV));
        assertEquals(LossLog.header(), csv.get(0));
        assertEquals(7, csv.size());
        assertTrue(csv.get(2).startsWith("2,") && !csv.get(2).endsWith(","), "step 2 has a validation: " + csv.get(2));
        assertTrue(csv.get(1).endsWith(",,,,,,,,,"), "step 1 has none: " + csv.get(1));
        assertTrue(csv.get(4).split(",")[2].equals("9") && csv.get(3).split(",")[2].equals("5"), "stage change after step 3");
    }

    @Test
    void trainingLowersTheValidationLossAndRefinesTowardsHr() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        try (Backend be = new CpuBackend(2); WanVaeEncoder vae = WanVaeEncoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE);
             WanVaeDecoder dec = WanVaeDecoder.load(new RandomWeights(TinyModels.VAE_SEED), be, TinyModels.VAE);
             WanModel model = Refiner.random(TinyModels.REFINER_SEED, be, TinyModels.REFINER)) {
            RefinerData[] d = data(vae, TRAIN);
            RefinerValidation.Scores before = RefinerValidation.evaluate(model, d[1], dec, 10, 1.0);
            RefinerTraining.Options o = new RefinerTraining.Options(300, 3e-3, FrameStages.parse("5:100,9"), 100, 0, 3, 1.0, 10);
            List<RefinerTraining.Step> steps = new ArrayList<>();
            long t0 = System.nanoTime();
            RefinerValidation.Scores after = RefinerTraining.run(model, d[0], d[1], dec, o, out, false, steps::add);
            System.out.printf("before %s%nafter  %s%n%.2f s%n", before, after, (System.nanoTime() - t0) / 1e9);
            double first = steps.subList(0, 10).stream().mapToDouble(RefinerTraining.Step::loss).average().orElseThrow();
            double last = steps.subList(steps.size() - 10, steps.size()).stream().mapToDouble(RefinerTraining.Step::loss).average().orElseThrow();
            System.out.printf("training loss first 10 %.4f last 10 %.4f%n", first, last);
            // measured (2026-12-03): validation loss 1.39 -> 0.036; latent MSE to z_hr 0.0352 refined vs 0.0409 un-refined
            assertTrue(after.loss() < 0.05 * before.loss(), "validation loss " + before.loss() + " -> " + after.loss());
            assertTrue(after.mseRefined() < 0.95 * after.msePreview(), "refined " + after.mseRefined() + " vs preview " + after.msePreview());
            assertTrue(Files.exists(out.resolve(RefinerTraining.WEIGHTS)));
        }
    }
}
