package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.testing.Fixtures;
import dev.surf.models.api.Latent;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.wan.WanModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who refines under {@code generate --refiner base|random|PATH}: the tiny demo keeps its random
 * Refiner, a real base model refines training-free by default, a file with the Refiner's shapes is
 * the Refiner, any other Wan DiT refines training-free; the summary names the stage's model.
 */
class RefinerChoiceTest {
    @TempDir
    Path dir;

    private CliRun generate(String out, String... extra) {
        String[] base = {"generate", "--size", "64x64", "--frames", "5", "--steps", "2", "--surf", "--k", "1",
            "--refine-to", "96x96", "--video", "none", "--device", "cpu:2", "--output", dir.resolve(out).toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliRun.of(all);
    }

    /** The line of the summary table for the refine stage. */
    private static String refineRow(CliRun r) {
        return r.out().lines().filter(l -> l.startsWith("refine ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
    }

    private float[] latent(String out) throws Exception {
        return Latent.load(dir.resolve(out).resolve("latent-42.safetensors"), "latent").values();
    }

    @Test
    void theTinyDemoKeepsItsRandomRefinerAndSaysSo() {
        CliRun r = generate("a");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("RANDOM WEIGHTS"), r.err());
        assertTrue(refineRow(r).startsWith("refine 12x12 "), r.out());
        assertFalse(refineRow(r).contains("[base]"), r.out());
    }

    @Test
    void refinerBaseRefinesTrainingFreeWithTheBaseModel() {
        CliRun r = generate("b", "--refiner", "base", "--refine-start", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("training-free refine with the base model's own weights"), r.err());
        assertFalse(r.err().contains("RANDOM WEIGHTS ("), r.err());
        // s0 = 1: the whole schedule of --steps 2 runs again at the target size
        assertTrue(refineRow(r).matches("refine 12x12 \\[base\\]\\s+2x12x12\\s+2 .*"), refineRow(r));
    }

    @Test
    void refineRefinesASavedPreviewWithTheBaseModel() throws Exception {
        CliRun preview = CliRun.of("generate", "--size", "64x64", "--frames", "5", "--steps", "4", "--video", "none",
                "--device", "cpu:2", "--output", dir.resolve("p").toString());
        assertEquals(0, preview.code(), preview.err());
        Path latent = dir.resolve("p/latent-42.safetensors");
        CliRun r = CliRun.of("refine", "--preview", latent.toString(), "--refine-to", "96x96", "--refiner", "base",
                "--steps", "4", "--device", "cpu:2", "--output", dir.resolve("r").toString());
        assertEquals(0, r.code(), r.err());
        // the 4-step UniPC grid under shift 5 ends at sigma 0.625 > s0 = 0.6: only its last step runs
        assertTrue(r.out().contains("refine 12x12 [base]: 1 steps"), r.out());
        assertEquals(12, Latent.load(dir.resolve("r/refined-latent-42-96x96.safetensors"), "latent").width());
    }

    @Test
    void aRealBaseModelRefinesTrainingFreeByDefaultAndAnotherWanDitCanRefine() throws Exception {
        Path model = Files.createDirectories(dir.resolve("Wan-tiny"));
        Files.copy(Fixtures.path("wan-dit-tiny.safetensors"), model.resolve("diffusion_pytorch_model.safetensors"));
        Files.copy(Fixtures.path("wan-dit-tiny.json"), model.resolve("config.json"));
        Path context = dir.resolve("context.safetensors");
        float[] ctx = new float[4 * 96];
        for (int i = 0; i < ctx.length; i++) {
            ctx[i] = (float) Math.sin(0.37 * i);
        }
        SafetensorsWriter.writeFloats(context, Map.of("context", ctx, "context_null", new float[4 * 96]),
                Map.of("context", Shape.of(4, 96), "context_null", Shape.of(4, 96)), Map.of());
        CliRun r = generate("c", "--model", model.toString(), "--context", context.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("training-free refine with the base model's own weights"), r.err());
        assertTrue(refineRow(r).startsWith("refine 12x12 [base]"), r.out());

        CliRun dit = generate("d", "--model", model.toString(), "--context", context.toString(), "--refiner", model.toString());
        assertEquals(0, dit.code(), dit.err());
        assertTrue(dit.err().contains("training-free refine with the Wan DiT"), dit.err());
        assertTrue(refineRow(dit).startsWith("refine 12x12 [refiner]"), dit.out());
        // the same weights as the base, refining the same way: the same latent
        assertArrayEquals(latent("c"), latent("d"));
    }

    @Test
    void aFileWithTheRefinersShapesIsLoadedAsTheRefiner() throws Exception {
        Path file = dir.resolve("refiner.safetensors");
        try (CpuBackend be = new CpuBackend(1); WanModel ref = Refiner.random(TinyModels.REFINER_SEED, be, TinyModels.REFINER)) {
            SafetensorsWriter.write(file, ref.parameters(), Map.of());
        }
        CliRun fromFile = generate("e", "--refiner", file.toString());
        assertEquals(0, fromFile.code(), fromFile.err());
        assertTrue(fromFile.err().contains("refiner: ") && !fromFile.err().contains("refiner: RANDOM"), fromFile.err());
        CliRun random = generate("f", "--refiner", "random");
        assertEquals(0, random.code(), random.err());
        assertTrue(random.err().contains("refiner: RANDOM WEIGHTS"), random.err());
        // the file holds the random tiny Refiner's weights: loaded as the Refiner, it refines identically
        assertArrayEquals(latent("f"), latent("e"));
        assertEquals(refineRow(random).substring(0, 28), refineRow(fromFile).substring(0, 28));
    }
}
