package dev.surf.core.pth;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.pth.PickleObjects.StorageRef;
import dev.surf.core.pth.PickleObjects.TensorRef;
import dev.surf.core.safetensors.TensorInfo;
import dev.surf.core.weights.TensorArchive;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A checkpoint written by {@code torch.save} (the zip format, PyTorch 1.6 and later), read without
 * Python: entries {@code <prefix>/data.pkl} (the pickled state dict), {@code <prefix>/data/<key>}
 * (one per storage), {@code <prefix>/byteorder} and {@code <prefix>/version}. The pickle is read by a
 * restricted interpreter that accepts only what a state dict of tensors needs and never runs code.
 *
 * <p>The file is memory-mapped; torch stores entries uncompressed, so a tensor's bytes are a zero-copy
 * slice of the mapping and an 11 GB umT5 checkpoint costs no copy. (Deflated entries, which torch
 * does not write, are inflated into memory on first use.) Opening validates every tensor: storage
 * present and large enough, offsets in range, row-major contiguous strides. Nested dicts are
 * flattened with dots ({@code {"model": {"w": t}}} gives {@code model.w}); non-tensor values are
 * ignored.
 */
public final class PthArchive implements TensorArchive {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final Map<String, ZipDirectory.Entry> storages;
    private final Map<String, Tensor> tensors;
    private final List<String> names;
    private final Map<String, MemorySegment> inflated = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One validated tensor: its entry and where its bytes lie in the storage. */
    private record Tensor(TensorInfo info, String storageEntry) {
    }

