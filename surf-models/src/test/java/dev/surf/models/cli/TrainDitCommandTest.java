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
import dev.surf.models.wan.WanCheckpoint;
import dev.surf.models.wan.WanModel;
import dev.surf.models.weights.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code surf train-dit} on a folder of three tiny captioned clips (32x32, 17 frames) with the tiny
 * random VAE: deterministic loss bytes, the contract files (weights the DiT loader reads back as the
 * tiny base config), resume continuing bit for bit, an existing output refused, and one line per bad input.
 */
class TrainDitCommandTest {
    @TempDir
    Path dir;

    /** Three 17-frame videos as tensors, two with world captions, one without (the empty prompt). */
    private Path data() throws Exception {
        Path d = dir.resolve("data");
        if (Files.isDirectory(d)) {
            return d;
        }
        Files.createDirectories(d);
        for (int v = 0; v < 3; v++) {
            float[] x = new float[3 * 17 * 32 * 32];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(0.05 * i * (v + 1) + v);
            }
            SafetensorsWriter.writeFloats(d.resolve("clip" + v + ".safetensors"), Map.of("video", x),
                    Map.of("video", Shape.of(3, 17, 32, 32)), null);
        }
        Files.writeString(d.resolve("clip0.txt"), "a red circle moving left");
        Files.writeString(d.resolve("clip1.txt"), "a blue square moving up on a white background");
        return d;
    }

    /** The command with small settings; {@code more} holds flags (--resume) and FLAG VALUE pairs that replace a default. */
    private String[] args(Path out, String steps, String... more) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("--data", data().toString());
        opts.put("--output", out.toString());
        opts.put("--steps", steps);
        opts.put("--size", "32x32");
        opts.put("--lr", "3e-4");
        opts.put("--warmup", "2");
        opts.put("--checkpoint-every", "3");
        opts.put("--seed", "5");
        opts.put("--device", "cpu:2");
        List<String> a = new ArrayList<>(List.of("train-dit"));
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
        assertTrue(r.err().contains("surf: step 3/3  loss ") && r.err().contains("it/s"), r.err());
        assertTrue(r.out().startsWith("trained 3 steps in ") && r.out().contains("3 clips encoded"), r.out());
        for (String f : List.of("dit.safetensors", "config.json", "loss.csv", "loss.png", "checkpoint.safetensors")) {
            assertTrue(Files.isRegularFile(a.resolve(f)), f);
        }
        try (var s = Files.list(a.resolve("cache"))) {
            assertEquals(3, s.count(), "the three latents cached");
        }
        List<String> csv = Files.readAllLines(a.resolve("loss.csv"));
        assertEquals("step,loss,lr,grad_norm", csv.get(0));
        assertEquals(4, csv.size());
        // linear warm-up over 2 steps to 3e-4, then constant
        double[] lr = {1.5e-4, 3e-4, 3e-4};
        for (int s = 1; s <= 3; s++) {
            String[] f = csv.get(s).split(",");
            assertEquals(Integer.toString(s), f[0]);
            double loss = Double.parseDouble(f[1]);
            assertTrue(loss > 0 && Double.isFinite(loss), csv.get(s));
            assertEquals(lr[s - 1], Double.parseDouble(f[2]), 1e-12);
        }

        Path b = dir.resolve("b");
        CliRun again = CliRun.of(args(b, "3"));
        assertEquals(0, again.code(), again.err());
        assertArrayEquals(Files.readAllBytes(a.resolve("loss.csv")), Files.readAllBytes(b.resolve("loss.csv")), "same loss bytes");
        assertArrayEquals(Files.readAllBytes(a.resolve("dit.safetensors")), Files.readAllBytes(b.resolve("dit.safetensors")));

        // the DiT loader reads the weights with the config beside them: the tiny base model, trained
        try (CpuBackend be = new CpuBackend(2); WanModel m = WanCheckpoint.load(a.resolve("dit.safetensors"), null, be);
             WanModel init = WanModel.load(new RandomWeights(5), be, TinyModels.BASE)) {
            assertEquals(TinyModels.BASE, m.config());
            assertEquals(init.parameters().keySet(), m.parameters().keySet());
            Tensor w = m.parameters().get("blocks.0.self_attn.q.weight");
            assertFalse(java.util.Arrays.equals(be.toFloats(init.parameters().get("blocks.0.self_attn.q.weight")), be.toFloats(w)),
                    "three AdamW steps moved the weights from their random init");
        }

        // a second run into the same folder without --resume is refused, and changes nothing
        byte[] weights = Files.readAllBytes(a.resolve("dit.safetensors"));
        CliRun refused = CliRun.of(args(a, "5"));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("--output") && refused.err().strip().lines().count() == 1, refused.err());
        assertArrayEquals(weights, Files.readAllBytes(a.resolve("dit.safetensors")));
    }

    @Test
    void resumeContinuesTheRunBitForBit() throws Exception {
        Path straight = dir.resolve("straight");
        CliRun r = CliRun.of(args(straight, "5"));
        assertEquals(0, r.code(), r.err());
        Path split = dir.resolve("split");
        CliRun first = CliRun.of(args(split, "3"));
        assertEquals(0, first.code(), first.err());
        CliRun resumed = CliRun.of(args(split, "5", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("surf: step 4/5") && !resumed.err().contains("step 1/5"), resumed.err());
        assertTrue(resumed.out().contains("0 clips encoded"), "latents read from the cache: " + resumed.out());
        assertArrayEquals(Files.readAllBytes(straight.resolve("loss.csv")), Files.readAllBytes(split.resolve("loss.csv")));
        assertArrayEquals(Files.readAllBytes(straight.resolve("dit.safetensors")), Files.readAllBytes(split.resolve("dit.safetensors")));
    }

    @Test
    void badInputsAreOneLineEach() throws Exception {
        Path out = dir.resolve("bad");
        List<String[]> rows = List.of(
                new String[] {"--vae", "--vae", dir.resolve("missing.safetensors").toString()},
                new String[] {"--size", "--size", "100x100"},
                new String[] {"--size", "--size", "big"},
                new String[] {"--steps", "--steps", "0"},
                new String[] {"--lr", "--lr", "-1"},
                new String[] {"--clips", "--clips", "0"},
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
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
