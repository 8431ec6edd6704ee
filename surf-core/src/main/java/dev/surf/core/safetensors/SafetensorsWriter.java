package dev.surf.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.io.AtomicOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Writes safetensors files in the standard layout: 8-byte little-endian header length, JSON header
 * padded with spaces so that the data section starts 8-byte aligned, then the tensors back to back
 * in insertion order (no gaps, as the reference implementation requires).
 *
 * <p>The file is written under a temporary name in the target folder and renamed into place at the
 * end, so a crash or an exception never leaves a partial file under the final name.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private SafetensorsWriter() {
    }

    /** One tensor to write: its header fields and how to fill its bytes. */
    private record Entry(String name, String dtype, Shape shape, long bytes, Consumer<MemorySegment> fill) {
    }

    /**
     * Writes tensors of any backend (copied to the host with {@link dev.surf.core.Backend#copyToHost})
     * in the map's iteration order, with optional {@code metadata} (null or empty writes none; keys are
     * written sorted, so the same tensors and metadata always give the same bytes).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Entry> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            entries.add(new Entry(e.getKey(), t.dtype().safetensorsName(), t.shape(), t.byteSize(),
                    dst -> t.backend().copyToHost(t, dst)));
        }
        write(file, entries, metadata);
    }

    /**
     * Writes F32 arrays; {@code shapes} gives each array's shape (a name without one, or a null map,
     * means 1-D). The element count of a shape must equal its array's length.
     */
    public static void writeFloats(Path file, Map<String, float[]> arrays, Map<String, Shape> shapes,
            Map<String, String> metadata) throws IOException {
        List<Entry> entries = new ArrayList<>(arrays.size());
        for (Map.Entry<String, float[]> e : arrays.entrySet()) {
            float[] a = e.getValue();
            Shape shape = shapes == null ? null : shapes.get(e.getKey());
            if (shape == null) {
                shape = Shape.of(a.length);
            }
            if (shape.numel() != a.length) {
                throw new IllegalArgumentException(file + ": array '" + e.getKey() + "' has " + a.length
                        + " elements but shape " + shape + " needs " + shape.numel());
            }
            entries.add(new Entry(e.getKey(), "F32", shape, 4L * a.length,
                    dst -> MemorySegment.copy(a, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                            0, a.length)));
        }
        write(file, entries, metadata);
    }

    /** Fills the bytes of a tensor being written; may throw what producing them throws. */
    @FunctionalInterface
    public interface Filler {
        void fill(MemorySegment bytes) throws IOException;
    }

    /**
     * Writes one tensor whose bytes are produced while the file is open: {@code filler} receives the
     * tensor's region of the mapped output ({@code shape.numel() x dtype size} bytes, zero-filled) and
     * may write it in any order, e.g. frame by frame as a decoder produces them, without holding the
     * whole tensor in memory. Same atomic temp-file-and-rename as the other writers: if filler throws,
     * no file appears under the final name.
     */
    public static void writeStreaming(Path file, String name, dev.surf.core.DType dtype, Shape shape,
            Map<String, String> metadata, Filler filler) throws IOException {
        long bytes = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        write(file, List.of(new Entry(name, dtype.safetensorsName(), shape, bytes, dst -> {
            try {
                filler.fill(dst);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })), metadata);
    }

    private static void write(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        byte[] header = header(file, entries, metadata);
        long dataBytes = 0;
        for (Entry e : entries) {
            dataBytes = Math.addExact(dataBytes, e.bytes());
        }
        long total = 8 + header.length + dataBytes;
        try (AtomicOutput atomic = AtomicOutput.file(file)) {
            try (FileChannel ch = FileChannel.open(atomic.temp(), StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 Arena arena = Arena.ofConfined()) {
                // Mapping the output lets backends copy straight into the file, with no staging buffer.
                MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, header.length);
                MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 8, header.length);
                long at = 8 + header.length;
                for (Entry e : entries) {
                    try {
                        e.fill().accept(out.asSlice(at, e.bytes()));
                    } catch (java.io.UncheckedIOException u) {
                        throw u.getCause();
                    }
                    at += e.bytes();
                }
                out.force();
            }
            atomic.commit();
        }
    }

    /** The JSON header, space-padded to a multiple of 8 bytes. */
    private static byte[] header(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(buf)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    if (m.getKey() == null || m.getValue() == null) {
                        throw new IllegalArgumentException(file + ": metadata entry " + m.getKey() + "=" + m.getValue()
                                + " has a null key or value; safetensors metadata maps strings to strings");
                    }
                }
                // sorted: the same metadata gives the same bytes whatever map the caller used (Map.of has no order)
                for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : entries) {
                if (e.name().equals("__metadata__") || e.name().isEmpty()) {
                    throw new IllegalArgumentException(file + ": '" + e.name() + "' cannot be a tensor name");
                }
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype());
                g.writeArrayFieldStart("shape");
                for (int d : e.shape().dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + e.bytes());
                g.writeEndArray();
                g.writeEndObject();
                offset += e.bytes();
            }
            g.writeEndObject();
        }
        byte[] json = buf.toByteArray();
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
