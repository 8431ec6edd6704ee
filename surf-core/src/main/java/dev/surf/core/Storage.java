package dev.surf.core;

/**
 * Memory owned by a backend: host memory for the CPU backend, a device allocation for CUDA. A tensor
 * holds a storage plus a byte offset; several views may share one storage, and only the owning
 * tensor releases it.
 */
public interface Storage {
    /** Size in bytes. */
    long byteSize();

    /** True once released; any use after that is a bug that backends report instead of reading freed memory. */
    boolean isReleased();

    /** Releases the memory (idempotent). */
    void release();
}
