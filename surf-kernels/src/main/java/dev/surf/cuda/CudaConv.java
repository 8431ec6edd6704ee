package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * Stride-1 3-D convolution with causal time padding; CPU reference: CpuConv. The kernel by
 * {@link ConvChoice}: the direct convolution of cuda/conv3d.cu (bit-identical to the CPU) or the
 * implicit GEMM on TF32 tensor cores of cuda/conv3d_igemm.cu (F32 input only).
 */
final class CudaConv {
    private final CudaRuntime rt;
    private final CudaControls controls;

    CudaConv(CudaRuntime rt, CudaControls controls) {
        this.rt = rt;
        this.controls = controls;
    }

    Tensor conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        OpChecks.conv3d(x, w, bias, padFront, padH, padW);
        int to = x.dim(1) + padFront - w.dim(2) + 1;
        int ho = x.dim(2) + 2 * padH - w.dim(3) + 1;
        int wo = x.dim(3) + 2 * padW - w.dim(4) + 1;
        rt.addr(w);
        ConvChoice choice = ConvChoice.of(new ConvChoice.Operands(rt.operand(x), x.shape(), w.shape(), (long) to * ho * wo),
                controls.settings(), controls.convPath(), this::tiles);
        if (choice == ConvChoice.DIRECT && w.dim(0) > 65535) {
            throw new IllegalArgumentException("conv3d: " + w.dim(0) + " output channels exceed the grid limit of 65535");
        }
        Tensor y = rt.alloc(x.dtype(), Shape.of(w.dim(0), to, ho, wo));
        try {
            switch (choice) {
                case IGEMM -> igemm(x, w, bias, y, padFront, padH, padW);
                case DIRECT -> direct(x, w, bias, y, padFront, padH, padW);
            }
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    private ConvChoice.Tiles tiles() {
        return new ConvChoice.Tiles(rt.constant("conv3d_igemm", "conv3d_igemm_tf32_bm"),
                rt.constant("conv3d_igemm", "conv3d_igemm_tf32_bk"));
    }

    /** conv3d.cu: one thread per output element, blockIdx.y = output channel. */
    private void direct(Tensor x, Tensor w, Tensor bias, Tensor y, int padFront, int padH, int padW) {
        long positions = (long) y.dim(1) * y.dim(2) * y.dim(3);
        if (positions == 0 || w.dim(0) == 0) {
            return;
        }
        long blocks = (positions + 255) / 256;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv3d: output " + y.shape() + " exceeds the grid limit");
        }
        byte[] p = new ParamStruct()
                .ptr(rt.addr(x)).ptr(rt.addr(w)).ptr(rt.addrOrNull(bias)).ptr(rt.addr(y))
                .i32(Dt.code(x.dtype())).i32(Dt.code(w.dtype())).i32(bias == null ? 0 : Dt.code(bias.dtype()))
                .i32(Dt.code(x.dtype()))
                .i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3))
                .i32(w.dim(0)).i32(w.dim(2)).i32(w.dim(3)).i32(w.dim(4))
                .i32(padFront).i32(padH).i32(padW)
                .i32(y.dim(1)).i32(y.dim(2)).i32(y.dim(3))
                .bytes(104);
        rt.launch(rt.kernel(ConvChoice.DIRECT.module, ConvChoice.DIRECT.function), (int) blocks, w.dim(0), 1, 256, 0,
                (Object) p);
    }

    /**
     * conv3d_igemm.cu: packs the weights to [Cout, taps, CinP] TF32 (CinP = Cin rounded up to the K slice)
     * into a temporary, then runs the implicit GEMM. Packing on every call costs one pass over the weights
     * (16 MB for the VAE's largest layer, microseconds) and keeps no state that could go stale.
     */
    private void igemm(Tensor x, Tensor w, Tensor bias, Tensor y, int padFront, int padH, int padW) {
        int cout = w.dim(0);
        int cin = w.dim(1);
        int taps = w.dim(2) * w.dim(3) * w.dim(4);
        int bm = rt.constant("conv3d_igemm", "conv3d_igemm_tf32_bm");
        int bn = rt.constant("conv3d_igemm", "conv3d_igemm_tf32_bn");
        int bk = rt.constant("conv3d_igemm", "conv3d_igemm_tf32_bk");
        int smem = rt.constant("conv3d_igemm", "conv3d_igemm_tf32_smem");
        int threads = rt.constant("conv3d_igemm", "conv3d_igemm_tf32_threads");
        int cinP = (cin + bk - 1) / bk * bk;
        long positions = (long) y.dim(1) * y.dim(2) * y.dim(3);
        long tilesN = (cout + bn - 1) / bn;
        long blocks = (positions + bm - 1) / bm * tilesN;
        if (blocks == 0) {
            return;
        }
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv3d: output " + y.shape() + " exceeds the grid limit");
        }
        try (Tensor packed = rt.alloc(DType.F32, Shape.of(cout, taps, cinP))) {
            long n = (long) cout * taps * cinP;
            rt.launch(rt.kernel("conv3d_igemm", "conv3d_pack_tf32"), rt.gridFor(n, 256), 1, 1, 256, 0,
                    rt.addr(w), Dt.code(w.dtype()), rt.addr(packed), cout, cin, cinP, taps);
            byte[] p = new ParamStruct()
                    .ptr(rt.addr(x)).ptr(rt.addr(packed)).ptr(rt.addrOrNull(bias)).ptr(rt.addr(y))
                    .i32(bias == null ? 0 : Dt.code(bias.dtype()))
                    .i32(cin).i32(cinP).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3))
                    .i32(cout).i32(w.dim(2)).i32(w.dim(3)).i32(w.dim(4))
                    .i32(padFront).i32(padH).i32(padW)
                    .i32(y.dim(1)).i32(y.dim(2)).i32(y.dim(3))
                    .i32((int) tilesN)
                    .bytes(104);
            // the temporary goes back to the allocator's cache when this returns, while the kernels may
            // still be queued: safe, because every later user of that block is queued on the same stream
            rt.launch(rt.kernel(ConvChoice.IGEMM.module, ConvChoice.IGEMM.function), (int) blocks, 1, 1, threads, smem,
                    (Object) p);
        }
    }
}
