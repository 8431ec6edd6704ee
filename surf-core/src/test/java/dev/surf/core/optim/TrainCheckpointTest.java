package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.SafetensorsException;
import dev.surf.core.safetensors.SafetensorsFile;
import dev.surf.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrainCheckpoint}: exact round trip, deterministic bytes, validation, and crash safety in-process. */
class TrainCheckpointTest {
    private static CpuBackend cpu;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    private static void assertSameTensors(CheckpointState want, CheckpointState got) {
        SameState.assertSame(want.params, want.adam, want.ema, got.params, got.adam, got.ema);
    }

    private List<Path> temporaries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void loadRestoresTheSavedStateAndSameStateGivesSameBytes() throws Exception {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        try (CheckpointState saved = new CheckpointState(cpu, 1, null);
             CheckpointState other = new CheckpointState(cpu, 2, null)) {
            saved.save(a);
            saved.save(b);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same state, same bytes");
            TrainProgress p = TrainCheckpoint.load(a, other.params, other.adam, other.ema);
            assertEquals(saved.progress, p);
            assertEquals(saved.adam.stepCount(), other.adam.stepCount());
            assertSameTensors(saved, other);
            // The frozen parameter is not part of a checkpoint and keeps its own values.
            assertFalse(java.util.Arrays.equals(cpu.toFloats(saved.params.get("embed").master()),
                    cpu.toFloats(other.params.get("embed").master())));
        }
        try (SafetensorsFile f = SafetensorsFile.open(a)) {
            assertEquals(List.of("adam.m.blocks.0.w", "adam.m.head.b", "adam.v.blocks.0.w", "adam.v.head.b",
                    "ema.blocks.0.w", "ema.head.b", "param.blocks.0.w", "param.head.b"), f.names().stream().sorted().toList());
            assertEquals("1", f.metadata().get("surf.format_version"));
            assertEquals("1", f.metadata().get("params.frozen"));
        }
        assertEquals(List.of(), temporaries());
    }

    @Test
    void mismatchesAreNamedAndLeaveTheStateUntouched() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (CheckpointState saved = new CheckpointState(cpu, 3, null)) {
            saved.save(file);
        }
        // A model whose head has another shape: the error names file and tensor, nothing is overwritten.
        try (ParameterSet ps = new ParameterSet()) {
            ps.add(Parameter.trainable("blocks.0.w", cpu.zeros(dev.surf.core.DType.F32, Shape.of(4, 3))));
            ps.add(Parameter.trainable("head.b", cpu.zeros(dev.surf.core.DType.F32, Shape.of(6))));
            try (AdamW adam = new AdamW(AdamW.Config.torchDefaults(1e-3), ps)) {
                SafetensorsException e = assertThrows(SafetensorsException.class,
                        () -> TrainCheckpoint.load(file, ps, adam, null));
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("'param.head.b' has shape [5] but parameter 'head.b' has [6]"), e.getMessage());
                assertArrayEquals(new float[12], cpu.toFloats(ps.get("blocks.0.w").master()),
                        "a failed load must not overwrite anything");
                assertEquals(0, adam.stepCount());
            }
        }
        // The head frozen here, trainable in the checkpoint.
        try (ParameterSet ps = new ParameterSet()) {
            ps.add(Parameter.trainable("blocks.0.w", cpu.zeros(dev.surf.core.DType.F32, Shape.of(4, 3))));
            ps.add(Parameter.frozen("head.b", cpu.zeros(dev.surf.core.DType.F32, Shape.of(5))));
            try (AdamW adam = new AdamW(AdamW.Config.torchDefaults(1e-3), ps)) {
                SafetensorsException e = assertThrows(SafetensorsException.class,
                        () -> TrainCheckpoint.load(file, ps, adam, null));
                assertTrue(e.getMessage().contains("'head.b', which is frozen here"), e.getMessage());
            }
        }
        // A parameter the checkpoint lacks; and a run that keeps an EMA when the file has none.
        try (ParameterSet ps = new ParameterSet()) {
            ps.add(Parameter.trainable("blocks.0.w", cpu.zeros(dev.surf.core.DType.F32, Shape.of(4, 3))));
            ps.add(Parameter.trainable("head.b", cpu.zeros(dev.surf.core.DType.F32, Shape.of(5))));
            ps.add(Parameter.trainable("lora.a", cpu.zeros(dev.surf.core.DType.F32, Shape.of(2))));
            try (AdamW adam = new AdamW(AdamW.Config.torchDefaults(1e-3), ps)) {
                SafetensorsException e = assertThrows(SafetensorsException.class,
                        () -> TrainCheckpoint.load(file, ps, adam, null));
                assertTrue(e.getMessage().contains("no tensor 'param.lora.a'"), e.getMessage());
            }
        }
        // A weight file that is not a training checkpoint.
        Path plain = dir.resolve("weights.safetensors");
        SafetensorsWriter.writeFloats(plain, Map.of("param.head.b", new float[5]), null, Map.of("format", "pt"));
        try (CheckpointState s = new CheckpointState(cpu, 4, null)) {
            SafetensorsException e = assertThrows(SafetensorsException.class,
                    () -> TrainCheckpoint.load(plain, s.params, s.adam, s.ema));
            assertTrue(e.getMessage().contains("is not a training checkpoint"), e.getMessage());
        }
    }

    @Test
    void aWriterThatThrowsMidWayKeepsThePreviousCheckpoint() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (CheckpointState first = new CheckpointState(cpu, 5, null)) {
            first.save(file);
        }
        byte[] before = Files.readAllBytes(file);
        // param.head.b is the last of the eight tensors: seven are already in the temporary file.
        try (CheckpointState next = new CheckpointState(cpu, 6, t -> FaultyBackend.wrap(t, () -> {
            throw new IllegalStateException("device lost during copy");
        }))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> next.save(file));
            assertEquals("device lost during copy", e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint must be intact");
        assertEquals(List.of(), temporaries(), "the failed write cleans up after itself");
        try (CheckpointState check = new CheckpointState(cpu, 7, null)) {
            assertEquals(new CheckpointState(cpu, 5, null).progressAndClose(),
                    TrainCheckpoint.load(file, check.params, check.adam, check.ema));
        }
    }

    @Test
    void saveRemovesTemporariesOfAKilledWriter() throws Exception {
        Path file = dir.resolve("ckpt[1].safetensors");
        Path stale = dir.resolve(".ckpt[1].safetensors.123456.tmp");
        Path unrelated = dir.resolve(".ckpt1.safetensors.1.tmp");
        Files.write(stale, new byte[100]);
        Files.write(unrelated, new byte[1]);
        try (CheckpointState s = new CheckpointState(cpu, 8, null)) {
            s.save(file);
        }
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(unrelated), "only this checkpoint's temporaries are removed");
    }

    @Test
    void cannotSaveWhileEmaIsSwappedIn() throws Exception {
        try (CheckpointState s = new CheckpointState(cpu, 9, null); Ema.Swap swap = s.ema.swapIn()) {
            assertThrows(IllegalStateException.class, () -> s.save(dir.resolve("x.safetensors")));
        }
    }
}
