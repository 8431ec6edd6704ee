package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/** Rotary embedding with interleaved pairs (cuda/rope.cu); CPU reference: CpuRope. */
final class CudaRope {
    private final CudaRuntime rt;
    private final CudaConvert convert;

    CudaRope(CudaRuntime rt, CudaConvert convert) {
        this.rt = rt;
        this.convert = convert;
    }

    Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        OpChecks.rope(x, cos, sin);
        int l = x.dim(1);
        int h = x.dim(2);
        int d = x.dim(3);
        int half = d / 2;
        long xa = rt.addr(x);
        Tensor c = cos.dtype() == DType.F32 ? null : convert.convert(cos, DType.F32);
        Tensor s = sin.dtype() == DType.F32 ? null : convert.convert(sin, DType.F32);
        try {
            Tensor out = rt.alloc(x.dtype(), x.shape());
            long pairs = x.numel() / 2;
            if (pairs > 0) {
                rt.launch(rt.kernel("rope", "rope"), rt.gridFor(pairs, 256), 1, 1, 256, 0,
                        xa, rt.addr(out), rt.addr(c != null ? c : cos), rt.addr(s != null ? s : sin), pairs, l, h, half,
                        Dt.code(x.dtype()));
            }
            return out;
        } finally {
            if (c != null) {
                c.close();
            }
            if (s != null) {
                s.close();
            }
        }
    }
}
