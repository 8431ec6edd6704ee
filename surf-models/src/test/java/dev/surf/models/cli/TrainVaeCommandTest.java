package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.api.TinyModels;
import dev.surf.models.vae.VaeCheckpoint;
import dev.surf.models.vae.WanVaeDecoder;
import dev.surf.models.vae.WanVaeEncoder;
import dev.surf.models.vae.train.UnitLatents;
import dev.surf.models.vae.train.VaeClips;
import dev.surf.models.world.data.WorldClips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code surf train-vae} on a folder of two tiny clips (16x16, 17 frames): deterministic loss bytes,
 * the contract files (weights that the inference encoder and decoder load as the tiny VAE), resume
 * continuing bit for bit, an existing output refused, and one line per bad input.
 */
class TrainVaeCommandTest {
    @TempDir
    Path dir;

    /** Two 17-frame 16x16 videos as tensors: a smooth pattern in [-1, 1]. */
    private Path data() throws Exception {
        Path d = dir.resolve("data");
        if (Files.isDirectory(d)) {
            return d;
        }
        Files.createDirectories(d);
        for (int v = 0; v < 2; v++) {
            float[] x = new float[3 * 17 * 16 * 16];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(0.07 * i * (v + 1) + v);
            }
            SafetensorsWriter.writeFloats(d.resolve("clip" + v + ".safetensors"), Map.of("video", x),
                    Map.of("video", Shape.of(3, 17, 16, 16)), null);
        }
        return d;
    }

    /** The command with small settings; {@code more} holds flags (--resume) and FLAG VALUE pairs that replace a default. */
    private String[] args(Path out, String steps, String... more) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("--data", data().toString());
        opts.put("--output", out.toString());
        opts.put("--steps", steps);
        opts.put("--size", "16x16");
        opts.put("--frames", "5");
        opts.put("--batch", "1");
        opts.put("--lr", "1e-3");
        opts.put("--warmup", "2");
        opts.put("--checkpoint-every", "2");
        opts.put("--seed", "5");
        opts.put("--device", "cpu:2");
        List<String> a = new ArrayList<>(List.of("train-vae"));
        for (int i = 0; i < more.length; i++) {
            if (more[i].startsWith("--resume")) {
                a.add(more[i]);
            } else {
                opts.put(more[i], more[++i]);
            }
        }
        opts.forEach((k, v) -> {
            a.add(k);
            a.add(v);
        });
        return a.toArray(String[]::new);
    }

    @Test
    void threeStepsAreDeterministicAndWriteTheContractFiles() throws Exception {
        Path a = dir.resolve("a");
        CliRun r = CliRun.of(args(a, "3"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("surf: step 3/3  loss ") && r.err().contains("s/step"), r.err());
        assertTrue(r.out().startsWith("trained 3 steps in ") && r.out().contains("PSNR"), r.out());
        for (String f : List.of("vae.safetensors", "loss.csv", "loss.png", "checkpoint.safetensors")) {
            assertTrue(Files.isRegularFile(a.resolve(f)), f);
        }
        List<String> csv = Files.readAllLines(a.resolve("loss.csv"));
        assertEquals("step,loss,l1,mse,moment,lr,grad_norm", csv.get(0));
        assertEquals(4, csv.size());
        double[] lr = {5e-4, 1e-3, 1e-3};
        for (int s = 1; s <= 3; s++) {
            String[] f = csv.get(s).split(",");
            assertEquals(Integer.toString(s), f[0]);
            double loss = Double.parseDouble(f[1]);
            // total = L1 + MSE + 0.1 moment
            assertEquals(Double.parseDouble(f[2]) + Double.parseDouble(f[3]) + 0.1 * Double.parseDouble(f[4]), loss, 1e-5 * loss);
            assertEquals(lr[s - 1], Double.parseDouble(f[5]), 1e-12);
        }

        Path b = dir.resolve("b");
        CliRun again = CliRun.of(args(b, "3"));
        assertEquals(0, again.code(), again.err());
        assertArrayEquals(Files.readAllBytes(a.resolve("loss.csv")), Files.readAllBytes(b.resolve("loss.csv")), "same loss bytes");
        assertArrayEquals(Files.readAllBytes(a.resolve("vae.safetensors")), Files.readAllBytes(b.resolve("vae.safetensors")));

        // both inference halves read the file as the tiny VAE (config inferred from the shapes)
        try (CpuBackend be = new CpuBackend(2); WanVaeEncoder enc = VaeCheckpoint.loadEncoder(a.resolve("vae.safetensors"), null, be);
             WanVaeDecoder dec = VaeCheckpoint.load(a.resolve("vae.safetensors"), null, be);
             Tensor z = enc.encode(be.zeros(dev.surf.core.DType.F32, Shape.of(3, 5, 16, 16))); Tensor y = dec.decodeAll(z, true)) {
            assertEquals(TinyModels.VAE, enc.config());
            assertEquals(TinyModels.VAE, dec.config());
            assertEquals(Shape.of(3, 5, 16, 16), y.shape());
        }

        // a second run into the same folder without --resume is refused, and changes nothing
        byte[] weights = Files.readAllBytes(a.resolve("vae.safetensors"));
        CliRun refused = CliRun.of(args(a, "5"));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("--output") && refused.err().strip().lines().count() == 1, refused.err());
        assertArrayEquals(weights, Files.readAllBytes(a.resolve("vae.safetensors")));
    }

    @Test
    void trainsOnTheProceduralWorld() throws Exception {
        Path w = dir.resolve("world");
        CliRun r = CliRun.of(args(w, "2", "--data", "world", "--clips", "3", "--world-seed", "7", "--clip-size", "32x24"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("3 clips of 17 frames at 32x24 from the world (seed 7); crops of 5 frames at 16x16"), r.err());
        assertTrue(r.out().contains("clip 0 whole (17 frames at 32x24)"), r.out());
        assertTrue(Files.isRegularFile(w.resolve("vae.safetensors")), r.out());
        assertTrue(r.err().contains("latent statistics: 3/3 clips encoded") && r.err().contains("folded into vae.safetensors"), r.err());
        // the default --standardize-clips (32, capped at the 3 clips) leaves those clips with unit latents per channel
        try (CpuBackend be = new CpuBackend(2); WanVaeEncoder enc = VaeCheckpoint.loadEncoder(w.resolve("vae.safetensors"), null, be)) {
            UnitLatents.assertUnit(enc, VaeClips.of(new WorldClips(7, 3, 32, 24)), 3, 1e-3);
        }
    }

    @Test
    void resumeContinuesTheRunBitForBit() throws Exception {
        Path straight = dir.resolve("straight");
        CliRun r = CliRun.of(args(straight, "4"));
        assertEquals(0, r.code(), r.err());
        Path split = dir.resolve("split");
        CliRun first = CliRun.of(args(split, "2"));
        assertEquals(0, first.code(), first.err());
        CliRun resumed = CliRun.of(args(split, "4", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("surf: step 3/4") && !resumed.err().contains("step 1/4"), resumed.err());
        assertArrayEquals(Files.readAllBytes(straight.resolve("loss.csv")), Files.readAllBytes(split.resolve("loss.csv")));
        assertArrayEquals(Files.readAllBytes(straight.resolve("vae.safetensors")), Files.readAllBytes(split.resolve("vae.safetensors")));
    }

    @Test
    void badInputsAreOneLineEach() throws Exception {
        Path out = dir.resolve("bad");
        List<String[]> rows = List.of(
                new String[] {"--size", "--size", "20x16"},
                new String[] {"--size", "--size", "big"},
                new String[] {"--frames", "--frames", "4"},
                new String[] {"--frames", "--frames", "21"},
                new String[] {"--steps", "--steps", "0"},
                new String[] {"--batch", "--batch", "0"},
                new String[] {"--lr", "--lr", "-1"},
                new String[] {"--moment-weight", "--moment-weight", "-0.5"},
                new String[] {"--contrast-weight", "--contrast-weight", "-1"},
                new String[] {"--standardize-clips", "--standardize-clips", "-2"},
                new String[] {"--init", "--init", "xavier"},
                new String[] {"--schedule", "--schedule", "linear"},
                new String[] {"--tint", "--tint", "3"},
                new String[] {"--clips", "--clips", "0"},
                new String[] {"--clip-size", "--clip-size", "8x24"},
                new String[] {"--clip-size", "--clip-size", "wide"},
                new String[] {"--clip-size", "--clip-size", "36x24"},
                new String[] {"--vae-config", "--vae-config", dir.resolve("missing.json").toString()},
                new String[] {"--data", "--data", dir.resolve("nothing").toString()});
        List<String> failures = new ArrayList<>();
        for (String[] row : rows) {
            String[] a = args(out, "3", row[1], row[2]);
            CliRun run = CliRun.of(a);
            List<String> lines = run.err().strip().lines().filter(l -> !l.startsWith("surf: ")).toList();
            if (run.code() != 2 || lines.size() != 1 || !lines.get(0).contains(row[0]) || run.err().contains("Exception")
                    || Files.exists(out)) {
                failures.add(String.join(" ", a) + " -> " + run.code() + ": " + run.err());
            }
        }
        assertFalse(Files.exists(out));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
