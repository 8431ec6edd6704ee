package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code surf train-sfv} on a one-step-trained tiny teacher and two world clips at 32x32: the contract
 * files, a one-step model that generate samples with --steps 1, resume continuing bit for bit, and
 * one line per bad input without a folder left behind.
 */
class TrainSfvCommandTest {
    @TempDir
    Path dir;

    private Path teacher() {
        Path t = dir.resolve("teacher");
        if (!Files.exists(t.resolve("dit.safetensors"))) {
            CliRun r = CliRun.of("train-dit", "--data", "world", "--clips", "2", "--size", "32x32", "--steps", "1", "--output",
                    t.toString(), "--device", "cpu:2");
            assertEquals(0, r.code(), r.err());
        }
        return t.resolve("dit.safetensors");
    }

    private String[] args(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("train-sfv", "--teacher", teacher().toString(), "--data", "world", "--clips", "2",
                "--size", "32x32", "--pairs", "2", "--teacher-steps", "2", "--guide", "2", "--head-width", "4", "--steps",
                String.valueOf(steps), "--checkpoint-every", "1", "--output", out.toString(), "--device", "cpu:2", "--seed", "4"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void trainsAOneStepModelThatGenerateSamplesAndResumesExactly() throws Exception {
        Path full = dir.resolve("full");
        CliRun r = CliRun.of(args(full, 2));
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"sfv.safetensors", "config.json", "loss.csv", "loss.png", "checkpoint/generator.safetensors",
            "checkpoint/discriminator.safetensors"}) {
            assertTrue(Files.isRegularFile(full.resolve(f)), f + " missing: " + r.err());
        }
        assertTrue(r.err().contains("step 2/2"), r.err());

        Path half = dir.resolve("half");
        assertEquals(0, CliRun.of(args(half, 1)).code());
        CliRun resumed = CliRun.of(args(half, 2, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(Files.readString(full.resolve("loss.csv")), Files.readString(half.resolve("loss.csv")),
                "one step, then resumed for the second, must give the uninterrupted run's losses");

        Path video = dir.resolve("video");
        CliRun g = CliRun.of("generate", "--model", full.resolve("sfv.safetensors").toString(), "--steps", "1", "--guide", "1",
                "--world-text", "--prompt", "a red circle moving left", "--size", "32x32", "--frames", "17", "--video", "none", "--device", "cpu:2", "--output", video.toString());
        assertEquals(0, g.code(), g.err());
    }

    @Test
    void badInputIsOneLineAndLeavesNoFolder() {
        Path out = dir.resolve("bad");
        for (String[] extra : new String[][] {{"--pairs", "0"}, {"--guide", "0.5"}, {"--teacher-steps", "0"}, {"--heads", "1,0"},
            {"--head-width", "0"}, {"--lr", "-1"}}) {
            List<String> a = new ArrayList<>(List.of(args(out, 1)));
            a.addAll(List.of(extra));
            CliRun r = CliRun.of(a.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", extra) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), String.join(" ", extra) + ": " + r.err());
            assertTrue(Files.notExists(out), String.join(" ", extra) + " left " + out);
        }
    }
}
