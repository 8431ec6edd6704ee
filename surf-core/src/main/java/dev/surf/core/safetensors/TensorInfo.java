package dev.surf.core.safetensors;

import dev.surf.core.DType;
import dev.surf.core.Shape;

/**
 * One tensor entry of a safetensors header, already validated against its file.
 *
 * @param name      the tensor's key
 * @param dtypeName the dtype string as stored ("F32", "BF16", "F64", ...)
 * @param dtype     the engine dtype, or null when the engine cannot compute with this stored type
 * @param shape     the dimensions (rank 0 for a scalar)
 * @param begin     first byte, relative to the start of the data section
 * @param end       one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, String dtypeName, DType dtype, Shape shape, long begin, long end) {

    /** The number of stored bytes, {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    /** True when the engine can load this tensor ({@link #dtype()} is not null). */
    public boolean isSupported() {
        return dtype != null;
    }
}
