package dev.surf.cuda;

import dev.surf.core.DType;

/**
 * Which attention kernel runs softmax(scale q k^T + bias + mask) v: a pure function of the operands,
 * the device, the settings and the forced path, so every branch is tested on the CPU
 * (AttentionChoiceTest, DispatchPinTest).
 *
 * <p>AUTO: plain F32 attention (no bias, window or key lengths; the Wan-VAE's) with at least
 * {@value #GEMM_MIN_SCORES} scores per (batch, head) runs as two GEMMs around a row softmax. BF16 q, k,
 * v with equal head dims 64 or 128 and 16-byte aligned operands take the fused kernels: on compute
 * capability 9.0 (with the sm_90a fatbin and the tensor-map encoder, and Lk > 0) the TMA + wgmma
 * kernel, overlapped for more than {@value #SHORT_KEYS} keys and its plain variant for fewer
 * (-Dsurf.cuda.attnWgmma), elsewhere the mma.sync flash kernel (unless -Dsurf.cuda.flash=false).
 * Everything else runs on the generic kernel.
 */
enum AttentionChoice {
    /** TMA + wgmma, softmax of one tile overlapped with the next tile's products (cuda/attention_wgmma.cu). */
    WGMMA("attention_wgmma", "attention_wgmma_d"),
    /** The wgmma kernel without the overlap. */
    WGMMA_SIMPLE("attention_wgmma", "attention_wgmma_simple_d"),
    /** mma.sync flash attention (cuda/attention.cu). */
    FLASH("attention", "attention_flash_d"),
    /** Any dtype and head dim, one query row per warp (cuda/attention_generic.cu). */
    GENERIC("attention_generic", "attention_generic"),
    /** Two F32 GEMMs around softmax_rows of cuda/norms.cu ({@link CudaAttentionGemm}). */
    GEMM("norms", "softmax_rows");

    /** Key lengths up to this take the wgmma kernel's plain variant under AUTO. */
    static final int SHORT_KEYS = 2048;
    /** F32 attention with at least this many scores per (batch, head) goes to the GEMM path under AUTO. */
    static final long GEMM_MIN_SCORES = 4096;

    final String module;
    private final String function;

    AttentionChoice(String module, String function) {
        this.module = module;
        this.function = function;
    }

    /** The entry point for head dim d (the fused kernels are instantiated per head dim). */
    String function(int d) {
        return this == WGMMA || this == WGMMA_SIMPLE || this == FLASH ? function + d : function;
    }

    /**
     * q [B, Lq, H, d], k [B, Lk, H, d], v [B, Lk, H, dv] and the output [B, Lq, H, dv] as the kernels see
     * them, and which of bias, time window and key lengths the call has.
     */
    record Operands(Operand q, Operand k, Operand v, Operand out, int b, int lq, int lk, int h, int d, int dv,
                    boolean bias, boolean window, boolean keyLengths) {
        boolean allOf(DType t) {
            return q.dtype() == t && k.dtype() == t && v.dtype() == t;
        }

        @Override
        public String toString() {
            return "q [" + b + ", " + lq + ", " + h + ", " + d + "] " + q + ", k [" + b + ", " + lk + ", " + h + ", " + d
                    + "] " + k + ", v [" + b + ", " + lk + ", " + h + ", " + dv + "] " + v;
        }
    }

    /** The kernel for these operands; a forced path that cannot run them is an IllegalArgumentException. */
    static AttentionChoice of(Operands op, DeviceCaps caps, CudaSettings settings, AttentionPath forced) {
        boolean gemmShape = op.allOf(DType.F32) && !op.bias() && !op.window() && !op.keyLengths() && op.lk() > 0;
        if (forced == AttentionPath.GEMM) {
            if (!gemmShape) {
                throw new IllegalArgumentException("attention: the GEMM path needs F32 q, k, v and no bias, time window or "
                        + "key lengths; got " + op);
            }
            return GEMM;
        }
        if (forced == AttentionPath.AUTO && gemmShape && (long) op.lq() * op.lk() >= GEMM_MIN_SCORES) {
            return GEMM;
        }
        boolean flashShape = op.allOf(DType.BF16) && op.d() == op.dv() && (op.d() == 64 || op.d() == 128)
                && op.q().aligned(16) && op.k().aligned(16) && op.v().aligned(16) && op.out().aligned(16);
        // TMA maps need every dimension >= 1 (Lk = 0 stays on the other kernels)
        boolean wgmmaShape = flashShape && op.lk() > 0;
        return switch (forced) {
            case WGMMA, WGMMA_SIMPLE -> {
                if (!caps.hasAttnWgmma()) {
                    throw new IllegalArgumentException("attention: the wgmma path needs compute capability 9.0, the sm_90a "
                            + "kernels and the driver's tensor-map encoder; this is " + caps.computeCapability()
                            + (caps.tensorMapsUnavailable() == null ? "" : " (" + caps.tensorMapsUnavailable() + ")"));
                }
                requireFused(wgmmaShape, forced, " and Lk > 0", op);
                yield forced == AttentionPath.WGMMA ? WGMMA : WGMMA_SIMPLE;
            }
            case FLASH -> {
                requireFused(flashShape, forced, "", op);
                yield FLASH;
            }
            case GENERIC -> GENERIC;
            case AUTO -> {
                CudaSettings.AttnWgmma w = settings.attnWgmma();
                if (wgmmaShape && caps.hasAttnWgmma() && w != CudaSettings.AttnWgmma.OFF) {
                    // a few key tiles (cross-attention to 512 text tokens) leave the overlapped kernel's turns
                    // nothing to hide and cost its prologue: the plain variant is faster there (0.36 vs 0.47 ms,
                    // H100, 32760 x 512 x 12 x 128)
                    yield w == CudaSettings.AttnWgmma.SIMPLE || op.lk() <= SHORT_KEYS ? WGMMA_SIMPLE : WGMMA;
                }
                yield flashShape && settings.flash() ? FLASH : GENERIC;
            }
            case GEMM -> throw new AssertionError("handled above");
        };
    }

    private static void requireFused(boolean shapeOk, AttentionPath path, String more, Operands op) {
        if (!shapeOk) {
            throw new IllegalArgumentException("attention: the " + path + " path needs BF16 q, k, v with equal head dims 64 "
                    + "or 128, 16-byte aligned operands" + more + "; got " + op);
        }
    }
}
