package dev.surf.core;

/**
 * A kind of backend that {@link Backends} can open by name, registered through
 * {@link java.util.ServiceLoader} (META-INF/services/dev.surf.core.BackendProvider). The CPU backend
 * is built in; the CUDA backend registers itself from surf-kernels.
 */
public interface BackendProvider {
    /** The device name used in specs: "cpu", "cuda". */
    String name();

    /** Null when this kind of backend can run here, else a sentence saying why not. */
    String unavailableReason();

    /**
     * Opens a backend. index is the number after the colon in a spec ("cuda:1"), or -1 when absent;
     * for the CPU it is the thread count.
     */
    Backend open(int index);

    /**
     * Opens a backend computing in the given activation type (null: the backend's default). Kinds that
     * compute in one type only accept that one and reject others with a message naming them.
     */
    default Backend open(int index, DType activation) {
        Backend b = open(index);
        if (activation != null && b.activationType() != activation) {
            DType has = b.activationType();
            b.close();
            throw new IllegalArgumentException("the " + name() + " backend computes in " + has + ", not " + activation);
        }
        return b;
    }

    /**
     * Opens a backend with the given options. This default honours the activation type through
     * {@link #open(int, DType)} and rejects a memory limit, naming the backend; kinds that can cap
     * their device memory override it.
     */
    default Backend open(int index, BackendOptions options) {
        if (options.memoryLimit() != null) {
            throw new IllegalArgumentException("memoryLimit: the " + name() + " backend cannot cap its memory");
        }
        return open(index, options.activation());
    }
}
