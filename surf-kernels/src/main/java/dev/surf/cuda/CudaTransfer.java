package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.lang.foreign.MemorySegment;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Host <-> device copies from and to {@link MemorySegment}s. Native segments (mapped safetensors files,
 * arena memory) are copied directly in chunks; heap segments (Java arrays) have no stable address, so
 * they go through a pinned staging buffer. Every copy is queued on the backend stream and waited for,
 * so the host memory may be reused as soon as a call returns.
 */
final class CudaTransfer implements AutoCloseable {
    /** Size of the pinned staging buffer and of direct chunks (ByteBuffer views are limited to 2 GiB). */
    private static final long CHUNK = 32L << 20;

    private final CudaStream stream;
    private Pointer staging;
    private MemorySegment stagingSegment;

    CudaTransfer(CudaStream stream) {
        this.stream = stream;
    }

    private MemorySegment staging() {
        if (staging == null) {
            Pointer p = new Pointer();
            Cu.check(cuMemAllocHost(p, CHUNK), "cuMemAllocHost(" + CHUNK + " bytes)");
            staging = p;
            stagingSegment = MemorySegment.ofBuffer(p.getByteBuffer(0, CHUNK));
        }
        return stagingSegment;
    }

    private static CUdeviceptr at(DevicePointer base, long offset) {
        return base.withByteOffset(offset);
    }

    /** Copies src to device memory at base + offset. */
    synchronized void upload(MemorySegment src, DevicePointer base, long offset) {
        long n = src.byteSize();
        if (n == 0) {
            return;
        }
        if (src.isNative()) {
            for (long o = 0; o < n; o += CHUNK) {
                long len = Math.min(CHUNK, n - o);
                Pointer host = Pointer.to(src.asSlice(o, len).asByteBuffer());
                Cu.check(cuMemcpyHtoDAsync(at(base, offset + o), host, len, stream.stream), "cuMemcpyHtoDAsync");
            }
            stream.synchronize();
            return;
        }
        MemorySegment stage = staging();
        for (long o = 0; o < n; o += CHUNK) {
            long len = Math.min(CHUNK, n - o);
            MemorySegment.copy(src, o, stage, 0, len);
            Cu.check(cuMemcpyHtoDAsync(at(base, offset + o), staging, len, stream.stream), "cuMemcpyHtoDAsync");
            stream.synchronize();  // the staging buffer is refilled next
        }
    }

    /** Copies device memory at base + offset into dst (dst.byteSize() bytes). */
    synchronized void download(DevicePointer base, long offset, MemorySegment dst) {
        long n = dst.byteSize();
        if (n == 0) {
            return;
        }
        if (dst.isNative()) {
            for (long o = 0; o < n; o += CHUNK) {
                long len = Math.min(CHUNK, n - o);
                Pointer host = Pointer.to(dst.asSlice(o, len).asByteBuffer());
                Cu.check(cuMemcpyDtoHAsync(host, at(base, offset + o), len, stream.stream), "cuMemcpyDtoHAsync");
            }
            stream.synchronize();
            return;
        }
        MemorySegment stage = staging();
        for (long o = 0; o < n; o += CHUNK) {
            long len = Math.min(CHUNK, n - o);
            Cu.check(cuMemcpyDtoHAsync(staging, at(base, offset + o), len, stream.stream), "cuMemcpyDtoHAsync");
            stream.synchronize();
            MemorySegment.copy(stage, 0, dst, o, len);
        }
    }

    @Override
    public synchronized void close() {
        if (staging != null) {
            Cu.check(cuMemFreeHost(staging), "cuMemFreeHost");
            staging = null;
            stagingSegment = null;
        }
    }
}
