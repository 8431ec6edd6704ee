package dev.surf.cuda;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/**
 * x W^T + b with fused epilogues (cuda/gemm_bf16.cu, cuda/gemm_wgmma.cu, cuda/gemm_simt.cu); CPU
 * reference: CpuGemm.
 *
 * <p>Kernel choice (AUTO): BF16 x and W with K % 8 == 0 and 16-byte aligned operands go to the tensor
 * cores when there are more than 8 rows: the wgmma kernel on compute capability 9.0 when M and N are
 * at least 128 (the persistent TMA + wgmma kernel, schedule by {@link #persistentSchedule};
 * -Dsurf.cuda.gemmPersistent=false for the non-persistent wgmma kernel), else mma.sync.
 * Everything else runs on CUDA cores: the SIMT
 * tile kernel, or for up to 8 rows (timestep embeddings, modulation vectors) the GEMV, which streams W
 * once.
 */
final class CudaGemm {
    private static final int EPI_STORE = 0;
    private static final int EPI_RESIDUAL = 1;
    private static final int GEMV_MAX_M = 8;
    /** Largest K for which AUTO's persistent GEMM takes the ping-pong schedule. */
    static final int PINGPONG_MAX_K = 2048;
    /** Smallest M and N for which AUTO uses the 128 x 256 wgmma tile rather than mma.sync's 128 x 128. */
    private static final int WGMMA_MIN = 128;

    private CudaGemm() {
    }

