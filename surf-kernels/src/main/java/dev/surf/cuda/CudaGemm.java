package dev.surf.cuda;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;

/**
 * x W^T + b with fused epilogues (cuda/gemm_persistent.cu, gemm_wgmma.cu, gemm_bf16.cu, gemm_simt.cu;
 * the kernel by {@link GemmChoice}); CPU reference: CpuGemm.
 */
final class CudaGemm {
    private static final int EPI_STORE = 0;
    private static final int EPI_RESIDUAL = 1;

    private final CudaRuntime rt;
    private final CudaControls controls;

    CudaGemm(CudaRuntime rt, CudaControls controls) {
        this.rt = rt;
        this.controls = controls;
    }

    Tensor linear(Tensor x, Tensor w, Tensor bias, Activation act) {
        OpChecks.linear(x, w, bias);
        int out = w.dim(0);
        long rows = x.shape().rows();
        Tensor y = rt.alloc(x.dtype(), x.shape().with(-1, out));
        try {
            if (rows > 0 && out > 0) {
                long ya = rt.addr(y);
                byte[] ep = epilogue(ya, rt.addrOrNull(bias), bias, 0, null, 1, x.dtype(), act, EPI_STORE,
                        out % 8 == 0 && ya % 16 == 0);
                run(x, w, rows, out, x.dim(-1), ep);
            }
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        OpChecks.linearResidual(residual, x, w, bias, gate);
        int out = w.dim(0);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        long rows = x.shape().rows();
        if (rows == 0 || out == 0) {
            return;
        }
        // the epilogue writes residual rows while other blocks may still read x: never let them overlap
        // (same rule as the CPU reference)
        if (x.storage() == residual.storage()) {
            try (Tensor copy = rt.alloc(x.dtype(), x.shape())) {
                rt.memcpy(x, copy);
                linearResidual(residual, copy, w, bias, gate);
            }
            return;
        }
        long ra = rt.addr(residual);
        byte[] ep = epilogue(ra, rt.addrOrNull(bias), bias, rt.addrOrNull(gate), gate, rows / batch, x.dtype(),
                Activation.NONE, EPI_RESIDUAL, out % 8 == 0 && ra % 16 == 0);
        run(x, w, rows, out, x.dim(-1), ep);
    }

    private void run(Tensor x, Tensor w, long rows, int n, int k, byte[] ep) {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear: " + rows + " rows exceed the kernels' int range");
        }
        int m = (int) rows;
        long xa = rt.addr(x);
        long wa = rt.addr(w);
        GemmChoice choice = GemmChoice.of(new GemmChoice.Operands(rt.operand(x), rt.operand(w), m, n, k), rt.caps,
                controls.settings(), controls.gemmPath());
        CudaKernel kernel = rt.kernel(choice.module, choice.function);
        switch (choice) {
            case PERSISTENT, PINGPONG -> {
                // one block per SM walks the 128 x BN tiles; x and W arrive through TMA (boxes of 128 and BN rows)
                int bn = choice == GemmChoice.PINGPONG ? 128 : 256;
                byte[] p = new ParamStruct()
                        .block(TensorMaps.matrixOperand(xa, m, k, 128), 64)
                        .block(TensorMaps.matrixOperand(wa, n, k, bn), 64)
                        .block(ep, 8)
                        .i32(m).i32(n).i32(k)
                        .bytes(384);
                long tiles = (long) ((m + 127) / 128) * ((n + bn - 1) / bn);
                int grid = Math.min(checkedGrid(tiles), rt.caps.multiprocessors());  // the kernel counts tiles in an int
                rt.launch(kernel, grid, 1, 1, 384, rt.constant("gemm_persistent", "gemm_bf16_persistent_smem"), (Object) p);
            }
            case WGMMA -> {
                long tiles = (long) ((m + 127) / 128) * ((n + 255) / 256);
                rt.launch(kernel, checkedGrid(tiles), 1, 1, 256, rt.constant("gemm_wgmma", "gemm_bf16_wgmma_smem"),
                        xa, wa, m, n, k, ep);
            }
            case MMA -> {
                long tiles = (long) ((m + 127) / 128) * ((n + 127) / 128);
                rt.launch(kernel, checkedGrid(tiles), 1, 1, 256, rt.constant("gemm_bf16", "gemm_bf16_tc_smem"),
                        xa, wa, m, n, k, ep);
            }
            case GEMV -> rt.launch(kernel, checkedGrid((n + 7) / 8), 1, 1, 256, 0,
                    xa, Dt.code(x.dtype()), wa, Dt.code(w.dtype()), m, n, k, ep);
            case SIMT -> {
                long tiles = (long) ((m + 63) / 64) * ((n + 63) / 64);
                rt.launch(kernel, checkedGrid(tiles), 1, 1, 256, 0, xa, Dt.code(x.dtype()), wa, Dt.code(w.dtype()), m, n, k, ep);
            }
        }
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
}
