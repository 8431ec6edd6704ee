package dev.surf.cuda;

import dev.surf.core.DType;
import java.util.Locale;

/**
 * Which GEMM kernel runs y = x W^T (+ epilogue): a pure function of the operands, the device, the
 * settings and the forced path, so every branch is tested on the CPU (GemmChoiceTest, DispatchPinTest).
 *
 * <p>AUTO: BF16 x and W with K % 8 == 0 and 16-byte aligned operands go to the tensor cores when there
 * are more than 8 rows. On compute capability 9.0 a GEMM of at least 128 x 128 with K > 0 takes the
 * persistent TMA + wgmma kernel (-Dsurf.cuda.gemmPersistent; schedule by {@link #schedule}), or where
 * that is off or the driver has no tensor-map encoder, the non-persistent wgmma kernel (unless
 * -Dsurf.cuda.wgmma=false); everything else on the tensor cores is mma.sync. The rest runs on CUDA
 * cores: the SIMT tile kernel, or for up to 8 rows (timestep embeddings, modulation vectors) the GEMV,
 * which streams W once.
 */
enum GemmChoice {
    /** Persistent TMA + wgmma, cooperative 128 x 256 tiles (cuda/gemm_persistent.cu). */
    PERSISTENT("gemm_persistent", "gemm_bf16_persistent"),
    /** Persistent TMA + wgmma, 128 x 128 tiles on alternating consumer warpgroups. */
    PINGPONG("gemm_persistent", "gemm_bf16_pingpong"),
    /** Non-persistent wgmma, 128 x 256 tiles (cuda/gemm_wgmma.cu). */
    WGMMA("gemm_wgmma", "gemm_bf16_wgmma"),
    /** mma.sync tensor cores, 128 x 128 tiles (cuda/gemm_bf16.cu). */
    MMA("gemm_bf16", "gemm_bf16_tc"),
    /** CUDA cores, 64 x 64 tiles, any float dtypes (cuda/gemm_simt.cu). */
    SIMT("gemm_simt", "gemm_simt"),
    /** CUDA cores, up to 8 rows, W streamed once. */
    GEMV("gemm_simt", "gemv_simt");

    /** Most rows the GEMV takes. */
    static final int GEMV_MAX_M = 8;
    /** Largest K for which the schedule by shape is ping-pong. */
    static final int PINGPONG_MAX_K = 2048;
    /** Smallest M and N for which AUTO uses the Hopper kernels' big tiles rather than mma.sync's 128 x 128. */
    static final int WGMMA_MIN = 128;

    /** The kernel file (cuda/MODULE.cu) and its entry point. */
    final String module;
    final String function;

    GemmChoice(String module, String function) {
        this.module = module;
        this.function = function;
    }

    /** x [m, k] and W [n, k] as the kernels see them. */
    record Operands(Operand x, Operand w, int m, int n, int k) {
        /** What the tensor-core kernels need: BF16 x and W, K % 8 == 0, 16-byte aligned operands. */
        boolean tensorCores() {
            return x.dtype() == DType.BF16 && w.dtype() == DType.BF16 && k % 8 == 0 && x.aligned(16) && w.aligned(16);
        }

        @Override
        public String toString() {
            return "x [" + m + ", " + k + "] " + x + ", W [" + n + ", " + k + "] " + w;
        }
    }

    /** The kernel for these operands; a forced path that cannot run them is an IllegalArgumentException. */
    static GemmChoice of(Operands op, DeviceCaps caps, CudaSettings settings, GemmPath forced) {
        boolean tc = op.tensorCores();
        return switch (forced) {
            case AUTO -> auto(op, tc, caps, settings);
            case MMA -> {
                requireTensorCores(tc, op);
                yield MMA;
            }
            case WGMMA -> {
                requireTensorCores(tc, op);
                if (!caps.hasWgmma()) {
                    throw new IllegalArgumentException("linear: the wgmma path needs compute capability 9.0 and the sm_90a "
                            + "kernels; this is " + caps.computeCapability());
                }
                yield WGMMA;
            }
            case PERSISTENT, PINGPONG -> {
                String name = forced.name().toLowerCase(Locale.ROOT);
                // the TMA maps need K >= 1 (K = 0 leaves the bias only: the other kernels do that)
                if (!(tc && op.k() > 0)) {
                    throw new IllegalArgumentException("linear: the " + name + " path needs BF16 x and W, 0 < K, K % 8 == 0 "
                            + "and 16-byte aligned operands; got " + op);
                }
                if (!caps.hasGemmPersistent()) {
                    throw new IllegalArgumentException("linear: the " + name + " path needs compute capability 9.0, the "
                            + "sm_90a kernels and the driver's tensor-map encoder; this is " + caps.computeCapability()
                            + (caps.tensorMapsUnavailable() == null ? "" : " (" + caps.tensorMapsUnavailable() + ")"));
                }
                yield forced == GemmPath.PINGPONG ? PINGPONG : PERSISTENT;
            }
            case SIMT -> cudaCores(op);
        };
    }

    private static GemmChoice auto(Operands op, boolean tc, DeviceCaps caps, CudaSettings settings) {
        if (tc && op.m() >= WGMMA_MIN && op.n() >= WGMMA_MIN) {
            if (op.k() > 0 && caps.hasGemmPersistent() && settings.gemmPersistent() != CudaSettings.PersistentGemm.OFF) {
                return schedule(settings.gemmPersistent(), op.k());
            }
            if (settings.wgmma() && caps.hasWgmma()) {
                return WGMMA;
            }
        }
        return tc && op.m() > GEMV_MAX_M ? MMA : cudaCores(op);
    }

    private static GemmChoice cudaCores(Operands op) {
        return op.m() <= GEMV_MAX_M ? GEMV : SIMT;
    }

    private static void requireTensorCores(boolean tc, Operands op) {
        if (!tc) {
            throw new IllegalArgumentException("linear: the tensor-core paths need BF16 x and W, K % 8 == 0 and 16-byte "
                    + "aligned operands; got " + op);
        }
    }

    /**
     * The schedule of an AUTO persistent GEMM: the one -Dsurf.cuda.gemmPersistent names, else by K.
     * PINGPONG for K up to {@value #PINGPONG_MAX_K}: with a short main loop the cooperative kernel's
     * exposed epilogue is a large share of each tile, and ping-pong hides it behind the other
     * warpgroup's main loop (H100, 2026-11-22, kernel alone: 0.27 against 0.30 ms at 32760 x 1536 x
     * 1536, 1.55 against 1.67 ms at 32760 x 8960 x 1536). PERSISTENT above, where its 128 x 256 tiles
     * need less operand traffic per FLOP (1.20 against 1.42 ms at K = 8960, 1.47 against 1.75 ms at
     * 8192^3).
     */
    static GemmChoice schedule(CudaSettings.PersistentGemm configured, int k) {
        return switch (configured) {
            case COOPERATIVE -> PERSISTENT;
            case PINGPONG -> PINGPONG;
            case BY_SHAPE -> k <= PINGPONG_MAX_K ? PINGPONG : PERSISTENT;
            case OFF -> throw new IllegalArgumentException("no persistent schedule: -Dsurf.cuda.gemmPersistent=false");
        };
    }
}