    static Tensor linear(CudaBackend be, Tensor x, Tensor w, Tensor bias, Activation act) {
        int in = x.dim(-1);
        check(x, w, bias, in);
        int out = w.dim(0);
        long rows = x.shape().rows();
        Tensor y = be.alloc(x.dtype(), x.shape().with(-1, out));
        try {
            if (rows > 0 && out > 0) {
                long ya = be.addr(y);
                byte[] ep = epilogue(be.addr(y), bias == null ? 0 : be.addr(bias), bias, 0, null, 1,
                        x.dtype(), act, EPI_STORE, out % 8 == 0 && ya % 16 == 0);
                run(be, x, w, rows, out, in, ep);
            }
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    static void linearResidual(CudaBackend be, Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        int in = x.dim(-1);
        check(x, w, bias, in);
        int out = w.dim(0);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        long rows = x.shape().rows();
        if (residual.dtype() != DType.F32 || residual.numel() != rows * out) {
            throw new IllegalArgumentException("linearResidual: residual " + residual + " must be F32 with "
                    + rows + " x " + out + " elements");
        }
        if (gate != null && gate.numel() != (long) batch * out) {
            throw new IllegalArgumentException("linearResidual: gate " + gate.shape() + " must hold " + batch + " x " + out);
        }
        if (rows == 0 || out == 0) {
            return;
        }
        // the epilogue writes residual rows while other blocks may still read x: never let them overlap
        // (same rule as the CPU reference)
        if (x.storage() == residual.storage()) {
            Tensor copy = be.alloc(x.dtype(), x.shape());
            try (copy) {
                be.memcpy(x, copy);
                linearResidual(be, residual, copy, w, bias, gate);
            }
            return;
        }
        long ra = be.addr(residual);
        byte[] ep = epilogue(ra, bias == null ? 0 : be.addr(bias), bias, gate == null ? 0 : be.addr(gate), gate,
                rows / batch, x.dtype(), Activation.NONE, EPI_RESIDUAL, out % 8 == 0 && ra % 16 == 0);
        run(be, x, w, rows, out, in, ep);
    }

    private static void run(CudaBackend be, Tensor x, Tensor w, long rows, int n, int k, byte[] ep) {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear: " + rows + " rows exceed the kernels' int range");
        }
        int m = (int) rows;
        long xa = be.addr(x);
        long wa = be.addr(w);
        CudaBackend.GemmPath path = be.gemmPath();
        boolean tcOk = x.dtype() == DType.BF16 && w.dtype() == DType.BF16 && k % 8 == 0 && xa % 16 == 0 && wa % 16 == 0;
        if ((path == CudaBackend.GemmPath.MMA || path == CudaBackend.GemmPath.WGMMA) && !tcOk) {
            throw new IllegalArgumentException("linear: the tensor-core paths need BF16 x and W, K % 8 == 0 and 16-byte "
                    + "aligned operands; got x " + x + ", W " + w);
        }
        boolean forcedPersistent = path.persistent();
        // the persistent kernels' TMA maps need K >= 1 (K = 0 leaves bias only: the other kernels do that)
        if (forcedPersistent && !(tcOk && k > 0)) {
            throw new IllegalArgumentException("linear: the " + path.name().toLowerCase(java.util.Locale.ROOT)
                    + " path needs BF16 x and W, 0 < K, K % 8 == 0 and 16-byte aligned operands; got x " + x + ", W " + w);
        }
        if (path == CudaBackend.GemmPath.WGMMA && !be.hasWgmma()) {
            throw new IllegalArgumentException("linear: the wgmma path needs compute capability 9.0 and the sm_90a kernels; "
                    + "this is " + be.computeCapability());
        }
        if (forcedPersistent && !be.hasGemmPersistent()) {
            throw new IllegalArgumentException("linear: the " + path.name().toLowerCase(java.util.Locale.ROOT)
                    + " path needs compute capability 9.0, the sm_90a kernels and the driver's tensor-map encoder; this is "
                    + be.computeCapability());
        }
        boolean bigTc = path == CudaBackend.GemmPath.AUTO && tcOk && m >= WGMMA_MIN && n >= WGMMA_MIN;
        CudaBackend.GemmPath autoPersistent = bigTc && k > 0 ? be.autoGemmPersistent() : null;
        boolean persistent = forcedPersistent || autoPersistent != null;
        boolean wgmma = !persistent && (path == CudaBackend.GemmPath.WGMMA || (bigTc && be.autoWgmma()));
        boolean mma = !wgmma && !persistent
                && (path == CudaBackend.GemmPath.MMA || (path == CudaBackend.GemmPath.AUTO && tcOk && m > GEMV_MAX_M));
        if (persistent) {
            // one block per SM walks the 128 x BN tiles; x and W arrive through TMA (boxes of 128 and BN rows)
            boolean pingpong = path == CudaBackend.GemmPath.PINGPONG
                    || (!forcedPersistent && persistentSchedule(autoPersistent, k) == CudaBackend.GemmPath.PINGPONG);
            int bn = pingpong ? 128 : 256;
            byte[] p = new ParamStruct()
                    .block(TensorMaps.matrixOperand(xa, m, k, 128), 64)
                    .block(TensorMaps.matrixOperand(wa, n, k, bn), 64)
                    .block(ep, 8)
                    .i32(m).i32(n).i32(k)
                    .bytes(384);
            long tiles = (long) ((m + 127) / 128) * ((n + bn - 1) / bn);
            int grid = Math.min(checkedGrid(tiles), be.multiprocessors());  // the kernel counts tiles in an int
            be.launch(be.kernel("gemm_persistent", pingpong ? "gemm_bf16_pingpong" : "gemm_bf16_persistent"), grid, 1, 1,
                    384, be.constant("gemm_persistent", "gemm_bf16_persistent_smem"), (Object) p);
            return;
        }
        if (wgmma) {
            int smem = be.constant("gemm_wgmma", "gemm_bf16_wgmma_smem");
            long tiles = (long) ((m + 127) / 128) * ((n + 255) / 256);
            be.launch(be.kernel("gemm_wgmma", "gemm_bf16_wgmma"), checkedGrid(tiles), 1, 1, 256, smem, xa, wa, m, n, k, ep);
            return;
        }
        if (mma) {
            int smem = be.constant("gemm_bf16", "gemm_bf16_tc_smem");
            long tiles = (long) ((m + 127) / 128) * ((n + 127) / 128);
            be.launch(be.kernel("gemm_bf16", "gemm_bf16_tc"), checkedGrid(tiles), 1, 1, 256, smem, xa, wa, m, n, k, ep);
            return;
        }
        int xd = Dt.code(x.dtype());
        int wd = Dt.code(w.dtype());
        if (m <= GEMV_MAX_M) {
            be.launch(be.kernel("gemm_simt", "gemv_simt"), checkedGrid((n + 7) / 8), 1, 1, 256, 0, xa, xd, wa, wd, m, n, k, ep);
        } else {
            long tiles = (long) ((m + 63) / 64) * ((n + 63) / 64);
            be.launch(be.kernel("gemm_simt", "gemm_simt"), checkedGrid(tiles), 1, 1, 256, 0, xa, xd, wa, wd, m, n, k, ep);
        }
    }

    /**
     * The schedule of an AUTO persistent GEMM: {@code configured} (-Dsurf.cuda.gemmPersistent) when it
     * names one, else by K. PINGPONG for K up to {@value #PINGPONG_MAX_K}: with a short main loop the
     * cooperative kernel's exposed epilogue is a large share of each tile, and ping-pong hides it behind
     * the other warpgroup's main loop (H100, 2026-11-22, kernel alone: 0.27 against 0.30 ms at 32760 x
     * 1536 x 1536, 1.55 against 1.67 ms at 32760 x 8960 x 1536). PERSISTENT above, where its 128 x 256
     * tiles need less operand traffic per FLOP (1.20 against 1.42 ms at K = 8960, 1.47 against 1.75 ms
     * at 8192^3).
     */
    static CudaBackend.GemmPath persistentSchedule(CudaBackend.GemmPath configured, int k) {
        if (configured == CudaBackend.GemmPath.PERSISTENT || configured == CudaBackend.GemmPath.PINGPONG) {
            return configured;
        }
        return k <= PINGPONG_MAX_K ? CudaBackend.GemmPath.PINGPONG : CudaBackend.GemmPath.PERSISTENT;
    }

    private static int checkedGrid(long blocks) {
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear: " + blocks + " thread blocks exceed the grid limit");
        }
        return (int) blocks;
    }

