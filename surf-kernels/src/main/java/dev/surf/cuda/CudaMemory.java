package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.Half;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * New tensors, host transfers, device copies and the Philox normal fill (cuda/philox.cu); CPU
 * reference: CpuBackend's memory ops and PhiloxNormal.
 */
final class CudaMemory {
    private final CudaRuntime rt;
    private final CudaConvert convert;

    CudaMemory(CudaRuntime rt, CudaConvert convert) {
        this.rt = rt;
        this.convert = convert;
    }

    Tensor zeros(DType dtype, Shape shape) {
        Tensor t = rt.alloc(dtype, shape);
        rt.fill(t, (byte) 0);
        return t;
    }

    Tensor fromFloats(float[] data, Shape shape) {
        OpChecks.fromFloats(data, shape);
        return fromBytes(DType.F32, shape, MemorySegment.ofArray(data));
    }

    Tensor fromBytes(DType dtype, Shape shape, MemorySegment bytes) {
        OpChecks.fromBytes(dtype, shape, bytes);
        Tensor t = rt.alloc(dtype, shape);
        rt.upload(bytes, t);
        return t;
    }

    Tensor loadWeight(DType stored, Shape shape, MemorySegment bytes, DType use) {
        OpChecks.loadWeight(stored, shape, bytes);
        Tensor raw = fromBytes(stored, shape, bytes);
        if (use == null || use == stored) {
            return raw;
        }
        try (raw) {
            return convert.convert(raw, use);
        }
    }

    float[] toFloats(Tensor t) {
        int len = OpChecks.toFloats(t);
        float[] out = new float[len];
        switch (t.dtype()) {
            case F32 -> copyToHost(t, MemorySegment.ofArray(out));
            case BF16, F16 -> {
                short[] s = new short[len];
                copyToHost(t, MemorySegment.ofArray(s));
                boolean bf = t.dtype() == DType.BF16;
                for (int i = 0; i < len; i++) {
                    out[i] = bf ? Half.bf16ToFloat(s[i]) : Half.f16ToFloat(s[i]);
                }
            }
            case I32 -> {
                int[] s = new int[len];
                copyToHost(t, MemorySegment.ofArray(s));
                for (int i = 0; i < len; i++) {
                    out[i] = s[i];
                }
            }
            case I64 -> {
                long[] s = new long[len];
                copyToHost(t, MemorySegment.ofArray(s));
                for (int i = 0; i < len; i++) {
                    out[i] = s[i];
                }
            }
        }
        return out;
    }

    void copyToHost(Tensor t, MemorySegment dst) {
        OpChecks.copyToHost(t, dst);
        rt.download(t, dst);
    }

    void copy(Tensor src, Tensor dst) {
        OpChecks.copy(src, dst);
        rt.addr(src);
        rt.addr(dst);
        rt.memcpy(src, dst);
    }

    void fillNormal(Tensor t, long seed, long offset) {
        OpChecks.fillNormal(t);
        long n = t.numel();
        if (n == 0) {
            return;
        }
        long blocks = (n + 3) / 4;
        rt.launch(rt.kernel("philox", "philox_normal"), rt.gridFor(blocks, 256), 1, 1, 256, 0,
                rt.addr(t), Dt.code(t.dtype()), n, seed, offset, 0L);
    }
}
