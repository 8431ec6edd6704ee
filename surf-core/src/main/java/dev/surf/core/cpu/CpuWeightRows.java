package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reads pieces of rows of a 2-D weight [rows, cols] as F32, whatever its dtype (F32, BF16, F16) and
 * wherever it lives (heap array or a borrowed, possibly memory-mapped segment). The GEMM converts
 * weights panel by panel through this, so a BF16 checkpoint is never expanded to F32 as a whole.
 */
final class CpuWeightRows {
    private static final VectorSpecies<Float> FS = CpuGemmKernel.S;
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());

    private final DType dtype;
    private final int cols;
    /** Heap F32 storage: read the array directly. */
    private final float[] heap;
    private final int heapOffset;
    private final MemorySegment seg;

    CpuWeightRows(Tensor w) {
        this.dtype = w.dtype();
        this.cols = w.dim(1);
        if (CpuTensors.isHeapF32(w)) {
            this.heap = CpuTensors.array(w);
            this.heapOffset = CpuTensors.offset(w);
            this.seg = null;
        } else {
            this.heap = null;
            this.heapOffset = 0;
            this.seg = CpuTensors.segment(w);
        }
    }

    /** The backing array when the weight is an F32 heap tensor (row j starts at heapOffset() + j * cols), else null. */
    float[] heapArray() {
        return heap;
    }

    int heapOffset() {
        return heapOffset;
    }

    /** dst[off .. off+len) = W[row, from .. from+len) as F32 (exact conversion). */
    void read(int row, int from, int len, float[] dst, int off) {
        long e = (long) row * cols + from;
        if (heap != null) {
            System.arraycopy(heap, heapOffset + (int) e, dst, off, len);
            return;
        }
        int i = 0;
        switch (dtype) {
            case F32 -> {
                for (; i <= len - FS.length(); i += FS.length()) {
                    FloatVector.fromMemorySegment(FS, seg, (e + i) * 4, ByteOrder.LITTLE_ENDIAN)
                            .intoArray(dst, off + i);
                }
                for (; i < len; i++) {
                    dst[off + i] = seg.get(CpuTensors.F32, (e + i) * 4);
                }
            }
            case BF16 -> {
                // bf16 is the top half of an f32: widen the bits and shift them into place
                for (; i <= len - FS.length(); i += FS.length()) {
                    ShortVector s = ShortVector.fromMemorySegment(SS, seg, (e + i) * 2, ByteOrder.LITTLE_ENDIAN);
                    ((IntVector) s.convertShape(VectorOperators.S2I, IS, 0))
                            .lanewise(VectorOperators.LSHL, 16)
                            .reinterpretAsFloats()
                            .intoArray(dst, off + i);
                }
                for (; i < len; i++) {
                    dst[off + i] = Half.bf16ToFloat(seg.get(CpuTensors.I16, (e + i) * 2));
                }
            }
            case F16 -> {
                for (; i < len; i++) {
                    dst[off + i] = Half.f16ToFloat(seg.get(CpuTensors.I16, (e + i) * 2));
                }
            }
            default -> throw new IllegalStateException("not a floating weight: " + dtype);
        }
    }
}
