package dev.surf.cuda;

/**
 * The device could not satisfy an allocation even after the caching allocator returned its cached
 * blocks. The message says how much was asked for and how much the device has free.
 */
public final class CudaOutOfMemoryException extends CudaException {
    public CudaOutOfMemoryException(String message, int code) {
        super(message, code);
    }
}
