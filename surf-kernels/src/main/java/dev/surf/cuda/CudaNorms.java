package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;

/**
 * LayerNorm, adaLN LayerNorm, RMSNorm (the kernel family by {@link NormChoice}) and the VAE's channel
 * RMS norm (cuda/norms.cu); CPU reference: CpuNorms, CpuChannelNorm.
 */
final class CudaNorms {
    /** Rows up to this many F32 values are cached in shared memory (read from global memory once). */
    private static final int MAX_CACHED = CudaKernel.DEFAULT_DYNAMIC_SMEM / 4;
    private static final int WARP_ROWS_PER_BLOCK = 8;

    private final CudaRuntime rt;
    private final CudaControls controls;
    private final CudaConvert convert;

    CudaNorms(CudaRuntime rt, CudaControls controls, CudaConvert convert) {
        this.rt = rt;
        this.controls = controls;
        this.convert = convert;
    }

    Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, DType outType) {
        OpChecks.layerNorm(x, weight, bias, outType);
        return run("layer_norm", x, weight, bias, null, null, 1, eps, outType);
    }

    Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, float eps, DType outType) {
        OpChecks.layerNormModulate(x, shift, scale, outType);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        // the kernel reads shift and scale as F32 (the contract's dtype); others are converted first
        Tensor sh = shift.dtype() == DType.F32 ? null : convert.convert(shift, DType.F32);
        Tensor sc = scale.dtype() == DType.F32 ? null : convert.convert(scale, DType.F32);
        try {
            long perBatch = Math.max(1, x.shape().rows() / batch);
            return run("layer_norm", x, null, null, sh != null ? sh : shift, sc != null ? sc : scale, perBatch, eps, outType);
        } finally {
            if (sh != null) {
                sh.close();
            }
            if (sc != null) {
                sc.close();
            }
        }
    }

    Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        OpChecks.rmsNorm(x, weight);
        return run("rms_norm", x, weight, null, null, null, 1, eps, x.dtype());
    }

    /** CpuChannelNorm's semantics: x [C, ...] normalised over dimension 0 at every position. */
    Tensor channelRmsNorm(Tensor x, Tensor gamma) {
        OpChecks.channelRmsNorm(x, gamma);
        int c = x.dim(0);
        long xa = rt.addr(x);
        long ga = rt.addr(gamma);
        Tensor y = rt.alloc(x.dtype(), x.shape());
        long n = c == 0 ? 0 : x.numel() / c;
        if (n > 0) {
            // as the CPU: torch multiplies by the Python float C**0.5, rounded to F32
            float scale = (float) Math.sqrt(c);
            rt.launch(rt.kernel("norms", "channel_rms_norm"), rt.gridFor(n, 256), 1, 1, 256, 0,
                    xa, rt.addr(y), ga, Dt.code(x.dtype()), Dt.code(gamma.dtype()), c, n, scale);
        }
        return y;
    }

    private Tensor run(String fn, Tensor x, Tensor weight, Tensor bias, Tensor shift, Tensor scale, long rowsPerBatch,
                       float eps, DType outType) {
        int d = x.dim(-1);
        long rows = x.shape().rows();
        long xa = rt.addr(x);
        Tensor y = rt.alloc(outType, x.shape());
        if (rows == 0 || d == 0) {
            return y;
        }
        if (rows > Integer.MAX_VALUE) {
            y.close();
            throw new IllegalArgumentException(fn + ": " + rows + " rows exceed the grid limit");
        }
        boolean cached = d <= MAX_CACHED;
        NormChoice choice = NormChoice.of(rt.operand(x), outType, d, controls.normPath(), controls.settings(),
                rt.operand(weight), rt.operand(bias), rt.operand(shift), rt.operand(scale));
        byte[] p = new ParamStruct()
                .ptr(xa).ptr(rt.addr(y))
                .ptr(rt.addrOrNull(weight)).ptr(rt.addrOrNull(bias))
                .ptr(rt.addrOrNull(shift)).ptr(rt.addrOrNull(scale))
                .i64(rowsPerBatch)
                .i32(Dt.code(x.dtype())).i32(Dt.code(outType))
                .i32(weight == null ? 0 : Dt.code(weight.dtype()))
                .i32(bias == null ? 0 : Dt.code(bias.dtype()))
                .i32(d)
                .i32(cached ? 1 : 0)
                .f32(eps)
                .bytes(88);
        try {
            CudaKernel kernel = rt.kernel("norms", choice.function(fn));
            switch (choice) {
                case WARP -> rt.launch(kernel, (int) ((rows + WARP_ROWS_PER_BLOCK - 1) / WARP_ROWS_PER_BLOCK), 1, 1,
                        32 * WARP_ROWS_PER_BLOCK, 0, p, rows);
                case BLOCK -> rt.launch(kernel, (int) rows, 1, 1, 256, cached ? d * 4 : 0, (Object) p);
            }
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }
}
