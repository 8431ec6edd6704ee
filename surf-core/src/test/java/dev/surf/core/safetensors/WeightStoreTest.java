package dev.surf.core.safetensors;

import static dev.surf.core.safetensors.RawFile.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Single files, folders and sharded checkpoints as one name space; model-facing load and require. */
class WeightStoreTest {
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

    private Path floats(String file, Map<String, String> meta, Object... nameAndValues) throws IOException {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        for (int i = 0; i < nameAndValues.length; i += 2) {
            arrays.put((String) nameAndValues[i], (float[]) nameAndValues[i + 1]);
        }
        Path p = dir.resolve(file);
        SafetensorsWriter.writeFloats(p, arrays, null, meta);
        return p;
    }

    private static void assertFails(Executable open, Path where, String... fragments) {
        SafetensorsException e = assertThrows(SafetensorsException.class, open);
        assertTrue(e.getMessage().startsWith(where + ": "), "should name " + where + ": " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "should contain '" + f + "': " + e.getMessage());
        }
    }

    /** A sharded checkpoint laid out like Wan-AI/Wan2.1-T2V-14B's: numbered shards plus an index. */
    private Path sharded() throws IOException {
        floats("diffusion_pytorch_model-00001-of-00002.safetensors", Map.of("format", "pt"),
                "blocks.0.self_attn.q.weight", new float[] {1, 2}, "patch_embedding.weight", new float[] {3});
        floats("diffusion_pytorch_model-00002-of-00002.safetensors", Map.of("format", "pt", "shard", "2"),
                "head.head.weight", new float[] {4, 5, 6}, "blocks.1.self_attn.q.weight", new float[] {7});
        return Files.writeString(dir.resolve("diffusion_pytorch_model.safetensors.index.json"), """
                {
                  "metadata": {"total_size": 28},
                  "weight_map": {
                    "blocks.0.self_attn.q.weight": "diffusion_pytorch_model-00001-of-00002.safetensors",
                    "blocks.1.self_attn.q.weight": "diffusion_pytorch_model-00002-of-00002.safetensors",
                    "head.head.weight": "diffusion_pytorch_model-00002-of-00002.safetensors",
                    "patch_embedding.weight": "diffusion_pytorch_model-00001-of-00002.safetensors"
                  }
                }
                """);
    }

    @Test
    void singleFile() throws IOException {
        Path f = floats("one.safetensors", Map.of("k", "v"), "a", new float[] {1}, "b", new float[] {2, 3});
        try (WeightStore s = WeightStore.open(f)) {
            assertEquals(f, s.path());
            assertEquals(List.of(f), s.files());
            assertEquals(List.of("a", "b"), s.names());
            assertEquals(Map.of("k", "v"), s.metadata());
            assertTrue(s.has("b"));
            assertEquals(Shape.of(2), s.info("b").shape());
            assertEquals(8, s.data("b").byteSize());
        }
    }

    @Test
    void shardedCheckpointThroughItsIndexOrItsFolder() throws IOException {
        Path index = sharded();
        for (Path open : List.of(index, dir)) {
            try (WeightStore s = WeightStore.open(open)) {
                assertEquals(index, s.path());
                assertEquals(List.of(dir.resolve("diffusion_pytorch_model-00001-of-00002.safetensors"),
                        dir.resolve("diffusion_pytorch_model-00002-of-00002.safetensors")), s.files());
                assertEquals(List.of("blocks.0.self_attn.q.weight", "patch_embedding.weight", "head.head.weight",
                        "blocks.1.self_attn.q.weight"), s.names());
                assertEquals(Map.of("total_size", "28", "format", "pt", "shard", "2"), s.metadata());
                try (Tensor t = s.load(cpu, "head.head.weight", null)) {
                    assertArrayEquals(new float[] {4, 5, 6}, cpu.toFloats(t));
                }
            }
        }
    }

    @Test
    void theIndexDecidesWhichTensorsExist() throws IOException {
        floats("s1.safetensors", null, "listed", new float[] {1}, "unlisted", new float[] {2});
        Path index = Files.writeString(dir.resolve("m.safetensors.index.json"),
                "{\"weight_map\":{\"listed\":\"s1.safetensors\"}}");
        try (WeightStore s = WeightStore.open(index)) {
            assertEquals(List.of("listed"), s.names());
            assertEquals(Map.of(), s.metadata());
        }
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        Path index = sharded();
        Files.delete(dir.resolve("diffusion_pytorch_model-00002-of-00002.safetensors"));
        assertFails(() -> WeightStore.open(index), index,
                "shard diffusion_pytorch_model-00002-of-00002.safetensors", "does not exist");
    }

    @Test
    void indexMappingATensorToAShardWithoutIt() throws IOException {
        sharded();
        Path index = Files.writeString(dir.resolve("diffusion_pytorch_model.safetensors.index.json"), """
                {"weight_map": {
                  "head.head.weight": "diffusion_pytorch_model-00001-of-00002.safetensors",
                  "patch_embedding.weight": "diffusion_pytorch_model-00001-of-00002.safetensors"}}
                """);
        assertFails(() -> WeightStore.open(index), index, "maps tensor 'head.head.weight' to "
                + "diffusion_pytorch_model-00001-of-00002.safetensors, which does not contain it");
    }

    @Test
    void malformedIndexes() throws IOException {
        floats("s.safetensors", null, "a", new float[] {1});
        Object[][] cases = {
            {"{\"weight_map\":", "index is not valid JSON"},
            {"[]", "index is not a JSON object"},
            {"{\"metadata\":{}}", "index has no \"weight_map\" object"},
            {"{\"weight_map\":{\"a\":3}}", "weight_map entry of tensor 'a' is not a file name"},
            {"{\"weight_map\":{\"a\":\"s.safetensors\",\"a\":\"s.safetensors\"}}", "Duplicate field 'a'"},
            {"{\"weight_map\":{\"a\":\"../s.safetensors\"}}", "names '../s.safetensors', which is not a file in the index's folder"},
            {"{\"weight_map\":{\"a\":\"/etc/passwd\"}}", "which is not a file in the index's folder"},
            {"{\"weight_map\":{\"a\":\"s.safetensors\"},\"metadata\":7}", "index \"metadata\" is not an object"},
            {"{\"weight_map\":{\"a\":\"s.safetensors\"}} {}", "index is not valid JSON: Trailing token"},
            {"", "index is not a JSON object"},
        };
        for (Object[] c : cases) {
            Path index = Files.writeString(dir.resolve("x.safetensors.index.json"), (String) c[0]);
            assertFails(() -> WeightStore.open(index), index, (String) c[1]);
        }
    }

    @Test
    void aBrokenShardIsReportedWithItsOwnName() throws IOException {
        Path index = sharded();
        Path shard = dir.resolve("diffusion_pytorch_model-00002-of-00002.safetensors");
        Files.write(shard, new byte[] {1, 2, 3});
        assertFails(() -> WeightStore.open(index), shard, "too short");
    }

    @Test
    void folderOfFiles() throws IOException {
        floats("b.safetensors", Map.of("from", "b"), "y", new float[] {2});
        floats("a.safetensors", Map.of("from", "a", "only", "a"), "x", new float[] {1});
        Files.writeString(dir.resolve("notes.txt"), "not weights");
        try (WeightStore s = WeightStore.open(dir)) {
            assertEquals(dir, s.path());
            assertEquals(List.of(dir.resolve("a.safetensors"), dir.resolve("b.safetensors")), s.files());
            assertEquals(List.of("x", "y"), s.names());
            assertEquals(Map.of("from", "a", "only", "a"), s.metadata(), "the first file's value wins");
        }
    }

    @Test
    void aTensorInTwoFilesOfAFolder() throws IOException {
        floats("a.safetensors", null, "x", new float[] {1}, "shared", new float[] {1});
        floats("b.safetensors", null, "shared", new float[] {2});
        assertFails(() -> WeightStore.open(dir), dir, "tensor 'shared' is in both a.safetensors and b.safetensors");
    }

    @Test
    void folderWithoutWeightsOrWithSeveralIndexes() throws IOException {
        assertFails(() -> WeightStore.open(dir), dir, "folder holds no *.safetensors files");
        Files.writeString(dir.resolve("a.safetensors.index.json"), "{}");
        Files.writeString(dir.resolve("b.safetensors.index.json"), "{}");
        assertFails(() -> WeightStore.open(dir), dir,
                "several index files [a.safetensors.index.json, b.safetensors.index.json]");
        Path none = dir.resolve("missing");
        assertFails(() -> WeightStore.open(none), none, "no such file or directory");
    }

    @Test
    void requireChecksPresenceAndShape() throws IOException {
        Path f = dir.resolve("w.safetensors");
        SafetensorsWriter.writeFloats(f, Map.of("blocks.0.attn1.to_q.weight", new float[] {1, 2, 3, 4, 5, 6}),
                Map.of("blocks.0.attn1.to_q.weight", Shape.of(2, 3)), null);
        try (WeightStore s = WeightStore.open(f)) {
            try (Tensor t = s.require(cpu, "blocks.0.attn1.to_q.weight", Shape.of(2, 3), DType.F32)) {
                assertEquals(Shape.of(2, 3), t.shape());
            }
            assertFails(() -> s.require(cpu, "blocks.0.attn1.to_q.weight", Shape.of(3, 2), null), f,
                    "tensor 'blocks.0.attn1.to_q.weight' has shape [2, 3] but [3, 2] is required");
            assertFails(() -> s.require(cpu, "blocks.0.self_attn.q.weight", Shape.of(2, 3), null), f,
                    "required tensor 'blocks.0.self_attn.q.weight' of shape [2, 3] not found",
                    "(the store holds 1 tensors)");
            assertFails(() -> s.load(cpu, "nope", null), f, "tensor 'nope' not found");
            var e = assertThrows(IllegalArgumentException.class, () -> s.info("nope"));
            assertEquals(f + ": no tensor named 'nope'", e.getMessage());
        }
    }

    @Test
    void loadedWeightsBorrowTheMappingUntilTheStoreCloses() throws IOException {
        Path f = floats("w.safetensors", null, "w", new float[] {1, 2});
        WeightStore s = WeightStore.open(f);
        Tensor w = s.load(cpu, "w", null);
        assertArrayEquals(new float[] {1, 2}, cpu.toFloats(w));
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> cpu.toFloats(w));
    }
}
