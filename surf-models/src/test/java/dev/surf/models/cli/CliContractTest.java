package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command with a table of bad values: exit code 2, exactly one line on stderr that names the
 * flag (or the word the message uses for it), no stack trace, and no file written anywhere in the
 * working folder. Each row changes one thing of a command line that is otherwise valid.
 */
class CliContractTest {
    @TempDir
    Path dir;

    /** One bad command line and a word its error line must contain. */
    private record Row(String word, String... args) {
        @Override
        public String toString() {
            return String.join(" ", args);
        }
    }

    private static Row row(String word, String... args) {
        return new Row(word, args);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private List<String> listing() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? ":" + p.toFile().length() : "")).sorted().toList();
        }
    }

    private void assertContract(List<Row> rows) throws Exception {
        List<String> failures = new ArrayList<>();
        for (Row r : rows) {
            List<String> before = listing();
            CliRun run = CliRun.of(r.args());
            String err = run.err().strip();
            List<String> lines = err.lines().filter(l -> !l.startsWith("surf: ")).toList(); // "surf: ..." are notes
            boolean ok = run.code() == 2 && lines.size() == 1 && lines.get(0).contains(r.word())
                    && !err.contains("\tat ") && !err.contains("Exception") && !err.contains("internal error")
                    && before.equals(listing());
            if (!ok) {
                failures.add(r + "\n    -> code " + run.code() + ", wrote " + (before.equals(listing()) ? "nothing" : "FILES")
                        + ", stderr: " + err.replace("\n", "\n       "));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + rows.size() + " rows broke the contract:\n" + String.join("\n", failures));
    }

    @Test
    void generateRefineAndSweepGiveOneLineForEveryBadValue() throws Exception {
        Path out = dir.resolve("out");
        String[] g = {"generate", "--steps", "2", "--video", "none", "--device", "cpu:2", "--output", out.toString()};
        String[] sweep = {"sweep-k", "--steps", "2", "--k", "1", "--device", "cpu:2", "--output", out.toString()};
        Path notAModel = Files.writeString(dir.resolve("notes.txt"), "hello");
        List<Row> rows = new ArrayList<>(List.of(
                row("size", concat(g, "--size", "100x100")),
                row("size", concat(g, "--size", "16384x16384")),
                row("size", concat(g, "--size", "big")),
                row("frame", concat(g, "--frames", "4")),
                row("frame", concat(g, "--frames", "2001")),
                row("frame", concat(g, "--frames", "-3")),
                row("steps", concat(g, "--steps", "0")),
                row("steps", concat(g, "--steps", "1000000000")),
                row("--steps", concat(g, "--steps", "many")),
                row("k", concat(g, "--surf", "--k", "0")),
                row("k", concat(g, "--surf", "--k", "3")),
                row("low-scale", concat(g, "--surf", "--k", "1", "--low-scale", "0")),
                row("low-scale", concat(g, "--surf", "--k", "1", "--low-scale", "2")),
                row("low-scale", concat(g, "--surf", "--k", "1", "--low-scale", "NaN")),
                row("guide", concat(g, "--guide", "0.5")),
                row("guide", concat(g, "--guide", "NaN")),
                row("shift", concat(g, "--shift", "0")),
                row("shift", concat(g, "--shift", "-1")),
                row("shift", concat(g, "--shift", "Infinity")),
                row("fps", concat(g, "--fps", "0")),
                row("fps", concat(g, "--fps", "-24")),
                row("fps", concat(g, "--fps", "NaN")),
                row("fps", concat(g, "--fps", "1e9")),
                row("previews", concat(g, "--previews", "0")),
                row("previews", concat(g, "--previews", "1000")),
                row("preview-every", concat(g, "--preview-every", "-1")),
                row("solver", concat(g, "--solver", "dpm9")),
                row("reshift", concat(g, "--surf", "--k", "1", "--reshift", "sideways")),
                row("video", concat(g, "--video", "gif")),
                row("device", concat(g, "--device", "cpu:100000")),
                row("device", concat(g, "--device", "cpu:-1")),
                row("device", concat(g, "--device", "cpu:0")),
                row("device", concat(g, "--device", "tpu")),
                row("device", concat(g, "--device", "cpu:two")),
                row("memory-limit", concat(g, "--memory-limit", "0")),
                row("memory-limit", concat(g, "--memory-limit", "lots")),
                row("memory-limit", concat(g, "--memory-limit", "1e30")),
                row("memory-limit", concat(g, "--memory-limit", "NaN")),
                row("--config", concat(g, "--config", notAModel.toString())),
                row("--model", concat(g, "--model", " ")),
                row("--model", concat(g, "--model", dir.resolve("tiny-random").toString())),
                row("dtype", concat(g, "--dtype", "int4")),
                row("refine", concat(g, "--surf", "--k", "1", "--refine-to", "100x100")),
                row("refine steps", concat(g, "--surf", "--k", "1", "--refine-to", "256x256", "--refine-steps", "0")),
                row("--refiner", concat(g, "--surf", "--k", "1", "--refine-to", "64x64", "--refiner",
                        dir.resolve("missing.safetensors").toString())),
                row("--refiner", concat(g, "--surf", "--k", "1", "--refine-to", "64x64", "--refiner", notAModel.toString())),
                row("--refine-start", concat(g, "--surf", "--k", "1", "--refine-to", "64x64", "--refiner", "base",
                        "--refine-start", "1.5")),
                row("--refine-start", concat(g, "--surf", "--k", "1", "--refine-to", "64x64", "--refiner", "base",
                        "--refine-start", "0")),
                row("--refine-start", concat(g, "--surf", "--k", "1", "--refine-to", "64x64", "--refine-start", "0.5")),
                row("window", concat(g, "--surf", "--k", "1", "--refine-to", "64x64", "--refiner", "base", "--window", "-1")),
                row("--no-such-flag", concat(g, "--no-such-flag")),
                row("--steps", "generate", "--steps"),
                row("--output", concat(g, "--output", notAModel.toString())),
                row("--model", concat(g, "--model", dir.resolve("missing.safetensors").toString())),
                row("k", concat(sweep, "--k", "0")),
                row("steps", concat(sweep, "--steps", "0")),
                row("--preview", "refine", "--refine-to", "256x256", "--output", out.toString()),
                row("preview", "refine", "--preview", dir.resolve("missing.safetensors").toString(), "--refine-to", "256x256",
                        "--output", out.toString())));
        assertContract(rows);
    }

    @Test
    void theFileCommandsGiveOneLineForEveryBadValue() throws Exception {
        Path model = Fixtures.path("wan-dit-tiny.safetensors");
        Path vae = Fixtures.path("wan-vae-tiny.safetensors");
        Path latent = Fixtures.path("wan-vae-tiny-cases.safetensors");
        Path cases = Fixtures.path("wan-dit-tiny-cases.safetensors");
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("frame_00000.png"), "keep me");
        String[] f = {"forward", "--model", model.toString(), "--input", cases.toString(), "--device", "cpu:2"};
        String[] v = {"vae-decode", "--vae", vae.toString(), "--latent", latent.toString(), "--tensor", "a.z", "--device", "cpu:2"};
        List<Row> rows = List.of(
                row("--output", concat(f, "--output", model.toString())),
                row("--output", concat(f, "--output", cases.toString())),
                row("--output", concat(f, "--output", full.toString())),
                row("does not exist", concat(f, "--output", dir.resolve("no/such/out.safetensors").toString())),
                row("device", concat(f, "--output", dir.resolve("o.safetensors").toString(), "--device", "cpu:-1")),
                row("--output", "forward", "--model", model.toString(), "--input", cases.toString()),
                row("fps", concat(v, "--output", dir.resolve("v.mp4").toString(), "--fps", "0")),
                row("fps", concat(v, "--output", dir.resolve("v.mp4").toString(), "--fps", "NaN")),
                row("fps", concat(v, "--output", dir.resolve("v.mp4").toString(), "--fps", "-1")),
                row("not empty", concat(v, "--output", full.toString())),
                row("--output", concat(v, "--output", latent.toString())),
                row("written twice", concat(v, "--output", dir.resolve("p.png").toString(), "--preview", dir.resolve("p.png").toString())),
                row("tensor", concat(v, "--output", dir.resolve("v.safetensors").toString(), "--tensor", "nope")),
                row("steps", "schedule", "--steps", "0"),
                row("steps", "schedule", "--steps", "1000000000"),
                row("shift", "schedule", "--shift", "0"),
                row("shift", "schedule", "--shift", "NaN"),
                row("solver", "schedule", "--solver", "magic"),
                row("--refiner", "flops", "--surf", "--refine-to", "1280x720", "--refiner", "sideways"),
                row("refine-start", "flops", "--surf", "--refine-to", "1280x720", "--refiner", "base", "--refine-start", "2"),
                row("steps", "flops", "--steps", "0"),
                row("frame", "flops", "--frames", "6"),
                row("size", "flops", "--width", "100"),
                row("size", "flops", "--width", "100000"),
                row("missing", "inspect", dir.resolve("missing.safetensors").toString()),
                row("--t5", "encode-text", "--t5", dir.resolve("missing.pth").toString(), "--tokenizer", dir.toString(), "--prompt", "a", "--output",
                        dir.resolve("c.safetensors").toString()));
        assertContract(rows);
        assertEquals("keep me", Files.readString(full.resolve("frame_00000.png")));
    }

    @Test
    void helpAndVersionStillExitZero() {
        CliRun r = CliRun.of("generate", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--steps"));
        assertFalse(CliRun.of("--version").out().isBlank());
    }
}
