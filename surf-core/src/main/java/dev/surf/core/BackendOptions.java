package dev.surf.core;

/**
 * How to open a backend ({@link Backends#open(String, BackendOptions)},
 * {@link BackendProvider#open(int, BackendOptions)}).
 *
 * @param activation  the type matrix products and attention compute in, or null for the backend's
 *                    default (the CPU computes in F32 only; CUDA in BF16 by default, or F32)
 * @param memoryLimit cap in bytes on the device memory the backend holds, or null for none. Only
 *                    kinds with a device memory of their own take one (CUDA); the CPU rejects it, as
 *                    the JVM heap (-Xmx) is its limit
 */
public record BackendOptions(DType activation, Long memoryLimit) {

    /** The backend's defaults: its own activation type, no memory cap. */
    public static final BackendOptions DEFAULT = new BackendOptions(null, null);

    public BackendOptions {
        if (memoryLimit != null && memoryLimit <= 0) {
            throw new IllegalArgumentException("memoryLimit: must be positive, got " + memoryLimit + " bytes");
        }
    }

    /** These options computing in another activation type (null: the backend's default). */
    public BackendOptions withActivation(DType type) {
        return new BackendOptions(type, memoryLimit);
    }

    /** These options with a memory cap of the given bytes (positive). */
    public BackendOptions withMemoryLimit(long bytes) {
        return new BackendOptions(activation, bytes);
    }
}
