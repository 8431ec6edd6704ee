package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import java.util.function.Supplier;

/**
 * Which conv3d kernel runs: a pure function of the operands, the settings and the forced path (the
 * device does not enter: both kernels run on sm_80+), tested on the CPU (ConvChoiceTest,
 * DispatchPinTest). AUTO takes -Dsurf.cuda.conv (IGEMM unless set to direct); an IGEMM that cannot run
 * the operands (see {@link #igemmRefusal}) falls back to DIRECT under AUTO and is an
 * IllegalArgumentException when forced.
 */
enum ConvChoice {
    /** One thread per output element, bit-identical to the CPU (cuda/conv3d.cu). */
    DIRECT("conv3d", "conv3d_direct"),
    /** Implicit GEMM on TF32 tensor cores, F32 input only (cuda/conv3d_igemm.cu). */
    IGEMM("conv3d_igemm", "conv3d_igemm_tf32");

    final String module;
    final String function;

    ConvChoice(String module, String function) {
        this.module = module;
        this.function = function;
    }

    /** x [Cin, T, H, W] and w [Cout, Cin, kt, kh, kw] as the kernels see them, and the output positions To Ho Wo. */
    record Operands(Operand x, Shape xShape, Shape wShape, long positions) {
        @Override
        public String toString() {
            return x.dtype() + xShape.toString() + " at 0x" + Long.toHexString(x.address()) + " * " + wShape;
        }
    }

    /** The implicit GEMM's tile sizes that bound its offsets (conv3d_igemm_tf32_bm / _bk of the kernel file). */
    record Tiles(int bm, int bk) {
    }

    /**
     * The kernel for these operands. {@code tiles} is asked only when the implicit GEMM is considered (it
     * reads the kernel file's constants).
     */
    static ConvChoice of(Operands op, CudaSettings settings, ConvPath forced, Supplier<Tiles> tiles) {
        ConvPath path = forced == ConvPath.AUTO ? settings.conv() : forced;
        if (path == ConvPath.DIRECT) {
            return DIRECT;
        }
        String refusal = igemmRefusal(op, tiles);
        if (refusal == null) {
            return IGEMM;
        }
        if (forced == ConvPath.IGEMM) {
            throw new IllegalArgumentException("conv3d: the implicit-GEMM path cannot run " + op + ": " + refusal);
        }
        return DIRECT;
    }

    /** Why conv3d_igemm_tf32 cannot take these operands, or null when it can (see the .cu header). */
    static String igemmRefusal(Operands op, Supplier<Tiles> tiles) {
        if (op.x().dtype() != DType.F32) {
            return "it needs an F32 input (the gather copies 4-byte elements)";
        }
        Shape w = op.wShape();
        if (w.dim(1) == 0) {
            return "there are no input channels";
        }
        if (!op.x().aligned(4)) {
            return "the input is not 4-byte aligned";
        }
        Tiles t = tiles.get();
        long taps = (long) w.dim(2) * w.dim(3) * w.dim(4);
        long cinP = (w.dim(1) + t.bk() - 1L) / t.bk() * t.bk();
        if (op.xShape().numel() > Integer.MAX_VALUE || op.positions() > Integer.MAX_VALUE - t.bm()
                || (long) w.dim(0) * taps * cinP > Integer.MAX_VALUE) {
            return "a size exceeds the kernel's 32-bit offsets";
        }
        return null;
    }
}
