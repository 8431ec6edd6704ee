package dev.surf.core.weights;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.safetensors.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Named tensors on disk, whatever the container: safetensors files
 * ({@link dev.surf.core.safetensors.WeightStore}) or a torch.save checkpoint
 * ({@link dev.surf.core.pth.PthArchive}). Models read parameters through this interface and do not
 * care which one they got. Tensor bytes are zero-copy slices where the container allows, valid until
 * {@link #close()}; tensors loaded on the CPU may borrow them, so keep the archive open while they
 * are used.
 */
public interface TensorArchive extends AutoCloseable {

    /** What the archive was opened from (file, folder or index). */
    Path path();

    /** The files behind it. */
    List<Path> files();

    /** All tensor names. */
    List<String> names();

    /** True if there is a tensor of this name. */
    boolean has(String name);

    /**
     * The entry of a tensor: dtype, shape and its byte range inside its container (the data section
     * of its safetensors file, or its storage record in a torch archive).
     *
     * @throws IllegalArgumentException if there is no tensor of that name
     */
    TensorInfo info(String name);

    /**
     * The stored little-endian bytes of a tensor (numel x element size), read-only.
     *
     * @throws IOException if its dtype is not supported or the bytes cannot be read
     */
    MemorySegment data(String name) throws IOException;

    /**
     * The tensor on {@code backend} via {@link Backend#loadWeight}, converted to {@code use} (null
     * keeps the stored dtype).
     *
     * @throws IOException naming the archive if the tensor is missing or unsupported
     */
    default Tensor load(Backend backend, String name, DType use) throws IOException {
        if (!has(name)) {
            throw new IOException(path() + ": tensor '" + name + "' not found (the archive holds " + names().size()
                    + " tensors)");
        }
        TensorInfo info = info(name);
        MemorySegment bytes = data(name);
        return backend.loadWeight(info.dtype(), info.shape(), bytes, use == null ? info.dtype() : use);
    }

    /**
     * Like {@link #load} after checking that the tensor exists and has the {@code expected} shape
     * (null accepts any), so a model reports a wrong or missing weight by name.
     */
    default Tensor require(Backend backend, String name, Shape expected, DType use) throws IOException {
        String want = expected == null ? "" : " of shape " + expected;
        if (!has(name)) {
            throw new IOException(path() + ": required tensor '" + name + "'" + want + " not found (the archive holds "
                    + names().size() + " tensors)");
        }
        Shape actual = info(name).shape();
        if (expected != null && !expected.equals(actual)) {
            throw new IOException(path() + ": tensor '" + name + "' has shape " + actual + " but " + expected
                    + " is required");
        }
        return load(backend, name, use);
    }

    /** Releases the files; data and tensors borrowed from them become unusable. Idempotent. */
    @Override
    void close();
}
