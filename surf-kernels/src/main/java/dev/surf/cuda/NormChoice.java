package dev.surf.cuda;

import dev.surf.core.DType;

/**
 * Which kernel family runs LayerNorm, adaLN LayerNorm and RMSNorm (cuda/norms.cu): a pure function of
 * the operands, the settings and the forced path, tested on the CPU (NormChoiceTest, DispatchPinTest).
 * WARP (AUTO unless -Dsurf.cuda.warpNorms=false, or forced) runs wherever the one-warp-per-row kernels
 * apply: row length a multiple of 128 up to {@value #WARP_MAX_D}, F32 or BF16 input and output, a
 * 16-byte aligned input, and every present weight, bias, shift and scale F32 or BF16 and 16-byte aligned
 * (their loads are 16- or 8-byte wide). Elsewhere BLOCK, one 256-thread block per row.
 */
enum NormChoice {
    BLOCK, WARP;

    /** The warp kernels hold a row in registers: per lane at most 16 groups of 4 elements. */
    static final int WARP_MAX_D = 2048;

    /** The entry point of this family for {@code op} (layer_norm or rms_norm). */
    String function(String op) {
        return this == WARP ? op + "_warp" : op;
    }

    /**
     * The family for input x, output dtype out, row length d and the optional parameters the kernel
     * reads (null entries are absent ones).
     */
    static NormChoice of(Operand x, DType out, int d, NormPath forced, CudaSettings settings, Operand... params) {
        boolean wanted = forced == NormPath.WARP || (forced == NormPath.AUTO && settings.warpNorms());
        return wanted && warpApplies(x, out, d, params) ? WARP : BLOCK;
    }

    private static boolean warpApplies(Operand x, DType out, int d, Operand[] params) {
        if (!wide(x.dtype()) || !wide(out) || d % 128 != 0 || d > WARP_MAX_D || !x.aligned(16)) {
            return false;
        }
        for (Operand p : params) {
            if (p != null && !(wide(p.dtype()) && p.aligned(16))) {
                return false;
            }
        }
        return true;
    }

    private static boolean wide(DType t) {
        return t == DType.F32 || t == DType.BF16;
    }
}
