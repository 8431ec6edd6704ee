package dev.surf.cuda;

import dev.surf.core.Storage;

/** Device memory of a CUDA tensor: a block of the backend's caching allocator (none for 0 bytes). */
final class CudaStorage implements Storage {
    private final CudaAllocator allocator;
    private final CudaAllocator.Block block;
    private final long byteSize;
    private volatile boolean released;

    CudaStorage(CudaAllocator allocator, CudaAllocator.Block block, long byteSize) {
        this.allocator = allocator;
        this.block = block;
        this.byteSize = byteSize;
    }

    /** Device address of byte 0 (0 for an empty storage). */
    long address() {
        if (released) {
            throw new IllegalStateException("CUDA storage used after release");
        }
        return block == null ? 0 : block.address();
    }

    /** The driver pointer of the block (null for an empty storage). */
    DevicePointer pointer() {
        return block == null ? null : block.pointer();
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public boolean isReleased() {
        return released;
    }

    @Override
    public synchronized void release() {
        if (!released) {
            released = true;
            if (block != null) {
                allocator.release(block);
            }
        }
    }
}
