package dev.surf.core.cpu;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Tensor;

/** x W^T + b with epilogues. Straightforward version; the tuned Vector API GEMM replaces it. */
final class CpuGemm {
    private CpuGemm() {
    }

    static Tensor linear(CpuBackend be, Tensor x, Tensor w, Tensor bias, Activation act) {
        int in = x.dim(-1);
        check(x, w, bias, in);
        int out = w.dim(0);
        int m = CpuTensors.checkedInt(x.shape().rows(), "linear rows");
        float[] a = CpuTensors.toF32(x);
        float[] wt = CpuTensors.toF32(w);
        float[] b = bias == null ? null : CpuTensors.toF32(bias);
        float[] c = new float[CpuTensors.checkedInt((long) m * out, "linear output")];
        be.pool().forRange(m, 4, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                for (int j = 0; j < out; j++) {
                    float s = 0;
                    for (int k = 0; k < in; k++) {
                        s += a[i * in + k] * wt[j * in + k];
                    }
                    if (b != null) {
                        s += b[j];
                    }
                    c[i * out + j] = CpuElementwise.apply(act, s);
                }
            }
        });
        Tensor res = be.wrap(c, x.shape().with(-1, out));
        if (x.dtype() == DType.F32) {
            return res;
        }
        try (res) {
            return be.convert(res, x.dtype());
        }
    }

    static void linearResidual(CpuBackend be, Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        int out = w.dim(0);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        if (residual.dtype() != DType.F32 || residual.numel() != x.shape().rows() * out) {
            throw new IllegalArgumentException("linearResidual: residual " + residual + " must be F32 with "
                    + x.shape().rows() + " x " + out + " elements");
        }
        if (gate != null && gate.numel() != (long) batch * out) {
            throw new IllegalArgumentException("linearResidual: gate " + gate.shape() + " must hold " + batch + " x " + out);
        }
        float[] g = gate == null ? null : CpuTensors.toF32(gate);
        try (Tensor y = linear(be, x, w, bias, Activation.NONE)) {
            float[] yv = CpuTensors.toF32(y);
            float[] r = CpuTensors.array(residual);
            int ro = CpuTensors.offset(residual);
            int rows = CpuTensors.checkedInt(x.shape().rows(), "rows");
            int perBatch = rows / batch;
            for (int i = 0; i < rows; i++) {
                int gb = (i / perBatch) * out;
                for (int j = 0; j < out; j++) {
                    float v = yv[i * out + j];
                    r[ro + i * out + j] += g == null ? v : g[gb + j] * v;
                }
            }
        }
    }

    private static void check(Tensor x, Tensor w, Tensor bias, int in) {
        if (w.rank() != 2 || w.dim(1) != in) {
            throw new IllegalArgumentException("linear: weight " + w.shape() + " does not match input " + x.shape()
                    + " (expected [out, " + in + "])");
        }
        if (bias != null && bias.numel() != w.dim(0)) {
            throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not match weight " + w.shape());
        }
    }
}
