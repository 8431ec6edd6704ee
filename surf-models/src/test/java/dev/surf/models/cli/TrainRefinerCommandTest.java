package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.models.api.TinyModels;
import dev.surf.models.refiner.Refiner;
import dev.surf.models.wan.WanModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code surf train-refiner} with the embedded tiny defaults: the files of its contract, a resume that
 * continues the run, and one line for each bad input.
 */
class TrainRefinerCommandTest {
    @TempDir
    Path dir;

    /** Three 9-frame noise-free gradient videos as tensors (the contract does not need meaningful pictures). */
    private Path data() throws Exception {
        Path d = Files.createDirectories(dir.resolve("data"));
        for (int v = 0; v < 3; v++) {
            int w = 32;
            int h = 32;
            float[] x = new float[3 * 9 * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(0.1 * i * (v + 1) + v);
            }
            SafetensorsWriter.writeFloats(d.resolve("clip" + v + ".safetensors"), Map.of("video", x),
                    Map.of("video", Shape.of(3, 9, h, w)), null);
        }
        Files.writeString(d.resolve("clip1.txt"), "a caption");
        return d;
    }

    /** The command with small defaults; {@code more} holds flags (--resume) and FLAG VALUE pairs that replace a default. */
    private static String[] args(Path data, Path out, String steps, String... more) {
        Map<String, String> opts = new java.util.LinkedHashMap<>();
        opts.put("--data", data.toString());
        opts.put("--output", out.toString());
        opts.put("--steps", steps);
        opts.put("--hr", "32x32");
        opts.put("--lr-size", "16x16");
        opts.put("--frames", "5:2,9");
        opts.put("--validate-every", "2");
        opts.put("--checkpoint-every", "2");
        opts.put("--lr", "1e-3");
        opts.put("--device", "cpu:2");
        List<String> a = new java.util.ArrayList<>(List.of("train-refiner"));
        for (int i = 0; i < more.length; i++) {
            if (more[i].equals("--resume")) {
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
    void recomputeBlocksTrainsTheSameRefiner() throws Exception {
        Path data = data();
        CliRun plain = CliRun.of(args(data, dir.resolve("plain"), "2", "--validate-every", "0"));
        List<String> a = new java.util.ArrayList<>(List.of(args(data, dir.resolve("recompute"), "2", "--validate-every", "0")));
        a.add("--recompute-blocks");
        CliRun recompute = CliRun.of(a.toArray(String[]::new));
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, recompute.code(), recompute.err());
        List<String> x = Files.readAllLines(dir.resolve("plain/loss.csv"));
        List<String> y = Files.readAllLines(dir.resolve("recompute/loss.csv"));
        // step 1's loss comes from the same forward; step 2's from weights that differ by the F32
        // reassociation of the checkpointed gradients (FlowMatchingTrainerTest bounds them)
        assertEquals(x.get(1).split(",")[1], y.get(1).split(",")[1], "step 1 loss");
        double l2 = Double.parseDouble(x.get(2).split(",")[1]);
        assertEquals(l2, Double.parseDouble(y.get(2).split(",")[1]), 1e-5 * Math.abs(l2), "step 2 loss");
    }

    @Test
    void writesTheContractFilesAndResumeContinues() throws Exception {
        Path data = data();
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(args(data, out, "2"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("surf: step 2/2  loss "), r.err());
        assertTrue(r.err().contains("steps/s") && r.err().contains("ETA"), r.err());
        assertTrue(r.err().contains("surf: validation at step 2: val_loss "), r.err());
        assertTrue(r.out().startsWith("trained 2 steps in "), r.out());
        for (String f : List.of("refiner.safetensors", "loss.csv", "loss.png", "checkpoint.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.list(out.resolve("cache")).count() == 3, "z_hr of the three clips cached");
        List<String> csv = Files.readAllLines(out.resolve("loss.csv"));
        assertTrue(csv.get(0).startsWith("step,loss,"), csv.get(0));
        assertEquals(3, csv.size());

        // a second run into the same folder without --resume is refused, and changes nothing
        byte[] weights = Files.readAllBytes(out.resolve("refiner.safetensors"));
        CliRun again = CliRun.of(args(data, out, "4"));
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("--output") && again.err().lines().count() == 1, again.err());

        CliRun resumed = CliRun.of(args(data, out, "4", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("surf: step 3/4") && !resumed.err().contains("step 1/4"), resumed.err());
        csv = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(5, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(3).startsWith("3,") && csv.get(3).split(",")[2].equals("9"), "step 3 is in the 9-frame stage: " + csv.get(3));

        // the weights have the official names and load as the tiny Refiner (what generate --refiner does)
        try (Backend be = new CpuBackend(1); WanModel m = Refiner.load(out.resolve("refiner.safetensors"), be, TinyModels.REFINER);
             SafetensorsFile f = SafetensorsFile.open(out.resolve("refiner.safetensors"))) {
            assertTrue(f.has("blocks.0.self_attn.q.weight") && f.has("head.head.weight"), f.names().toString());
            assertEquals(m.parameters().size(), f.names().size());
            try (Tensor q = f.read(be, "head.head.weight")) {
                assertTrue(java.util.Arrays.equals(be.toFloats(q), be.toFloats(m.parameters().get("head.head.weight"))));
            }
        }
        assertTrue(!java.util.Arrays.equals(weights, Files.readAllBytes(out.resolve("refiner.safetensors"))), "two more steps changed them");
        CliRun gen = CliRun.of("generate", "--steps", "2", "--size", "64x64", "--frames", "5", "--surf", "--k", "1", "--refine-to",
                "128x128", "--refiner", out.resolve("refiner.safetensors").toString(), "--video", "none", "--device", "cpu:2",
                "--output", dir.resolve("gen").toString());
        assertEquals(0, gen.code(), gen.err());
        assertTrue(gen.err().contains("refiner: ") && gen.err().contains("refiner.safetensors") && !gen.err().contains("refiner: RANDOM"), gen.err());
    }

    @Test
    void badInputsGiveOneLine() throws Exception {
        Path data = data();
        String[][] cases = {
            args(dir.resolve("nothing"), dir.resolve("o1"), "2"),
            args(data, dir.resolve("o2"), "0"),
            args(data, dir.resolve("o3"), "2", "--hr", "30x30"),
            args(data, dir.resolve("o4"), "2", "--frames", "6"),
            args(data, dir.resolve("o5"), "2", "--resume"),
            args(data, dir.resolve("o6"), "2", "--validation-clips", "3"),
            args(data, data.resolve("inside"), "2"),
            args(data, dir.resolve("o8"), "2", "--frames", "13"),
        };
        String[] expect = {"--data", "--steps", "--hr", "--frames", "--resume", "--validation-clips", "inside --data", "13 frames"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertEquals(2, r.code(), "case " + i + ": " + r.err());
            String errLine = r.err().lines().filter(l -> l.contains("error")).findFirst().orElse("");
            assertTrue(errLine.contains(expect[i]), "case " + i + " should name " + expect[i] + ": " + r.err());
            assertTrue(r.err().lines().filter(l -> l.contains("error")).count() == 1 && !r.err().contains("\tat "), r.err());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of("data"), files.map(p -> p.getFileName().toString()).toList(), "a refused run leaves no folder");
        }
        try (var files = Files.list(data)) {
            assertEquals(4, files.count(), "nothing written into --data");
        }
    }
}
