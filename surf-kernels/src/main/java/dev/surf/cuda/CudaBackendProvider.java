package dev.surf.cuda;

import dev.surf.core.Backend;
import dev.surf.core.BackendOptions;
import dev.surf.core.BackendProvider;
import dev.surf.core.DType;

/**
 * Registers the CUDA backend with {@link dev.surf.core.Backends} ("cuda", "cuda:INDEX", and the first
 * choice of "auto"). {@link #unavailableReason()} never throws and never loads JCuda's native library
 * on a machine without a CUDA driver.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String unavailableReason() {
        return CudaProbe.unavailableReason();
    }

    @Override
    public Backend open(int index) {
        return open(index, DType.BF16);
    }

    @Override
    public Backend open(int index, DType activation) {
        return create(index, activation);
    }

    /** As {@link #open(int, DType)}, then caps the device memory the backend holds when a limit is given. */
    @Override
    public Backend open(int index, BackendOptions options) {
        CudaBackend be = create(index, options.activation());
        if (options.memoryLimit() != null) {
            try {
                be.setMemoryLimit(options.memoryLimit());
            } catch (RuntimeException e) {
                be.close();
                throw e;
            }
        }
        return be;
    }

    private CudaBackend create(int index, DType activation) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalArgumentException("CUDA backend unavailable: " + why);
        }
        return new CudaBackend(Math.max(0, index), activation == null ? DType.BF16 : activation);
    }
}
