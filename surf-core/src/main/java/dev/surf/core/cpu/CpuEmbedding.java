package dev.surf.core.cpu;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Row gather of a lookup table: byte copies, so any dtype (a mapped BF16 vocabulary included) is served as stored. */
final class CpuEmbedding {
    private CpuEmbedding() {
    }

    /** See {@link dev.surf.core.Backend#embedding}. */
    static Tensor embedding(CpuBackend be, Tensor table, int[] ids) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("embedding: table must be [vocab, dim], got " + table.shape());
        }
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("embedding: at least one id is needed");
        }
        int vocab = table.dim(0);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ") of table " + table.shape());
            }
        }
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
