package dev.surf.models.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reproductions of data loss, run as a user would, each now refused before anything is written. */
class NoDataLossTest {
    @TempDir
    Path dir;

    @Test
    void forwardCannotWriteOverItsModel() throws Exception {
        Path model = Files.copy(Fixtures.path("wan-dit-tiny.safetensors"), dir.resolve("M.safetensors"));
        byte[] before = Files.readAllBytes(model);
        CliRun r = CliRun.of("forward", "--model", model.toString(), "--config", Fixtures.path("wan-dit-tiny.json").toString(),
                "--input", Fixtures.path("wan-dit-tiny-cases.safetensors").toString(), "--output", model.toString(), "--device", "cpu:2");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--output") && r.err().contains("--model"), r.err());
        assertArrayEquals(before, Files.readAllBytes(model), "the model is untouched");
    }

    @Test
    void aSecondGenerateIntoACompleteRunIsRefusedBeforeItSamples() throws Exception {
        Path out = dir.resolve("run");
        String[] first = {"generate", "--steps", "2", "--frames", "1", "--video", "png", "--device", "cpu:2", "--output", out.toString()};
        CliRun r = CliRun.of(first);
        assertEquals(0, r.code(), r.err());
        Path latent = out.resolve("latent-42.safetensors");
        byte[] before = Files.readAllBytes(latent);
        long framesBefore = Files.list(out.resolve("video-42")).count();
        CliRun second = CliRun.of("generate", "--steps", "3", "--frames", "1", "--video", "png", "--device", "cpu:2",
                "--output", out.toString());
        assertEquals(2, second.code(), second.err());
        assertTrue(second.err().contains("video-42") && second.err().contains("not empty"), second.err());
        assertFalse(second.err().contains("step 1/"), "refused before any sampling: " + second.err());
        assertArrayEquals(before, Files.readAllBytes(latent), "the earlier latent is untouched");
        assertEquals(framesBefore, Files.list(out.resolve("video-42")).count());
        assertEquals(List.of("latent-42.safetensors", "video-42"), Files.list(out).map(p -> p.getFileName().toString()).sorted().toList(),
                "no temporary file is left");
    }

    @Test
    void vaeDecodeWritesTheSameBytesTwice() throws Exception {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        for (Path p : new Path[] {a, b}) {
            CliRun r = CliRun.of("vae-decode", "--vae", Fixtures.path("wan-vae-tiny.safetensors").toString(), "--latent",
                    Fixtures.path("wan-vae-tiny-cases.safetensors").toString(), "--tensor", "a.z", "--output", p.toString(),
                    "--device", "cpu:2");
            assertEquals(0, r.code(), r.err());
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    /** A run too big for a small heap ends in one line naming the size and SURF_JAVA_OPTS, and leaves no empty folder. */
    @Test
    void anOutOfMemoryErrorIsOneLineAndLeavesNoOutputFolder() throws Exception {
        Path out = dir.resolve("big");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx64m", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                SurfCli.class.getName(), "generate", "--size", "2048x2048", "--frames", "81", "--steps", "1", "--video", "none",
                "--device", "cpu:2", "--output", out.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ends");
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), printed);
        List<String> errors = printed.lines().filter(l -> l.startsWith("surf generate:")).toList();
        assertEquals(1, errors.size(), printed);
        assertTrue(errors.get(0).contains("out of memory") && errors.get(0).contains("--size 2048x2048")
                && errors.get(0).contains("SURF_JAVA_OPTS"), printed);
        assertFalse(printed.contains("\tat "), printed);
        assertFalse(Files.exists(out), "the output folder it created is removed again");
    }
}
