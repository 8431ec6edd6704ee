package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/** Bilinear, area and nearest-exact resizing (cuda/resize.cu); CPU reference: CpuResize. */
final class CudaResize {
    private final CudaRuntime rt;

    CudaResize(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor resize(Tensor x, int outH, int outW, ResizeMode mode) {
        OpChecks.resize(x, outH, outW, mode);
        int inH = x.dim(-2);
        int inW = x.dim(-1);
        long planes = x.shape().size(0, x.rank() - 2);
        Shape outShape = x.shape().with(-2, outH).with(-1, outW);
        long xa = rt.addr(x);
        Tensor out = rt.alloc(x.dtype(), outShape);
        long n = outShape.numel();
        if (n > 0) {
            rt.launch(rt.kernel("resize", "resize"), rt.gridFor(n, 256), 1, 1, 256, 0,
                    xa, rt.addr(out), planes, inH, inW, outH, outW, modeCode(mode), Dt.code(x.dtype()));
        }
        return out;
    }

    /** The mode codes of cuda/resize.cu and cuda/grad_gather.cu. */
    static int modeCode(ResizeMode mode) {
        return switch (mode) {
            case BILINEAR -> 0;
            case AREA -> 1;
            case NEAREST_EXACT -> 2;
        };
    }
}
