package dev.surf.core.safetensors;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.weights.TensorArchive;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * All tensors of a model under one name space: a single safetensors file, a folder of
 * {@code *.safetensors} files, or a sharded checkpoint described by a {@code *.safetensors.index.json}
 * (given directly, or found as the only index in a folder).
 *
 * <p>Every file is opened (header only) up front, so a broken shard or index is reported by
 * {@link #open} rather than halfway through loading a model. Tensors loaded with {@link #load} may
 * borrow the mapped bytes (the CPU backend does), so keep the store open while they are used.
 */
public final class WeightStore implements TensorArchive {
    private static final String INDEX_SUFFIX = ".safetensors.index.json";

    private final Path location;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;
    private final List<String> names;
    private final Map<String, String> metadata;

    private WeightStore(Path location, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner,
            Map<String, String> metadata) {
        this.location = location;
        this.files = List.copyOf(files);
        this.owner = Collections.unmodifiableMap(owner);
        this.names = List.copyOf(owner.keySet());
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens a safetensors file, an index JSON, or a folder (its only {@code *.safetensors.index.json}
     * if it has one, otherwise all its {@code *.safetensors} files).
     *
     * @throws SafetensorsException if anything is missing, malformed or inconsistent; files opened so
     *                              far are closed again
     */
    public static WeightStore open(Path fileOrDir) throws SafetensorsException {
        if (Files.isDirectory(fileOrDir)) {
            return openFolder(fileOrDir);
        }
        if (!Files.exists(fileOrDir)) {
            throw new SafetensorsException(fileOrDir, "no such file or directory");
        }
        if (fileOrDir.getFileName().toString().endsWith(".json")) {
            return openIndex(ShardIndex.read(fileOrDir));
        }
        SafetensorsFile f = SafetensorsFile.open(fileOrDir);
        return fromFiles(fileOrDir, List.of(f));
    }

    private static WeightStore openFolder(Path dir) throws SafetensorsException {
        TreeSet<Path> indexes = new TreeSet<>();
        TreeSet<Path> weights = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(INDEX_SUFFIX) && Files.isRegularFile(p)) {
                    indexes.add(p);
                } else if (n.endsWith(".safetensors") && Files.isRegularFile(p)) {
                    weights.add(p);
                }
            }
        } catch (IOException e) {
            throw new SafetensorsException(dir, "cannot list folder: " + e, e);
        }
        if (indexes.size() > 1) {
            throw new SafetensorsException(dir, "folder holds several index files " + fileNames(indexes)
                    + "; open the one you mean");
        }
        if (indexes.size() == 1) {
            return openIndex(ShardIndex.read(indexes.first()));
        }
        if (weights.isEmpty()) {
            throw new SafetensorsException(dir, "folder holds no *.safetensors files");
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path p : weights) {
                opened.add(SafetensorsFile.open(p));
            }
            return fromFiles(dir, opened);
        } catch (SafetensorsException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** Files of a folder share one name space; a name in two of them is ambiguous. */
    private static WeightStore fromFiles(Path location, List<SafetensorsFile> files) throws SafetensorsException {
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (String n : f.names()) {
                SafetensorsFile prev = owner.putIfAbsent(n, f);
                if (prev != null) {
                    closeAll(files);
                    throw new SafetensorsException(location, "tensor '" + n + "' is in both "
                            + prev.path().getFileName() + " and " + f.path().getFileName());
                }
            }
        }
        return new WeightStore(location, files, owner, mergedMetadata(Map.of(), files));
    }

    /**
     * The index is authoritative: its weight_map defines the store's names, every listed tensor must
     * be in its shard, and tensors a shard holds beyond the index are not exposed.
     */
    private static WeightStore openIndex(ShardIndex index) throws SafetensorsException {
        Path file = index.file();
        Map<Path, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            for (Path shard : new TreeSet<>(index.weightMap().values())) {
                if (!Files.isRegularFile(shard)) {
                    String tensor = index.weightMap().entrySet().stream()
                            .filter(e -> e.getValue().equals(shard)).findFirst().orElseThrow().getKey();
                    throw new SafetensorsException(file, "shard " + shard.getFileName() + " (named for tensor '"
                            + tensor + "' and others) does not exist");
                }
                shards.put(shard, SafetensorsFile.open(shard));
            }
            for (Map.Entry<String, Path> e : index.weightMap().entrySet()) {
                if (!shards.get(e.getValue()).has(e.getKey())) {
                    throw new SafetensorsException(file, "maps tensor '" + e.getKey() + "' to "
                            + e.getValue().getFileName() + ", which does not contain it");
                }
            }
        } catch (SafetensorsException | RuntimeException e) {
            closeAll(shards.values());
            throw e;
        }
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (SafetensorsFile f : shards.values()) {
            for (String n : f.names()) {
                if (index.weightMap().containsKey(n)) {
                    owner.put(n, f);
                }
            }
        }
        List<SafetensorsFile> files = new ArrayList<>(shards.values());
        return new WeightStore(file, files, owner, mergedMetadata(index.metadata(), files));
    }

    /** First come, first kept: the index's metadata, then each file's in order. */
    private static Map<String, String> mergedMetadata(Map<String, String> first, List<SafetensorsFile> files) {
        Map<String, String> m = new LinkedHashMap<>(first);
        for (SafetensorsFile f : files) {
            f.metadata().forEach(m::putIfAbsent);
        }
        return m;
    }

    /** What the store was opened from: a file, a folder or an index. */
    @Override
    public Path path() {
        return location;
    }

    /** All tensor names: file by file (in file-name order), within a file by data offset. */
    @Override
    public List<String> names() {
        return names;
    }

    /** True if the store holds a tensor of this name. */
    @Override
    public boolean has(String name) {
        return owner.containsKey(name);
    }

    /**
     * The header entry of a tensor.
     *
     * @throws IllegalArgumentException naming the store and the tensor if there is none of that name
     */
    @Override
    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /**
     * The stored bytes of a tensor, a zero-copy slice valid until {@link #close()}.
     *
     * @throws SafetensorsException if its dtype is not supported by the engine
     * @throws IllegalArgumentException if there is no tensor of that name
     */
    @Override
    public MemorySegment data(String name) throws SafetensorsException {
        return file(name).data(name);
    }

    /**
     * A tensor on {@code backend} via {@link Backend#loadWeight}, converted to {@code use} (null keeps
     * the stored dtype).
     *
     * @throws SafetensorsException if the tensor is missing or its dtype is not supported
     */
    @Override
    public Tensor load(Backend backend, String name, DType use) throws SafetensorsException {
        if (!has(name)) {
            throw new SafetensorsException(location, "tensor '" + name + "' not found" + hint());
        }
        TensorInfo info = info(name);
        MemorySegment bytes = data(name);
        return backend.loadWeight(info.dtype(), info.shape(), bytes, use == null ? info.dtype() : use);
    }

    /**
     * Like {@link #load}, but first checks that the tensor exists and has the {@code expected} shape
     * (null accepts any), so that a model reports a wrong or missing weight by name.
     *
     * @throws SafetensorsException naming the tensor, the expected and actual shape, and the store
     */
    @Override
    public Tensor require(Backend backend, String name, Shape expected, DType use) throws SafetensorsException {
        String want = expected == null ? "" : " of shape " + expected;
        if (!has(name)) {
            throw new SafetensorsException(location, "required tensor '" + name + "'" + want + " not found" + hint());
        }
        Shape actual = info(name).shape();
        if (expected != null && !expected.equals(actual)) {
            throw new SafetensorsException(location, "tensor '" + name + "' has shape " + actual + " but "
                    + expected + " is required");
        }
        return load(backend, name, use);
    }

    /** Helps tell a typo from a file that holds something else. */
    private String hint() {
        return " (the store holds " + names.size() + " tensors)";
    }

    /** The merged metadata: index metadata first, then each file's {@code __metadata__}; the first value of a key wins. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The safetensors files of the store, in the order their tensors are listed. */
    @Override
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    /** Closes every file; data and tensors borrowed from them become unusable. Idempotent. */
    @Override
    public void close() {
        closeAll(files);
    }

    @Override
    public String toString() {
        return "WeightStore[" + location + ", " + files.size() + " files, " + names.size() + " tensors]";
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new IllegalArgumentException(location + ": no tensor named '" + name + "'");
        }
        return f;
    }

    private static void closeAll(Iterable<SafetensorsFile> files) {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }

    private static String fileNames(Iterable<Path> paths) {
        List<String> n = new ArrayList<>();
        paths.forEach(p -> n.add(p.getFileName().toString()));
        return n.toString();
    }
}
