package dev.surf.core.cpu;

import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** A contiguous copy of an index range along one axis: the inverse of concat. */
final class CpuNarrow {
    private CpuNarrow() {
    }

    static Tensor narrow(CpuBackend be, Tensor x, int axis, int start, int length) {
        int ax = OpChecks.narrow(x, axis, start, length);
        int r = x.rank();
        Tensor out = be.zeros(x.dtype(), x.shape().with(ax, length));
        long outer = x.shape().size(0, ax);
        long inner = x.shape().size(ax + 1, r) * x.dtype().byteSize();
        long srcRow = x.dim(ax) * inner;
        long chunk = length * inner;
        MemorySegment src = CpuTensors.segment(x);
        MemorySegment dst = CpuTensors.segment(out);
        for (long o = 0; o < outer; o++) {
            MemorySegment.copy(src, o * srcRow + start * inner, dst, o * chunk, chunk);
        }
        return out;
    }
}
