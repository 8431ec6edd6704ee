package dev.surf.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.safetensors.Inspect;
import dev.surf.core.safetensors.SafetensorsWriter;
import dev.surf.core.safetensors.WeightStore;
import dev.surf.core.testing.Fixtures;
import dev.surf.core.testing.TorchZipWriter;
import dev.surf.core.weights.WeightFileException;
import dev.surf.models.wan.WanKeys;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one opener: container and naming detected once, renames applied per naming, archives released on failure. */
class CheckpointTest {
    @TempDir
    Path dir;

    /** The tiny DiT rewritten with diffusers names (F32, same values). */
    private Path diffusersDit() throws IOException {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        try (WeightStore s = WeightStore.open(Fixtures.path("wan-dit-tiny.safetensors"))) {
            for (String n : s.names()) {
                arrays.put(WanKeys.toDiffusers(n), s.data(n).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                shapes.put(WanKeys.toDiffusers(n), s.info(n).shape());
            }
        }
        Path file = dir.resolve("diffusion_pytorch_model.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, shapes, null);
        return file;
    }

    @Test
    void containerAndNamingAreDetectedOnOpen() throws IOException {
        try (Checkpoint c = Checkpoint.open(Fixtures.path("wan-dit-tiny.safetensors"))) {
            assertEquals(Checkpoint.Container.SAFETENSORS, c.container());
            assertEquals(WeightFormat.WAN_OFFICIAL, c.naming());
        }
        Path pth;
        try (WeightStore s = WeightStore.open(Fixtures.path("wan-vae-tiny.safetensors"))) {
            pth = TorchZipWriter.writeStateDict(s, dir.resolve("Wan2.1_VAE.pth"));
        }
        try (Checkpoint c = Checkpoint.open(pth)) {
            assertEquals(Checkpoint.Container.TORCH_ZIP, c.container());
            assertEquals(WeightFormat.WAN_OFFICIAL, c.naming());
        }
        try (Checkpoint c = Checkpoint.open(diffusersDit())) {
            assertEquals(WeightFormat.DIFFUSERS, c.naming());
        }
        try (Checkpoint c = Checkpoint.open(Fixtures.path("t5-tiny-cases.safetensors"))) {
            assertEquals(WeightFormat.UNKNOWN, c.naming());
        }
        IOException e = assertThrows(IOException.class, () -> Checkpoint.open(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("absent.safetensors") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void inspectListingStartsWithTheNaming() throws IOException {
        try (Checkpoint c = Checkpoint.open(Fixtures.path("wan-dit-tiny.safetensors"))) {
            List<String> lines = c.describe();
            assertEquals("format: wan-official", lines.get(0));
            assertEquals(Inspect.describe(c.archive()), lines.subList(1, lines.size()));
            assertEquals("files: 1, tensors: 69, bytes: 8940800", lines.get(1));
        }
        try (Checkpoint c = Checkpoint.open(Fixtures.path("t5-tiny-cases.safetensors"))) {
            assertEquals("format: unknown", c.describe().get(0));
        }
    }

    @Test
    void officialNamesReachTheStoredOnesOnlyInTheirNaming() throws IOException {
        try (CpuBackend be = new CpuBackend(1)) {
            try (Checkpoint official = Checkpoint.open(Fixtures.path("wan-dit-tiny.safetensors"));
                 Checkpoint diffusers = Checkpoint.open(diffusersDit())) {
                StoreWeights o = official.weights("Wan DiT", WanKeys::toDiffusers);
                StoreWeights d = diffusers.weights("Wan DiT", WanKeys::toDiffusers);
                assertEquals("blocks.0.self_attn.q.weight", o.storedName("blocks.0.self_attn.q.weight"));
                assertEquals("blocks.0.attn1.to_q.weight", d.storedName("blocks.0.self_attn.q.weight"));
                assertEquals(o.shape("blocks.0.self_attn.q.weight", 2), d.shape("blocks.0.self_attn.q.weight", 2));
                try (var a = o.load(be, "head.modulation", null, null); var b = d.load(be, "head.modulation", null, null)) {
                    assertEquals(a.shape(), b.shape());
                    assertTrue(java.util.Arrays.equals(be.toFloats(a), be.toFloats(b)));
                }
                WeightFileException missing = assertThrows(WeightFileException.class,
                        () -> d.load(be, "blocks.9.self_attn.q.weight", Shape.of(2, 2), null));
                assertTrue(missing.getMessage().contains("'blocks.9.attn1.to_q.weight' (official blocks.9.self_attn.q.weight)")
                        && missing.getMessage().contains("of shape [2, 2] not found")
                        && missing.getMessage().contains("in diffusers naming"), missing.getMessage());
                WeightFileException rank = assertThrows(WeightFileException.class, () -> o.shape("head.modulation", 2));
                assertTrue(rank.getMessage().contains("expected rank 2"), rank.getMessage());
                WeightFileException other = assertThrows(WeightFileException.class, () -> o.shape("decoder.head.0.gamma", 4));
                assertTrue(other.getMessage().startsWith(official.path() + ": has no tensor 'decoder.head.0.gamma': is this a"
                        + " Wan DiT checkpoint? (it holds 69 tensors in wan-official naming)"), other.getMessage());
            }
        }
    }

    @Test
    void aFailingLoaderReleasesTheArchive() {
        Checkpoint[] seen = new Checkpoint[1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), c -> {
                    seen[0] = c;
                    c.archive().data("conv2.weight").get(ValueLayout.JAVA_BYTE, 0); // readable while loading
                    throw new IllegalArgumentException("bad config");
                }));
        assertEquals("bad config", e.getMessage());
        assertThrows(IllegalStateException.class, () -> seen[0].archive().data("conv2.weight").get(ValueLayout.JAVA_BYTE, 0),
                "the mapping is released");
    }

    @Test
    void aSucceedingLoaderHandsTheCheckpointOver() throws IOException {
        StoreWeights w = Checkpoint.load(Fixtures.path("wan-vae-tiny.safetensors"), c -> c.weights("Wan VAE", n -> n));
        try (w) {
            w.checkpoint().archive().data("conv2.weight").get(ValueLayout.JAVA_BYTE, 0);
        }
        assertThrows(IllegalStateException.class, () -> w.checkpoint().archive().data("conv2.weight").get(ValueLayout.JAVA_BYTE, 0));
    }
}
