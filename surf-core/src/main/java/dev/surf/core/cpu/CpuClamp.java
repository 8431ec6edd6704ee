package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Elementwise clamp to [min, max]; NaN passes through as torch.clamp does. */
final class CpuClamp {
    private CpuClamp() {
    }

    static Tensor clamp(CpuBackend be, Tensor x, float min, float max) {
        OpChecks.clamp(x, min, max);
        int n = CpuTensors.checkedInt(x.numel(), "clamp");
        Tensor out = be.zeros(x.dtype(), x.shape());
        MemorySegment in = CpuTensors.segment(x);
        MemorySegment os = CpuTensors.segment(out);
        DType dt = x.dtype();
        be.pool().forRange(n, 1 << 15, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float v = CpuTensors.get(in, dt, i);
                // plain comparisons are false for NaN, so NaN is kept
                CpuTensors.set(os, dt, i, v < min ? min : v > max ? max : v);
            }
        });
        return out;
    }
}
