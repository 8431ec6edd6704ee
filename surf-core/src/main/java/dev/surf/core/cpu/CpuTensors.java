package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Access to the memory behind CPU tensors, for the op implementations of this package. */
final class CpuTensors {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CpuTensors() {
    }

    static CpuStorage storage(Tensor t) {
        if (!(t.storage() instanceof CpuStorage s)) {
            throw new IllegalArgumentException("tensor " + t + " does not belong to the CPU backend");
        }
        return s;
    }

    /** True when t is F32 in a heap array, so {@link #array}/{@link #offset} apply. */
    static boolean isHeapF32(Tensor t) {
        return t.dtype() == DType.F32 && storage(t).floats != null;
    }

    /** The backing array of an F32 heap tensor (elements start at {@link #offset}). */
    static float[] array(Tensor t) {
        CpuStorage s = storage(t);
        if (t.dtype() != DType.F32 || s.floats == null) {
            throw new IllegalArgumentException("expected an F32 CPU activation tensor, got " + t);
        }
        return s.floats;
    }

    /** Element offset of an F32 heap tensor inside {@link #array}. */
    static int offset(Tensor t) {
        return (int) (t.byteOffset() / 4);
    }

    /** The tensor's bytes as a segment slice (any dtype, heap or native). */
    static MemorySegment segment(Tensor t) {
        return storage(t).segment.asSlice(t.byteOffset(), t.byteSize());
    }

    /** Element i of a floating tensor's segment, as float. */
    static float get(MemorySegment seg, DType dt, long i) {
        return switch (dt) {
            case F32 -> seg.get(F32, i * 4);
            case BF16 -> Half.bf16ToFloat(seg.get(I16, i * 2));
            case F16 -> Half.f16ToFloat(seg.get(I16, i * 2));
            case I32 -> seg.get(I32, i * 4);
            case I64 -> seg.get(I64, i * 8);
        };
    }

    /** Stores v at element i, rounding to the dtype. */
    static void set(MemorySegment seg, DType dt, long i, float v) {
        switch (dt) {
            case F32 -> seg.set(F32, i * 4, v);
            case BF16 -> seg.set(I16, i * 2, Half.floatToBf16(v));
            case F16 -> seg.set(I16, i * 2, Half.floatToF16(v));
            case I32 -> seg.set(I32, i * 4, (int) v);
            case I64 -> seg.set(I64, i * 8, (long) v);
        }
    }

    /** Elements [from, from+len) of any tensor as F32 into dst[dstOff..]. */
    static void readF32(Tensor t, long from, float[] dst, int dstOff, int len) {
        if (isHeapF32(t)) {
            System.arraycopy(array(t), offset(t) + (int) from, dst, dstOff, len);
            return;
        }
        MemorySegment seg = segment(t);
        DType dt = t.dtype();
        for (int j = 0; j < len; j++) {
            dst[dstOff + j] = get(seg, dt, from + j);
        }
    }

    /** A fresh F32 copy of the whole tensor (for small operands such as biases and norm weights). */
    static float[] toF32(Tensor t) {
        if (t.numel() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensor too large to copy to one array: " + t);
        }
        float[] out = new float[(int) t.numel()];
        readF32(t, 0, out, 0, out.length);
        return out;
    }

    /** The F32 contents of t without a copy when t is already an F32 heap tensor starting at 0 of its array. */
    static float[] f32View(Tensor t) {
        if (isHeapF32(t) && offset(t) == 0 && array(t).length == t.numel()) {
            return array(t);
        }
        return toF32(t);
    }

    static int checkedInt(long n, String what) {
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(what + " too large for the CPU backend: " + n);
        }
        return (int) n;
    }
}
