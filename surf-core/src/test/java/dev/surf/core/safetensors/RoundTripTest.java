package dev.surf.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link SafetensorsWriter} writes, {@link SafetensorsFile} and {@link WeightStore} read back bit for bit. */
class RoundTripTest {
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

    /** A tensor of random raw bytes: every bit pattern must survive, not only nice floats. */
    private static Tensor random(DType dtype, Shape shape, long seed) {
        byte[] b = new byte[Math.toIntExact(shape.numel() * dtype.byteSize())];
        new SplittableRandom(seed).nextBytes(b);
        return cpu.fromBytes(dtype, shape, MemorySegment.ofArray(b));
    }

    private static byte[] bytesOf(Tensor t) {
        byte[] b = new byte[(int) t.byteSize()];
        cpu.copyToHost(t, MemorySegment.ofArray(b));
        return b;
    }

    @Test
    void everySupportedDtypeAndOddShapesRoundTrip() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32.odd", random(DType.F32, Shape.of(3, 5, 7), 1));
        tensors.put("bf16.odd", random(DType.BF16, Shape.of(1, 13), 2)); // 26 bytes: later tensors start unaligned
        tensors.put("f16.rank5", random(DType.F16, Shape.of(2, 1, 3, 1, 5), 3));
        tensors.put("i64.vec", random(DType.I64, Shape.of(9), 4));
        tensors.put("i32.mat", random(DType.I32, Shape.of(4, 3), 5));
        tensors.put("scalar", random(DType.F32, Shape.of(), 6));
        tensors.put("empty", random(DType.BF16, Shape.of(0), 7));
        tensors.put("empty.2d", random(DType.F32, Shape.of(3, 0), 8));
        Path file = dir.resolve("all.safetensors");
        SafetensorsWriter.write(file, tensors, null);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), f.names(), "insertion order is data order");
            assertEquals(Map.of(), f.metadata());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                TensorInfo info = f.info(e.getKey());
                assertEquals(t.dtype(), info.dtype(), e.getKey());
                assertEquals(t.dtype().safetensorsName(), info.dtypeName(), e.getKey());
                assertEquals(t.shape(), info.shape(), e.getKey());
                assertArrayEquals(bytesOf(t), f.data(e.getKey()).toArray(ValueLayout.JAVA_BYTE), e.getKey());
            }
        }
        try (WeightStore s = WeightStore.open(file)) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                try (Tensor back = s.load(cpu, e.getKey(), null)) {
                    assertEquals(e.getValue().dtype(), back.dtype());
                    assertEquals(e.getValue().shape(), back.shape());
                    assertArrayEquals(bytesOf(e.getValue()), bytesOf(back), e.getKey());
                }
            }
        }
        tensors.values().forEach(Tensor::close);
    }

    @Test
    void layoutIsTheStandardOne() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", random(DType.BF16, Shape.of(3), 1));
        tensors.put("b", random(DType.F32, Shape.of(2), 2));
        Path file = dir.resolve("layout.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("k", "v"));
        byte[] raw = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 6 + 8, raw.length, "tensors back to back, nothing after them");
        String header = new String(raw, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"BF16\",\"shape\":[3],"
                + "\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]}}"), header);
        assertTrue(header.substring(header.lastIndexOf('}') + 1).isBlank(), "padding is spaces");
        tensors.values().forEach(Tensor::close);
    }

    @Test
    void metadataRoundTripsSortedSoTheSameRunGivesTheSameBytes() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("unicode", "h\u00e9llo \u4e16\u754c \"quoted\" \\ back");
        meta.put("empty", "");
        Path file = dir.resolve("meta.safetensors");
        SafetensorsWriter.writeFloats(file, Map.of("x", new float[] {1, 2}), null, meta);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("empty", "format", "unicode"), List.copyOf(f.metadata().keySet()), "keys sorted");
            assertEquals(meta, f.metadata());
        }
        // the same metadata in another iteration order gives the same bytes
        Map<String, String> reversed = new LinkedHashMap<>();
        List<String> keys = new java.util.ArrayList<>(meta.keySet());
        java.util.Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, meta.get(k)));
        Path again = dir.resolve("meta2.safetensors");
        SafetensorsWriter.writeFloats(again, Map.of("x", new float[] {1, 2}), null, reversed);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    @Test
    void writeFloatsUsesShapesAndChecksThem() throws IOException {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        arrays.put("m", new float[] {1.5f, -2, Float.NaN, Float.NEGATIVE_INFINITY, 0, -0f});
        arrays.put("v", new float[] {3});
        Path file = dir.resolve("floats.safetensors");
        SafetensorsWriter.writeFloats(file, arrays, Map.of("m", Shape.of(2, 3)), null);
        try (WeightStore s = WeightStore.open(file); Tensor m = s.load(cpu, "m", null)) {
            assertEquals(Shape.of(2, 3), m.shape());
            assertEquals(DType.F32, m.dtype());
            assertArrayEquals(arrays.get("m"), cpu.toFloats(m));
            assertEquals(Shape.of(1), s.info("v").shape(), "no shape given means 1-D");
        }
        var bad = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.writeFloats(
                dir.resolve("bad.safetensors"), Map.of("m", new float[5]), Map.of("m", Shape.of(2, 3)), null));
        assertTrue(bad.getMessage().contains("'m'") && bad.getMessage().contains("[2, 3]"), bad.getMessage());
        assertFalse(Files.exists(dir.resolve("bad.safetensors")));
    }

    @Test
    void loadConvertsWhenAskedTo() throws IOException {
        Path file = dir.resolve("conv.safetensors");
        SafetensorsWriter.writeFloats(file, Map.of("w", new float[] {1, 0.5f, -3}), null, null);
        try (WeightStore s = WeightStore.open(file); Tensor w = s.load(cpu, "w", DType.BF16)) {
            assertEquals(DType.BF16, w.dtype());
            assertArrayEquals(new float[] {1, 0.5f, -3}, cpu.toFloats(w));
        }
    }

    @Test
    void overwriteIsAtomicAndLeavesNoTempFiles() throws IOException {
        Path file = dir.resolve("out.safetensors");
        SafetensorsWriter.writeFloats(file, Map.of("old", new float[] {1}), null, null);
        SafetensorsWriter.writeFloats(file, Map.of("new", new float[] {2, 3}), null, null);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("new"), f.names());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList());
        }
    }

    @Test
    void aFailureMidwayLeavesNeitherAPartialFileNorATempFile() throws IOException {
        Path file = dir.resolve("never.safetensors");
        Tensor ok = random(DType.F32, Shape.of(4), 1);
        Tensor closed = random(DType.F32, Shape.of(4), 2);
        closed.close(); // copying it out fails after the header and the first tensor were written
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("ok", ok);
        tensors.put("closed", closed);
        assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(file, tensors, null));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList());
        }
        ok.close();
    }

    @Test
    void reservedOrEmptyNamesAreRejected() {
        for (String name : new String[] {"__metadata__", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.writeFloats(
                    dir.resolve("x.safetensors"), Map.of(name, new float[1]), null, null));
            assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        }
    }

    @Test
    void nullMetadataValuesAreRejected() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("k", null);
        var e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.writeFloats(
                dir.resolve("x.safetensors"), Map.of("a", new float[1]), null, meta));
        assertTrue(e.getMessage().contains("k=null"), e.getMessage());
    }

    @Test
    void slicesDieWithTheFile() throws IOException {
        Path file = dir.resolve("closed.safetensors");
        SafetensorsWriter.writeFloats(file, Map.of("x", new float[] {1, 2}), null, null);
        SafetensorsFile f = SafetensorsFile.open(file);
        MemorySegment x = f.data("x");
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> x.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> f.data("x"));
    }
}
