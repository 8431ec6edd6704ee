package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Dtype conversion (cuda/convert.cu); CPU reference: CpuCopy.convert. */
final class CudaConvert {
    private final CudaRuntime rt;

    CudaConvert(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor convert(Tensor x, DType to) {
        OpChecks.convert(x, to);
        long xa = rt.addr(x);
        Tensor out = rt.alloc(to, x.shape());
        long n = x.numel();
        if (n == 0) {
            return out;
        }
        if (x.dtype() == to) {
            rt.memcpy(x, out);
            return out;
        }
        long ya = rt.addr(out);
        // 8 elements per thread in 16-byte accesses where both sides allow it: the weight uploads' path
        boolean wide = n % 8 == 0 && xa % 16 == 0 && ya % 16 == 0;
        if (wide && x.dtype() == DType.F32 && to == DType.BF16) {
            rt.launch(rt.kernel("convert", "f32_to_bf16"), rt.gridFor(n / 8, 256), 1, 1, 256, 0, xa, ya, n / 8);
            return out;
        }
        if (wide && x.dtype() == DType.BF16 && to == DType.F32) {
            rt.launch(rt.kernel("convert", "bf16_to_f32"), rt.gridFor(n / 8, 256), 1, 1, 256, 0, xa, ya, n / 8);
            return out;
        }
        boolean narrowing = x.dtype() == DType.I64 && to == DType.I32;
        Tensor flag = narrowing ? rt.alloc(DType.I32, Shape.of(1)) : null;
        try {
            if (flag != null) {
                rt.fill(flag, (byte) 0);
            }
            rt.launch(rt.kernel("convert", "convert"), rt.gridFor(n, 256), 1, 1, 256, 0,
                    xa, Dt.code(x.dtype()), ya, Dt.code(to), n, rt.addrOrNull(flag));
            if (flag != null) {
                int[] f = new int[1];
                rt.download(flag, MemorySegment.ofArray(f));
                if (f[0] != 0) {
                    throw new ArithmeticException("convert " + x + " to I32: a value is outside the int range");
                }
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            if (flag != null) {
                flag.close();
            }
        }
        return out;
    }
}
