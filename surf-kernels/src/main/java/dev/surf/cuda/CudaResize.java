package dev.surf.cuda;

import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/** Bilinear, area and nearest-exact resizing (cuda/resize.cu); CPU reference: CpuResize. */
final class CudaResize {
    private CudaResize() {
    }

    static Tensor resize(CudaBackend be, Tensor x, int outH, int outW, ResizeMode mode) {
        if (x.rank() < 2 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("resize: cannot resize " + x.shape() + " to " + outH + "x" + outW);
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("resize needs a floating tensor, got " + x);
        }
        int inH = x.dim(-2);
        int inW = x.dim(-1);
        long planes = x.shape().size(0, x.rank() - 2);
        Shape outShape = x.shape().with(-2, outH).with(-1, outW);
        if (planes > 0 && (inH == 0 || inW == 0)) {
            throw new IllegalArgumentException("resize: cannot resize the empty planes of " + x.shape());
        }
        long xa = be.addr(x);
        Tensor out = be.alloc(x.dtype(), outShape);
        long n = outShape.numel();
        if (n > 0) {
            int code = switch (mode) {
                case BILINEAR -> 0;
                case AREA -> 1;
                case NEAREST_EXACT -> 2;
            };
            be.launch(be.kernel("resize", "resize"), be.gridFor(n, 256), 1, 1, 256, 0,
                    xa, be.addr(out), planes, inH, inW, outH, outW, code, Dt.code(x.dtype()));
        }
        return out;
    }
}
