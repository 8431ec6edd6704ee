package dev.surf.cuda;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/** Stride-1 3-D convolution with causal time padding (cuda/conv3d.cu); CPU reference: CpuConv. */
final class CudaConv {
    private CudaConv() {
    }

    static Tensor conv3d(CudaBackend be, Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        if (x.rank() != 4 || w.rank() != 5) {
            throw new IllegalArgumentException("conv3d: input " + x.shape() + " must be [Cin, T, H, W] and weight "
                    + w.shape() + " [Cout, Cin, kt, kh, kw]");
        }
        if (w.dim(1) != x.dim(0)) {
            throw new IllegalArgumentException("conv3d: weight " + w.shape() + " expects " + w.dim(1)
                    + " input channels, input " + x.shape() + " has " + x.dim(0));
        }
        if (bias != null && bias.numel() != w.dim(0)) {
            throw new IllegalArgumentException("conv3d: bias " + bias.shape() + " does not match weight " + w.shape());
        }
        if (padFront < 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv3d: negative padding (" + padFront + ", " + padH + ", " + padW + ")");
        }
        if (!x.dtype().isFloating() || !w.dtype().isFloating() || (bias != null && !bias.dtype().isFloating())) {
            throw new IllegalArgumentException("conv3d needs floating operands, got " + x + ", " + w);
        }
        int to = x.dim(1) + padFront - w.dim(2) + 1;
        int ho = x.dim(2) + 2 * padH - w.dim(3) + 1;
        int wo = x.dim(3) + 2 * padW - w.dim(4) + 1;
        if (to < 1 || ho < 1 || wo < 1 || w.dim(2) < 1 || w.dim(3) < 1 || w.dim(4) < 1) {
            throw new IllegalArgumentException("conv3d: kernel " + w.shape() + " with padding (front " + padFront + ", "
                    + padH + ", " + padW + ") leaves no output for input " + x.shape());
        }
        if (w.dim(0) > 65535) {
            throw new IllegalArgumentException("conv3d: " + w.dim(0) + " output channels exceed the grid limit of 65535");
        }
        long xa = be.addr(x);
        long wa = be.addr(w);
        Tensor y = be.alloc(x.dtype(), Shape.of(w.dim(0), to, ho, wo));
        long positions = (long) to * ho * wo;
        if (positions == 0 || w.dim(0) == 0) {
            return y;
        }
        long blocks = (positions + 255) / 256;
        if (blocks > Integer.MAX_VALUE) {
            y.close();
            throw new IllegalArgumentException("conv3d: output " + y.shape() + " exceeds the grid limit");
        }
        byte[] p = new ParamStruct()
                .ptr(xa).ptr(wa).ptr(be.addrOrNull(bias)).ptr(be.addr(y))
                .i32(Dt.code(x.dtype())).i32(Dt.code(w.dtype())).i32(bias == null ? 0 : Dt.code(bias.dtype()))
                .i32(Dt.code(x.dtype()))
                .i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3))
                .i32(w.dim(0)).i32(w.dim(2)).i32(w.dim(3)).i32(w.dim(4))
                .i32(padFront).i32(padH).i32(padW)
                .i32(to).i32(ho).i32(wo)
                .bytes(104);
        try {
            be.launch(be.kernel("conv3d", "conv3d_direct"), (int) blocks, w.dim(0), 1, 256, 0, (Object) p);
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }
}