    private PthArchive(Path path, Arena arena, MemorySegment mapping, Map<String, ZipDirectory.Entry> storages,
            Map<String, Tensor> tensors) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.storages = storages;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.names = List.copyOf(tensors.keySet());
    }

    /**
     * Maps and validates a torch zip checkpoint: O(pickle size), no tensor data is read.
     *
     * @throws PthException naming the file and the problem if it is not a usable tensor checkpoint
     */
    public static PthArchive open(Path file) throws PthException {
        if (Files.isDirectory(file)) {
            throw new PthException(file, "is a directory, not a torch checkpoint");
        }
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 22) {
                throw new PthException(file, "file is " + size + " bytes long, too short for a zip archive");
            }
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (mapping.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x80) {
                throw new PthException(file, "is a legacy (pre-1.6) torch serialization, not a zip archive; re-save it"
                        + " with torch.save (default settings) or convert it to safetensors");
            }
            Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(file, mapping);
            String prefix = prefix(file, entries);
            checkByteOrder(file, mapping, entries, prefix);
            ZipDirectory.Entry pkl = entries.get(prefix + "data.pkl");
            byte[] pickle = bytes(file, mapping, pkl, 1L << 30);
            Object root = RestrictedUnpickler.load(file, pkl.name(), pickle);
            if (!(root instanceof Map<?, ?> dict)) {
                throw new PthException(file, "holds a pickled " + RestrictedUnpickler.typeName(root)
                        + ", not a dict of tensors (a state dict)");
            }
            Map<String, TensorRef> flat = new LinkedHashMap<>();
            flatten("", dict, flat, 0, new int[] {MAX_FLATTENED_ENTRIES}, file);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, ZipDirectory.Entry> storages = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : flat.entrySet()) {
                tensors.put(e.getKey(), validate(file, e.getKey(), e.getValue(), entries, prefix, storages));
            }
            checkInflatedTotal(file, storages);
            PthArchive a = new PthArchive(file, arena, mapping, storages, tensors);
            ok = true;
            return a;
        } catch (NoSuchFileException e) {
            throw new PthException(file, "no such file", e);
        } catch (PthException e) {
            throw e;
        } catch (IOException e) {
            throw new PthException(file, "cannot be read: " + e, e);
        } finally {
            if (!ok) {
                arena.close();
            }
        }
    }

    /** The single top-level folder holding data.pkl (torch names it after the file, e.g. "archive/"). */
    private static String prefix(Path file, Map<String, ZipDirectory.Entry> entries) throws PthException {
        List<String> found = new ArrayList<>();
        for (String n : entries.keySet()) {
            if (n.endsWith("data.pkl") && n.indexOf('/') == n.length() - "data.pkl".length() - 1) {
                found.add(n.substring(0, n.length() - "data.pkl".length()));
            }
        }
        if (found.isEmpty()) {
            throw new PthException(file, "zip archive has no <name>/data.pkl entry: not a torch.save checkpoint (entries: "
                    + preview(entries.keySet()) + ")");
        }
        if (found.size() > 1) {
            throw new PthException(file, "zip archive has several data.pkl entries " + found + "; expected one");
        }
        return found.get(0);
    }

    private static void checkByteOrder(Path file, MemorySegment mapping, Map<String, ZipDirectory.Entry> entries,
            String prefix) throws PthException {
        ZipDirectory.Entry bo = entries.get(prefix + "byteorder");
        if (bo == null) {
            return; // archives before PyTorch 1.12 have none and are little-endian
        }
        String order = new String(bytes(file, mapping, bo, 64), StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
            throw new PthException(file, "tensors are stored with byte order '" + order + "'; only little-endian"
                    + " checkpoints are supported");
        }
    }

    /**
     * Deflated storages (torch never writes them, but a zip tool can) live in memory once inflated; their
     * total must fit in half the heap, or opening says so instead of ending in an OutOfMemoryError.
     */
    private static void checkInflatedTotal(Path file, Map<String, ZipDirectory.Entry> storages) throws PthException {
        long total = 0;
        for (ZipDirectory.Entry e : storages.values()) {
            if (e.method() != ZipDirectory.STORED) {
                checkRatio(file, e);
                total += e.size();
            }
        }
        long heap = Runtime.getRuntime().maxMemory() / 2;
        if (total > heap) {
            throw new PthException(file, "its deflated storages need " + total + " bytes in memory, more than half the JVM heap ("
                    + Runtime.getRuntime().maxMemory() + " bytes); re-save it with torch.save (which stores tensors"
                    + " uncompressed) or give the JVM more memory (SURF_JAVA_OPTS=-Xmx...)");
        }
    }

    private static void checkRatio(Path file, ZipDirectory.Entry e) throws PthException {
        if (e.size() > (e.compressedSize() + 64) * MAX_DEFLATE_RATIO) {
            throw new PthException(file, "deflated entry " + e.name() + " must inflate to " + e.size() + " bytes from "
                    + e.compressedSize() + " compressed; deflate expands at most " + MAX_DEFLATE_RATIO + "x: corrupt archive");
        }
    }

    /** Deflate's largest expansion (about 1032:1 for long runs of one byte). */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /** How many dict entries the nested dicts of a pickle may expand to: the memo can share one dict many times. */
    static final int MAX_FLATTENED_ENTRIES = 1 << 20;

    private static void flatten(String prefix, Map<?, ?> dict, Map<String, TensorRef> out, int depth, int[] budget, Path file)
            throws PthException {
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (--budget[0] < 0) {
                throw new PthException(file, "its nested dicts expand to more than " + MAX_FLATTENED_ENTRIES
                        + " entries (dicts shared through the pickle memo); not a state dict of tensors");
            }
            if (!(e.getKey() instanceof String k)) {
                continue;
            }
            String name = prefix.isEmpty() ? k : prefix + "." + k;
            if (e.getValue() instanceof TensorRef t) {
                out.put(name, t);
            } else if (e.getValue() instanceof Map<?, ?> m && depth < 8) {
                flatten(name, m, out, depth + 1, budget, file);
            }
        }
    }

    /** Checks a tensor against its storage and returns its entry. */
    private static Tensor validate(Path file, String name, TensorRef t, Map<String, ZipDirectory.Entry> entries,
            String prefix, Map<String, ZipDirectory.Entry> storages) throws PthException {
        StorageRef s = t.storage();
        String dtypeName = RestrictedUnpickler.STORAGE_DTYPES.get(s.type());
        int bits = switch (dtypeName) {
            case "F64", "I64" -> 64;
            case "F32", "I32" -> 32;
            case "F16", "BF16", "I16" -> 16;
            default -> 8;
        };
        long es = bits / 8;
        String entryName = prefix + "data/" + s.key();
        ZipDirectory.Entry entry = entries.get(entryName);
        if (entry == null) {
            throw new PthException(file, "tensor '" + name + "' lives in storage '" + s.key() + "', but the archive has no"
                    + " entry " + entryName);
        }
        long storageBytes = checkedProduct(file, name, s.numel(), es);
        if (entry.size() < storageBytes) {
            throw new PthException(file, "storage " + entryName + " holds " + entry.size() + " bytes, too small for its "
                    + s.numel() + " " + s.type() + " elements (" + storageBytes + " bytes)");
        }
        long[] size = t.size();
        long numel = 1;
        for (long d : size) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new PthException(file, "tensor '" + name + "' has an invalid size " + java.util.Arrays.toString(size));
            }
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException ex) {
                throw new PthException(file, "tensor '" + name + "' size " + java.util.Arrays.toString(size) + " overflows");
            }
        }
        if (t.stride().length != size.length) {
            throw new PthException(file, "tensor '" + name + "' has " + size.length + " sizes but " + t.stride().length
                    + " strides");
        }
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && t.stride()[i] != expect) {
                throw new PthException(file, "tensor '" + name + "' is not contiguous (size " + java.util.Arrays.toString(size)
                        + ", stride " + java.util.Arrays.toString(t.stride()) + "); save it after .contiguous()");
            }
            expect *= size[i];
        }
        if (t.offset() < 0 || t.offset() > s.numel() - numel) {
            throw new PthException(file, "tensor '" + name + "' (offset " + t.offset() + ", " + numel
                    + " elements) lies outside its storage of " + s.numel() + " elements");
        }
        if (entry.method() == ZipDirectory.STORED) {
            storages.put(entryName, entry);
        } else {
            // a deflated storage is inflated only as far as its tensors reach: the size it claims is not trusted
            ZipDirectory.Entry seen = storages.get(entryName);
            long need = Math.max(seen == null ? 0 : seen.size(), (t.offset() + numel) * es);
            storages.put(entryName, entry.withSize(need));
        }
        long begin = t.offset() * es;
        TensorInfo info = new TensorInfo(name, dtypeName, DType.fromSafetensors(dtypeName), Shape.ofLongs(size), begin,
                begin + numel * es);
        return new Tensor(info, entryName);
    }

    /** a * b for sizes read from the file, refused (naming the tensor) when negative or overflowing. */
    private static long checkedProduct(Path file, String name, long a, long b) throws PthException {
        try {
            if (a < 0 || b < 0) {
                throw new ArithmeticException();
            }
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new PthException(file, "tensor '" + name + "' has an invalid storage size (" + a + " elements of " + b
                    + " bytes)");
        }
    }

    /** The whole (inflated) contents of a small entry, with a size cap and a CRC check. */
    private static byte[] bytes(Path file, MemorySegment mapping, ZipDirectory.Entry e, long cap) throws PthException {
        if (e.size() > cap) {
            throw new PthException(file, "entry " + e.name() + " is " + e.size() + " bytes, more than the " + cap
                    + " allowed for it");
        }
        byte[] b = contents(file, mapping, e).toArray(ValueLayout.JAVA_BYTE);
        CRC32 crc = new CRC32();
        crc.update(b);
        if ((int) crc.getValue() != e.crc()) {
            throw new PthException(file, "entry " + e.name() + " fails its CRC-32 check: corrupt archive");
        }
        return b;
    }

    /** An entry's uncompressed bytes: a slice of the mapping when stored, else inflated into memory. */
    private static MemorySegment contents(Path file, MemorySegment mapping, ZipDirectory.Entry e) throws PthException {
        MemorySegment raw = mapping.asSlice(e.dataOffset(), e.compressedSize());
        if (e.method() == ZipDirectory.STORED) {
            if (e.compressedSize() != e.size()) {
                throw new PthException(file, "stored entry " + e.name() + " has " + e.compressedSize()
                        + " bytes but claims " + e.size());
            }
            return raw.asReadOnly();
        }
        if (e.method() != ZipDirectory.DEFLATED) {
            throw new PthException(file, "entry " + e.name() + " uses zip compression method " + e.method()
                    + "; only stored and deflated entries can be read");
        }
        if (e.size() > Integer.MAX_VALUE - 16 || e.compressedSize() > Integer.MAX_VALUE - 16) {
            throw new PthException(file, "deflated entry " + e.name() + " is too large to inflate (" + e.size()
                    + " bytes); torch.save writes entries uncompressed");
        }
        checkRatio(file, e);
        byte[] out;
        try {
            out = new byte[(int) e.size()];
        } catch (OutOfMemoryError oom) {
            throw new PthException(file, "deflated entry " + e.name() + " needs " + e.size() + " bytes of heap to inflate;"
                    + " give the JVM more memory (SURF_JAVA_OPTS=-Xmx...) or re-save the checkpoint uncompressed");
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw.asByteBuffer());
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int got = inf.inflate(out, n, out.length - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length) {
                throw new PthException(file, "deflated entry " + e.name() + " inflates to " + n + " bytes, not the "
                        + e.size() + " it claims: corrupt archive");
            }
        } catch (DataFormatException ex) {
            throw new PthException(file, "deflated entry " + e.name() + " is corrupt: " + ex.getMessage(), ex);
        } finally {
            inf.end();
        }
        return MemorySegment.ofArray(out).asReadOnly();
    }

    private static String preview(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " and " + (l.size() - 5) + " more";
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public List<Path> files() {
        return List.of(path);
    }

    /** Tensor names in the order of the state dict. */
    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor's entry; begin/end are byte offsets inside its storage record. */
    @Override
    public TensorInfo info(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        }
        return t.info();
    }

    /**
     * The tensor's bytes: a read-only, zero-copy slice of the mapped file for stored entries.
     *
     * @throws PthException if its dtype is not one the engine computes with (F64, integers but I32/I64, bool)
     */
    @Override
    public MemorySegment data(String name) throws PthException {
        TensorInfo info = info(name);
        if (info.dtype() == null) {
            throw new PthException(path, "tensor '" + name + "' has dtype " + info.dtypeName()
                    + ", which the engine does not support");
        }
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        String entry = tensors.get(name).storageEntry();
        ZipDirectory.Entry e = storages.get(entry);
        MemorySegment all;
        if (e.method() == ZipDirectory.STORED) {
            all = contents(path, mapping, e);
        } else {
            all = inflated.get(entry);
            if (all == null) {
                all = contents(path, mapping, e);
                inflated.put(entry, all);
            }
        }
        return all.asSlice(info.begin(), info.byteSize());
    }

    /** Unmaps the file; slices handed out before become unusable. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inflated.clear();
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "PthArchive[" + path + ", " + names.size() + " tensors]";
    }
}
