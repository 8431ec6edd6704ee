package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.cpu.CpuBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint write killed mid-way (a child JVM stopped with {@code destroyForcibly} while its
 * temporary file is half written) leaves the previous checkpoint intact and loadable, and the next
 * save sweeps up the temporary file.
 */
class CheckpointKillTest {
    @TempDir
    Path dir;

    private List<Path> temporaries() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a child that never reports must not hang CI
    void killedWriterLeavesThePreviousCheckpointIntact() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (CpuBackend cpu = new CpuBackend(1); CheckpointState first = new CheckpointState(cpu, 1, null)) {
            first.save(file);
        }
        byte[] before = Files.readAllBytes(file);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                CheckpointWriterChild.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals(CheckpointWriterChild.MID_WRITE)) {
                seen.append(line).append('\n');
            }
            assertEquals(CheckpointWriterChild.MID_WRITE, line, "child never reached the middle of the write:\n" + seen);
            assertEquals(1, temporaries().size(), "the child is writing its temporary file");
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }

        assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint must be untouched");
        assertEquals(1, temporaries().size(), "a killed writer cannot clean up; its temporary stays");
        try (CpuBackend cpu = new CpuBackend(1);
             CheckpointState loaded = new CheckpointState(cpu, 3, null);
             CheckpointState want = new CheckpointState(cpu, 1, null)) {
            assertEquals(want.progress, TrainCheckpoint.load(file, loaded.params, loaded.adam, loaded.ema));
            assertArrayEquals(cpu.toFloats(want.params.get("head.b").master()),
                    cpu.toFloats(loaded.params.get("head.b").master()));
            loaded.save(file);
        }
        assertFalse(temporaries().stream().anyMatch(Files::exists), "the next save removes the stale temporary");
        assertEquals(List.of(), temporaries());
    }
}
