package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import jcuda.driver.CUresult;

/**
 * A caching device allocator. cuMemAlloc and cuMemFree are slow (and cuMemFree synchronises the
 * device), while a diffusion step allocates and frees the same activation sizes over and over, so freed
 * blocks are kept per size class and handed out again. Reuse without synchronisation is safe because
 * the backend queues all work on one stream: whatever is queued with the new owner runs after the work
 * of the old one.
 *
 * <p>Size classes: multiples of 512 bytes below 1 MiB, above that quarter-octave steps (so at most
 * 25% of a block is slack). When cuMemAlloc runs out of memory the cache is released and the call
 * retried; if it still fails, a {@link CudaOutOfMemoryException} says how much was asked for and how
 * much the device has free.
 */
final class CudaAllocator implements AutoCloseable {
    /** A device allocation of {@code size} bytes (its size class). */
    record Block(DevicePointer pointer, long address, long size) {
    }

    private static final long SMALL = 1L << 20;
    /** No device comes near this (2^56 bytes); beyond it the class arithmetic could overflow. */
    static final long MAX = 1L << 56;

    private final Map<Long, ArrayDeque<Block>> cache = new HashMap<>();
    private final Map<Block, Boolean> live = new IdentityHashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long peakBytes;
    private long limitBytes = Long.MAX_VALUE;
    private boolean closed;

    /**
     * Caps what this backend holds on the device (live tensors plus cached blocks). Past the cap the
     * cache is released first; a request that still does not fit fails with a message naming the cap.
     */
    synchronized void setLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memory limit must be positive, got " + bytes + " bytes");
        }
        limitBytes = bytes;
    }

    synchronized long limit() {
        return limitBytes;
    }

    /** The size class (bytes actually allocated) for a request of {@code bytes} > 0. */
    static long sizeClass(long bytes) {
        if (bytes <= 0 || bytes > MAX) {
            throw new IllegalArgumentException("CUDA allocation of " + bytes + " bytes is out of range");
        }
        if (bytes < SMALL) {
            return (bytes + 511) & ~511L;
        }
        long step = Long.highestOneBit(bytes) >> 2;
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least {@code bytes} bytes (> 0); the caller's context must be current. */
    synchronized Block allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("CUDA backend is closed");
        }
        long size = sizeClass(bytes);
        ArrayDeque<Block> free = cache.get(size);
        Block b = free == null ? null : free.pollLast();
        if (b != null) {
            cachedBytes -= size;
        } else {
            if (liveBytes + cachedBytes + size > limitBytes) {
                releaseCache();
            }
            if (liveBytes + size > limitBytes) {
                throw new CudaOutOfMemoryException("CUDA memory limit reached: asked for " + gib(bytes) + ", this backend holds "
                        + gib(liveBytes) + " in live tensors and is limited to " + gib(limitBytes)
                        + " (raise the limit, or lower the resolution, frames or batch)", CUresult.CUDA_ERROR_OUT_OF_MEMORY);
            }
            b = fresh(bytes, size);
        }
        live.put(b, Boolean.TRUE);
        liveBytes += size;
        peakBytes = Math.max(peakBytes, liveBytes);
        return b;
    }

    private Block fresh(long asked, long size) {
        DevicePointer p = new DevicePointer();
        int r = cuMemAlloc(p, size);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY && cachedBytes > 0) {
            releaseCache();
            p = new DevicePointer();
            r = cuMemAlloc(p, size);
        }
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new CudaOutOfMemoryException(outOfMemoryMessage(asked), r);
        }
        Cu.check(r, "cuMemAlloc(" + size + " bytes)");
        return new Block(p, p.address(), size);
    }

    private String outOfMemoryMessage(long asked) {
        long[] free = new long[1];
        long[] total = new long[1];
        int r = cuMemGetInfo(free, total);
        String where = r == CUresult.CUDA_SUCCESS
                ? gib(free[0]) + " free of " + gib(total[0])
                : "free memory unknown (cuMemGetInfo: " + Cu.errorName(r) + ")";
        return "CUDA out of memory: asked for " + gib(asked) + ", " + where + " (this backend holds "
                + gib(liveBytes) + " in live tensors, peak " + gib(peakBytes) + ")";
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.3f GiB", bytes / (double) (1L << 30));
    }

    /** Returns a block to the cache. */
    synchronized void release(Block b) {
        if (live.remove(b) == null) {
            return;  // freed already (backend closed)
        }
        liveBytes -= b.size();
        if (closed) {
            Cu.check(cuMemFree(b.pointer()), "cuMemFree");
            return;
        }
        cache.computeIfAbsent(b.size(), s -> new ArrayDeque<>()).addLast(b);
        cachedBytes += b.size();
    }

    /** Frees every cached block back to the driver. */
    synchronized void releaseCache() {
        for (ArrayDeque<Block> q : cache.values()) {
            for (Block b : q) {
                Cu.check(cuMemFree(b.pointer()), "cuMemFree");
            }
        }
        cache.clear();
        cachedBytes = 0;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakBytes() {
        return peakBytes;
    }

    /** Frees the cache and every block still live (their tensors must not be used any more). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseCache();
        for (Block b : live.keySet()) {
            Cu.check(cuMemFree(b.pointer()), "cuMemFree");
        }
        live.clear();
        liveBytes = 0;
    }
}
