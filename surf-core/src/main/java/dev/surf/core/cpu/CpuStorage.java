package dev.surf.core.cpu;

import dev.surf.core.MemoryMeter;
import dev.surf.core.Storage;
import java.lang.foreign.MemorySegment;

/**
 * Host memory of the CPU backend. Activations live in Java arrays (fast plain loops and Vector API
 * loads, memory returned by the GC once the tensor is closed and dropped); weights may borrow a
 * mapped file region, which the owner of the mapping keeps alive.
 */
final class CpuStorage implements Storage {
    /** The bytes, heap- or native-backed. */
    final MemorySegment segment;
    /** The backing array for F32 heap storage, else null. */
    final float[] floats;
    /** Where the bytes are counted while the storage is held, or null (borrowed memory). */
    private final MemoryMeter meter;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    private CpuStorage(MemorySegment segment, float[] floats, MemoryMeter meter) {
        this.segment = segment;
        this.floats = floats;
        this.meter = meter;
        if (meter != null) {
            meter.allocated(segment.byteSize());
        }
    }

    static CpuStorage ofFloats(float[] a, MemoryMeter meter) {
        return new CpuStorage(MemorySegment.ofArray(a), a, meter);
    }

    /** Zero-filled heap memory of the given byte size, aligned to the element size. */
    static CpuStorage allocate(long bytes, int elementSize, MemoryMeter meter) {
        if (elementSize == 4 && bytes / 4 <= Integer.MAX_VALUE - 16) {
            return ofFloats(new float[(int) (bytes / 4)], meter);
        }
        long n = bytes / elementSize;
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("CPU tensor of " + bytes + " bytes exceeds the 2^31-element limit of the CPU backend");
        }
        MemorySegment seg = switch (elementSize) {
            case 2 -> MemorySegment.ofArray(new short[(int) n]);
            case 8 -> MemorySegment.ofArray(new long[(int) n]);
            default -> MemorySegment.ofArray(new byte[(int) bytes]);
        };
        return new CpuStorage(seg, null, meter);
    }

    /** Borrowed memory (e.g. a mapped weight): never freed by us. */
    static CpuStorage borrow(MemorySegment segment) {
        return new CpuStorage(segment, null, null);
    }

    @Override
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public boolean isReleased() {
        return released.get();
    }

    @Override
    public void release() {
        if (!released.getAndSet(true) && meter != null) {
            meter.freed(segment.byteSize());
        }
    }
}
