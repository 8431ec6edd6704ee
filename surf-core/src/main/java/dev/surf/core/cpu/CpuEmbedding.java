package dev.surf.core.cpu;

import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Row gather of a lookup table: byte copies, so any dtype (a mapped BF16 vocabulary included) is served as stored. */
final class CpuEmbedding {
    private CpuEmbedding() {
    }

    /** See {@link dev.surf.core.Backend#embedding}. */
    static Tensor embedding(CpuBackend be, Tensor table, int[] ids) {
        OpChecks.embedding(table, ids);
        Tensor out = be.zeros(table.dtype(), Shape.of(ids.length, table.dim(1)));
        long row = (long) table.dim(1) * table.dtype().byteSize();
        MemorySegment src = CpuTensors.segment(table);
        MemorySegment dst = CpuTensors.segment(out);
        for (int i = 0; i < ids.length; i++) {
            MemorySegment.copy(src, ids[i] * row, dst, i * row, row);
        }
        return out;
    }
}
