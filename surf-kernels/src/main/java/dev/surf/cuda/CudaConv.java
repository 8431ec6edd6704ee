package dev.surf.cuda;

import dev.surf.core.OpChecks;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.TapGemmConv3d;
import dev.surf.core.Tensor;

/**
 * Stride-1 3-D convolution with causal time padding; CPU reference: CpuConv. Paths, chosen by
 * {@link CudaBackend.ConvPath}: the direct convolution of cuda/conv3d.cu (bit-identical to the CPU), the
 * implicit GEMM on TF32 tensor cores of cuda/conv3d_igemm.cu (F32 input only), and {@link TapGemmConv3d}
 * on this backend's GEMM and copy kernels. AUTO takes the implicit GEMM unless -Dsurf.cuda.conv names
 * another path.
 */
final class CudaConv {
    private CudaConv() {
    }

    static Tensor conv3d(CudaBackend be, Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        OpChecks.conv3d(x, w, bias, padFront, padH, padW);
        int to = x.dim(1) + padFront - w.dim(2) + 1;
        int ho = x.dim(2) + 2 * padH - w.dim(3) + 1;
        int wo = x.dim(3) + 2 * padW - w.dim(4) + 1;
        be.addr(x);
        be.addr(w);
        CudaBackend.ConvPath forced = be.convPath();
        CudaBackend.ConvPath path = forced == CudaBackend.ConvPath.AUTO ? be.autoConv() : forced;
        TapGemmConv3d.Operands taps = switch (path) {
            case TAPS -> x.dtype() == DType.BF16 ? TapGemmConv3d.Operands.BF16 : TapGemmConv3d.Operands.F32;
            case TAPS_BF16 -> TapGemmConv3d.Operands.BF16;
            case TAPS_BF16X3 -> TapGemmConv3d.Operands.BF16X3;
            default -> null;
        };
        if (taps != null) {
            return TapGemmConv3d.conv3d(be, x, w, bias, padFront, padH, padW, taps);
        }
        boolean gemm = false;
        if (path == CudaBackend.ConvPath.IGEMM) {
            String refusal = igemmRefusal(be, x, w, (long) to * ho * wo);
            if (forced == CudaBackend.ConvPath.IGEMM && refusal != null) {
                throw new IllegalArgumentException("conv3d: the implicit-GEMM path cannot run " + x + " * " + w + ": " + refusal);
            }
            gemm = refusal == null;
        }
        if (!gemm && w.dim(0) > 65535) {
            throw new IllegalArgumentException("conv3d: " + w.dim(0) + " output channels exceed the grid limit of 65535");
        }
        Tensor y = be.alloc(x.dtype(), Shape.of(w.dim(0), to, ho, wo));
        try {
            if (gemm) {
                igemm(be, x, w, bias, y, padFront, padH, padW);
            } else {
                direct(be, x, w, bias, y, padFront, padH, padW);
            }
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    /** Why conv3d_igemm_tf32 cannot take these operands, or null when it can (see the .cu header). */
    private static String igemmRefusal(CudaBackend be, Tensor x, Tensor w, long positions) {
        if (x.dtype() != DType.F32) {
            return "it needs an F32 input (the gather copies 4-byte elements)";
        }
        if (w.dim(1) == 0) {
            return "there are no input channels";
        }
        if (be.addr(x) % 4 != 0) {
            return "the input is not 4-byte aligned";
        }
        int bk = be.constant("conv3d_igemm", "conv3d_igemm_tf32_bk");
        int bm = be.constant("conv3d_igemm", "conv3d_igemm_tf32_bm");
        long taps = (long) w.dim(2) * w.dim(3) * w.dim(4);
        long cinP = (w.dim(1) + bk - 1L) / bk * bk;
        if (x.numel() > Integer.MAX_VALUE || positions > Integer.MAX_VALUE - bm
                || (long) w.dim(0) * taps * cinP > Integer.MAX_VALUE) {
            return "a size exceeds the kernel's 32-bit offsets";
        }
        return null;
    }

    /** conv3d.cu: one thread per output element, blockIdx.y = output channel. */
    private static void direct(CudaBackend be, Tensor x, Tensor w, Tensor bias, Tensor y, int padFront, int padH,
                               int padW) {
        long positions = (long) y.dim(1) * y.dim(2) * y.dim(3);
        if (positions == 0 || w.dim(0) == 0) {
            return;
        }
        long blocks = (positions + 255) / 256;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv3d: output " + y.shape() + " exceeds the grid limit");
        }
        byte[] p = new ParamStruct()
                .ptr(be.addr(x)).ptr(be.addr(w)).ptr(be.addrOrNull(bias)).ptr(be.addr(y))
                .i32(Dt.code(x.dtype())).i32(Dt.code(w.dtype())).i32(bias == null ? 0 : Dt.code(bias.dtype()))
                .i32(Dt.code(x.dtype()))
                .i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3))
                .i32(w.dim(0)).i32(w.dim(2)).i32(w.dim(3)).i32(w.dim(4))
                .i32(padFront).i32(padH).i32(padW)
                .i32(y.dim(1)).i32(y.dim(2)).i32(y.dim(3))
                .bytes(104);
        be.launch(be.kernel("conv3d", "conv3d_direct"), (int) blocks, w.dim(0), 1, 256, 0, (Object) p);
    }

    /**
     * conv3d_igemm.cu: packs the weights to [Cout, taps, CinP] TF32 (CinP = Cin rounded up to the K slice)
     * into a temporary, then runs the implicit GEMM. Packing on every call costs one pass over the weights
     * (16 MB for the VAE's largest layer, microseconds) and keeps no state that could go stale.
     */
    private static void igemm(CudaBackend be, Tensor x, Tensor w, Tensor bias, Tensor y, int padFront, int padH,
                              int padW) {
        int cout = w.dim(0);
        int cin = w.dim(1);
        int taps = w.dim(2) * w.dim(3) * w.dim(4);
        int bm = be.constant("conv3d_igemm", "conv3d_igemm_tf32_bm");
        int bn = be.constant("conv3d_igemm", "conv3d_igemm_tf32_bn");
        int bk = be.constant("conv3d_igemm", "conv3d_igemm_tf32_bk");
        int smem = be.constant("conv3d_igemm", "conv3d_igemm_tf32_smem");
        int threads = be.constant("conv3d_igemm", "conv3d_igemm_tf32_threads");
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
        try (Tensor packed = be.alloc(DType.F32, Shape.of(cout, taps, cinP))) {
            long n = (long) cout * taps * cinP;
            be.launch(be.kernel("conv3d_igemm", "conv3d_pack_tf32"), be.gridFor(n, 256), 1, 1, 256, 0,
                    be.addr(w), Dt.code(w.dtype()), be.addr(packed), cout, cin, cinP, taps);
            byte[] p = new ParamStruct()
                    .ptr(be.addr(x)).ptr(be.addr(packed)).ptr(be.addrOrNull(bias)).ptr(be.addr(y))
                    .i32(bias == null ? 0 : Dt.code(bias.dtype()))
                    .i32(cin).i32(cinP).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3))
                    .i32(cout).i32(w.dim(2)).i32(w.dim(3)).i32(w.dim(4))
                    .i32(padFront).i32(padH).i32(padW)
                    .i32(y.dim(1)).i32(y.dim(2)).i32(y.dim(3))
                    .i32((int) tilesN)
                    .bytes(104);
            // the temporary goes back to the allocator's cache when this returns, while the kernels may
            // still be queued: safe, because every later user of that block is queued on the same stream
            be.launch(be.kernel("conv3d_igemm", "conv3d_igemm_tf32"), (int) blocks, 1, 1, threads, smem, (Object) p);
        }
    }
}
