package dev.surf.core.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped. Opening parses and validates the header only; tensor bytes
 * are never read or copied here, {@link #data} hands out slices of the mapping.
 *
 * <p>Layout: an 8-byte little-endian header length n, n bytes of UTF-8 JSON, then the data section
 * to which all {@code data_offsets} are relative. Slices stay valid until {@link #close()}; using
 * one afterwards throws {@link IllegalStateException} instead of touching unmapped memory. An open
 * file may be read from several threads.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest accepted header. Real checkpoints need well under 1 MiB; the cap stops absurd allocations. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final String SUPPORTED = java.util.Arrays.stream(dev.surf.core.DType.values())
            .map(dev.surf.core.DType::safetensorsName).collect(java.util.stream.Collectors.joining(", "));

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final List<String> names;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, long dataStart, List<TensorInfo> infos,
            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.dataStart = dataStart;
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            byName.put(t.name(), t);
        }
        this.tensors = Collections.unmodifiableMap(byName);
        this.names = List.copyOf(byName.keySet());
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Maps {@code file} and validates its header: O(header size), no tensor data is read.
     *
     * @throws SafetensorsException if the file cannot be read or is not a valid safetensors file
     */
    public static SafetensorsFile open(Path file) throws SafetensorsException {
        if (Files.isDirectory(file)) {
            throw new SafetensorsException(file, "is a directory, not a safetensors file (WeightStore.open reads folders)");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // Devices and pipes have no stable size to validate offsets against.
            throw new SafetensorsException(file, "is not a regular file");
        }
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file, "file is " + size
                        + " bytes long, too short for the 8-byte header length");
            }
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = mapping.get(LE_LONG, 0);
            // The length is an unsigned 64-bit number: negative here means above 2^63.
            if (n < 0 || n > size - 8) {
                throw new SafetensorsException(file, "header length " + Long.toUnsignedString(n)
                        + " is larger than the file (" + size + " bytes)");
            }
            if (n > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, "header length " + n + " is absurd (limit " + MAX_HEADER_BYTES
                        + " bytes)");
            }
            byte[] json = mapping.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            HeaderParser.Header header = HeaderParser.parse(file, json);
            List<TensorInfo> infos = HeaderValidator.validate(file, header.entries(), size - 8 - n);
            SafetensorsFile f = new SafetensorsFile(file, arena, mapping, 8 + n, infos, header.metadata());
            ok = true;
            return f;
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(file, "no such file", e);
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot be read: " + e, e);
        } finally {
            if (!ok) {
                arena.close();
            }
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** The header's {@code __metadata__} (string to string), empty if it has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** All tensor names, ordered by data offset. */
    public List<String> names() {
        return names;
    }

    /** True if the file holds a tensor of this name. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The header entry of a tensor.
     *
     * @throws IllegalArgumentException naming the file and the tensor if there is none of that name
     */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /**
     * The stored bytes of a tensor as a read-only slice of the mapping (no copy), valid until
     * {@link #close()}.
     *
     * @throws SafetensorsException if the tensor's dtype is one the engine does not support
     * @throws IllegalArgumentException if there is no tensor of that name
     * @throws IllegalStateException if the file was closed
     */
    public MemorySegment data(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        if (t.dtype() == null) {
            throw new SafetensorsException(path, "tensor '" + name + "' has dtype " + t.dtypeName()
                    + ", which the engine does not support (it loads " + SUPPORTED + ")");
        }
        return raw(t);
    }

    /**
     * A copy of a tensor on a backend, in its stored dtype (for inputs and fixtures; weights that
     * should stay mapped go through {@link WeightStore#load}).
     *
     * @throws SafetensorsException if the tensor's dtype is one the engine does not support
     * @throws IllegalArgumentException if there is no tensor of that name
     */
    public Tensor read(Backend be, String name) throws SafetensorsException {
        TensorInfo t = info(name);
        return be.fromBytes(t.dtype(), t.shape(), data(name)); // data() rejects unsupported dtypes first
    }

    /** The bytes of a validated entry, whatever its dtype. */
    MemorySegment raw(TensorInfo t) {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        return mapping.asSlice(dataStart + t.begin(), t.byteSize()).asReadOnly();
    }

    /** Unmaps the file; slices handed out before become unusable. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names.size() + " tensors]";
    }
}