    /** EpilogueParams of cuda/epilogue.cuh. */
    private static byte[] epilogue(long out, long biasAddr, Tensor bias, long gateAddr, Tensor gate, long rowsPerBatch,
                                   DType outType, Activation act, int mode, boolean vec8) {
        return new ParamStruct()
                .ptr(out).ptr(biasAddr).ptr(gateAddr)
                .i64(rowsPerBatch)
                .i32(Dt.code(outType))
                .i32(bias == null ? 0 : Dt.code(bias.dtype()))
                .i32(gate == null ? 0 : Dt.code(gate.dtype()))
                .i32(actCode(act))
                .i32(mode)
                .i32(vec8 ? 1 : 0)
                .bytes(56);
    }

    /** ACT_* of cuda/common.cuh. */
    static int actCode(Activation act) {
        return switch (act) {
            case NONE -> 0;
            case GELU_TANH -> 1;
            case SILU -> 2;
        };
    }

    private static void check(Tensor x, Tensor w, Tensor bias, int in) {
        if (w.rank() != 2 || w.dim(1) != in) {
            throw new IllegalArgumentException("linear: weight " + w.shape() + " does not match input " + x.shape()
                    + " (expected [out, " + in + "])");
        }
        if (bias != null && bias.numel() != w.dim(0)) {
            throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not match weight " + w.shape());
        }
        if (!x.dtype().isFloating() || !w.dtype().isFloating() || (bias != null && !bias.dtype().isFloating())) {
            throw new IllegalArgumentException("linear needs floating operands, got x " + x + ", W " + w);
        }
    }
}
