package dev.surf.cuda;

import dev.surf.core.BackwardChecks;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/**
 * Input gradients of LayerNorm, adaLN LayerNorm, RMSNorm and the VAE's channel RMS norm
 * (cuda/norms_grad.cu); CPU reference: CpuNormBackward, CpuChannelNormBackward.
 */
final class CudaNormBackward {
    private final CudaRuntime rt;

    CudaNormBackward(CudaRuntime rt) {
        this.rt = rt;
    }

    Tensor layerNorm(Tensor x, Tensor weight, float eps, Tensor dy) {
        BackwardChecks.layerNormBackward(x, weight, dy);
        return rows("layerNormBackward", x, dy, weight, 0, false, true, eps);
    }

    Tensor layerNormModulate(Tensor x, Tensor scale, float eps, Tensor dy) {
        BackwardChecks.layerNormModulateBackward(x, scale, dy);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        return rows("layerNormModulateBackward", x, dy, scale, Math.max(1, x.shape().rows() / batch), true, true, eps);
    }

    Tensor rmsNorm(Tensor x, Tensor weight, float eps, Tensor dy) {
        BackwardChecks.rmsNormBackward(x, weight, dy);
        return rows("rmsNormBackward", x, dy, weight, 0, false, false, eps);
    }

    Tensor channelRmsNorm(Tensor x, Tensor gamma, Tensor dy) {
        BackwardChecks.channelRmsNormBackward(x, gamma, dy);
        int c = x.dim(0);
        long xa = rt.addr(x);
        long ga = rt.addr(dy);
        long gm = rt.addr(gamma);
        Tensor dx = rt.alloc(DType.F32, x.shape());
        long n = c == 0 ? 0 : x.numel() / c;
        if (n > 0) {
            // as the CPU: s = sqrt(C) rounded to F32, then used in double
            float scale = (float) Math.sqrt(c);
            try {
                rt.launch(rt.kernel("norms_grad", "channel_rms_norm_backward"), rt.gridFor(n, 256), 1, 1, 256, 0,
                        xa, Dt.code(x.dtype()), ga, Dt.code(dy.dtype()), gm, Dt.code(gamma.dtype()), rt.addr(dx), c, n, scale);
            } catch (RuntimeException e) {
                dx.close();
                throw e;
            }
        }
        return dx;
    }

    /** dx of every row; gain null, [D] (rowsPerGain 0) or [B, D] with rowsPerGain rows per batch item. */
    private Tensor rows(String op, Tensor x, Tensor dy, Tensor gain, long rowsPerGain, boolean addOne, boolean centre,
                        float eps) {
        int d = x.dim(-1);
        long rows = x.shape().rows();
        long xa = rt.addr(x);
        long ga = rt.addr(dy);
        long gainAddr = rt.addrOrNull(gain);
        Tensor dx = rt.alloc(DType.F32, x.shape());
        if (rows == 0 || d == 0) {
            return dx;
        }
        if (rows > Integer.MAX_VALUE) {
            dx.close();
            throw new IllegalArgumentException(op + ": " + rows + " rows exceed the grid limit");
        }
        byte[] p = new ParamStruct()
                .ptr(xa).ptr(ga).ptr(rt.addr(dx)).ptr(gainAddr)
                .i64(rowsPerGain)
                .i32(Dt.code(x.dtype())).i32(Dt.code(dy.dtype())).i32(gain == null ? 0 : Dt.code(gain.dtype()))
                .i32(d)
                .i32(centre ? 1 : 0)
                .i32(addOne ? 1 : 0)
                .f32(eps)
                .bytes(72);
        try {
            rt.launch(rt.kernel("norms_grad", "row_norm_backward"), (int) rows, 1, 1, 256, 0, (Object) p);
        } catch (RuntimeException e) {
            dx.close();
            throw e;
        }
        return dx;
    }
}
