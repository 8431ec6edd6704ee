package dev.surf.cuda;

import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** Dtype conversion (cuda/convert.cu); CPU reference: CpuCopy.convert. */
final class CudaConvert {
    private CudaConvert() {
    }

    static Tensor convert(CudaBackend be, Tensor x, DType to) {
        long xa = be.addr(x);
        Tensor out = be.alloc(to, x.shape());
        long n = x.numel();
        if (n == 0) {
            return out;
        }
        if (x.dtype() == to) {
            be.memcpy(x, out);
            return out;
        }
        long ya = be.addr(out);
        boolean wide = n % 8 == 0 && xa % 16 == 0 && ya % 16 == 0;
        if (wide && x.dtype() == DType.F32 && to == DType.BF16) {
            be.launch(be.kernel("convert", "f32_to_bf16"), be.gridFor(n / 8, 256), 1, 1, 256, 0, xa, ya, n / 8);
            return out;
        }
        if (wide && x.dtype() == DType.BF16 && to == DType.F32) {
            be.launch(be.kernel("convert", "bf16_to_f32"), be.gridFor(n / 8, 256), 1, 1, 256, 0, xa, ya, n / 8);
            return out;
        }
        boolean narrowing = x.dtype() == DType.I64 && to == DType.I32;
        Tensor flag = narrowing ? be.alloc(DType.I32, Shape.of(1)) : null;
        try {
            if (flag != null) {
                Cu.check(cuMemsetD8Async(CudaBackend.pointer(flag), (byte) 0, 4, be.stream.stream), "cuMemsetD8Async");
            }
            be.launch(be.kernel("convert", "convert"), be.gridFor(n, 256), 1, 1, 256, 0,
                    xa, Dt.code(x.dtype()), ya, Dt.code(to), n, be.addrOrNull(flag));
            if (flag != null) {
                int[] f = new int[1];
                be.transfer.download(CudaBackend.pointer(flag), flag.byteOffset(), MemorySegment.ofArray(f));
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
