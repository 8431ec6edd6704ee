package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/** Rotary embedding with interleaved pairs (cuda/rope.cu); CPU reference: CpuRope. */
final class CudaRope {
    private CudaRope() {
    }

    static Tensor rope(CudaBackend be, Tensor x, Tensor cos, Tensor sin) {
        OpChecks.rope(x, cos, sin);
        int l = x.dim(1);
        int h = x.dim(2);
        int d = x.dim(3);
        int half = d / 2;
        if (!x.dtype().isFloating() || !cos.dtype().isFloating() || !sin.dtype().isFloating()) {
            throw new IllegalArgumentException("rope needs floating tensors, got x " + x + ", cos " + cos + ", sin " + sin);
        }
        long xa = be.addr(x);
        Tensor c = cos.dtype() == DType.F32 ? null : be.convert(cos, DType.F32);
        Tensor s = sin.dtype() == DType.F32 ? null : be.convert(sin, DType.F32);
        try {
            Tensor out = be.alloc(x.dtype(), x.shape());
            long pairs = x.numel() / 2;
            if (pairs > 0) {
                be.launch(be.kernel("rope", "rope"), be.gridFor(pairs, 256), 1, 1, 256, 0,
                        xa, be.addr(out), be.addr(c != null ? c : cos), be.addr(s != null ? s : sin), pairs, l, h, half,
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
