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
}
