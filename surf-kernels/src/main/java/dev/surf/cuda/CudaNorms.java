package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.Tensor;

/** LayerNorm, adaLN LayerNorm, RMSNorm and the VAE's channel RMS norm (cuda/norms.cu); CPU reference: CpuNorms, CpuChannelNorm. */
final class CudaNorms {
    /** Rows up to this many F32 values are cached in shared memory (read from global memory once). */
    private static final int MAX_CACHED = CudaKernel.DEFAULT_DYNAMIC_SMEM / 4;
    /** The one-warp-per-row kernels hold a row in registers: per lane at most 16 groups of 4 elements. */
    private static final int WARP_MAX_D = 2048;
    private static final int WARP_ROWS_PER_BLOCK = 8;

    private CudaNorms() {
    }

    static Tensor layerNorm(CudaBackend be, Tensor x, Tensor weight, Tensor bias, float eps, DType outType) {
        int d = x.dim(-1);
        vector(weight, d, "layerNorm weight");
        vector(bias, d, "layerNorm bias");
        return run(be, "layer_norm", x, weight, bias, null, null, 1, eps, outType);
    }

    static Tensor layerNormModulate(CudaBackend be, Tensor x, Tensor shift, Tensor scale, float eps, DType outType) {
        int d = x.dim(-1);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        if (shift.numel() != (long) batch * d || scale.numel() != (long) batch * d) {
            throw new IllegalArgumentException("layerNormModulate: shift " + shift.shape() + " and scale " + scale.shape()
                    + " must hold " + batch + " x " + d + " values for x " + x.shape());
        }
        // the kernel reads shift and scale as F32 (the contract's dtype); others are converted first
        Tensor sh = shift.dtype() == DType.F32 ? null : be.convert(shift, DType.F32);
        Tensor sc = scale.dtype() == DType.F32 ? null : be.convert(scale, DType.F32);
        try {
            long perBatch = Math.max(1, x.shape().rows() / batch);
            return run(be, "layer_norm", x, null, null, sh != null ? sh : shift, sc != null ? sc : scale, perBatch, eps, outType);
        } finally {
            if (sh != null) {
                sh.close();
            }
            if (sc != null) {
                sc.close();
            }
        }
    }

    static Tensor rmsNorm(CudaBackend be, Tensor x, Tensor weight, float eps) {
        vector(weight, x.dim(-1), "rmsNorm weight");
        return run(be, "rms_norm", x, weight, null, null, null, 1, eps, x.dtype());
    }

    /** CpuChannelNorm's semantics: x [C, ...] normalised over dimension 0 at every position. */
    static Tensor channelRmsNorm(CudaBackend be, Tensor x, Tensor gamma) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("channelRmsNorm: input must be [C, ...], got a scalar");
        }
        int c = x.dim(0);
        if (gamma.numel() != c) {
            throw new IllegalArgumentException("channelRmsNorm: gamma " + gamma.shape() + " must hold " + c
                    + " values for input " + x.shape());
        }
        if (!x.dtype().isFloating() || !gamma.dtype().isFloating()) {
            throw new IllegalArgumentException("channelRmsNorm needs floating tensors, got " + x + " and " + gamma);
        }
        long xa = be.addr(x);
        long ga = be.addr(gamma);
        Tensor y = be.alloc(x.dtype(), x.shape());
        long n = c == 0 ? 0 : x.numel() / c;
        if (n > 0) {
            // as the CPU: torch multiplies by the Python float C**0.5, rounded to F32
            float scale = (float) Math.sqrt(c);
            be.launch(be.kernel("norms", "channel_rms_norm"), be.gridFor(n, 256), 1, 1, 256, 0,
                    xa, be.addr(y), ga, Dt.code(x.dtype()), Dt.code(gamma.dtype()), c, n, scale);
        }
        return y;
    }

    private static Tensor run(CudaBackend be, String fn, Tensor x, Tensor weight, Tensor bias, Tensor shift, Tensor scale,
                              long rowsPerBatch, float eps, DType outType) {
        if (!x.dtype().isFloating() || !outType.isFloating()) {
            throw new IllegalArgumentException(fn + " needs floating input and output, got " + x + " -> " + outType);
        }
        int d = x.dim(-1);
        long rows = x.shape().rows();
        long xa = be.addr(x);
        Tensor y = be.alloc(outType, x.shape());
        if (rows == 0 || d == 0) {
            return y;
        }
        if (rows > Integer.MAX_VALUE) {
            y.close();
            throw new IllegalArgumentException(fn + ": " + rows + " rows exceed the grid limit");
        }
        boolean cached = d <= MAX_CACHED;
        boolean warp = be.warpNorms() && warpApplies(be, x, outType, weight, bias, shift, scale);
        byte[] p = new ParamStruct()
                .ptr(xa).ptr(be.addr(y))
                .ptr(be.addrOrNull(weight)).ptr(be.addrOrNull(bias))
                .ptr(be.addrOrNull(shift)).ptr(be.addrOrNull(scale))
                .i64(rowsPerBatch)
                .i32(Dt.code(x.dtype())).i32(Dt.code(outType))
                .i32(weight == null ? 0 : Dt.code(weight.dtype()))
                .i32(bias == null ? 0 : Dt.code(bias.dtype()))
                .i32(d)
                .i32(cached ? 1 : 0)
                .f32(eps)
                .bytes(88);
        try {
            if (warp) {
                long blocks = (rows + WARP_ROWS_PER_BLOCK - 1) / WARP_ROWS_PER_BLOCK;
                be.launch(be.kernel("norms", fn + "_warp"), (int) blocks, 1, 1, 32 * WARP_ROWS_PER_BLOCK, 0, p, rows);
            } else {
                be.launch(be.kernel("norms", fn), (int) rows, 1, 1, 256, cached ? d * 4 : 0, (Object) p);
            }
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    /** Whether layer_norm_warp / rms_norm_warp can take these operands (their loads are 16- or 8-byte wide). */
    private static boolean warpApplies(CudaBackend be, Tensor x, DType outType, Tensor weight, Tensor bias, Tensor shift,
            Tensor scale) {
        int d = x.dim(-1);
        return wide(x.dtype()) && wide(outType) && d % 128 == 0 && d <= WARP_MAX_D && be.addr(x) % 16 == 0
                && wideOperand(be, weight) && wideOperand(be, bias) && wideOperand(be, shift) && wideOperand(be, scale);
    }

    private static boolean wide(DType t) {
        return t == DType.F32 || t == DType.BF16;
    }

    /** An optional operand the warp kernels load 4 elements at a time: absent, or F32/BF16 and 16-byte aligned. */
    private static boolean wideOperand(CudaBackend be, Tensor t) {
        return t == null || (wide(t.dtype()) && be.addr(t) % 16 == 0);
    }

    private static void vector(Tensor t, int d, String what) {
        if (t != null && t.numel() != d) {
            throw new IllegalArgumentException(what + " has shape " + t.shape() + ", expected " + d + " elements");
        }
        if (t != null && !t.dtype().isFloating()) {
            throw new IllegalArgumentException(what + " must be floating, got " + t);
        }
    }
}
