package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/** LayerNorm, adaLN-modulated LayerNorm and RMSNorm over the last dimension; statistics in double. */
final class CpuNorms {
    private CpuNorms() {
    }

    static Tensor layerNorm(CpuBackend be, Tensor x, Tensor weight, Tensor bias, float eps, DType outType) {
        OpChecks.layerNorm(x, weight, bias, outType);
        int d = x.dim(-1);
        float[] w = weight == null ? null : CpuTensors.toF32(weight);
        float[] b = bias == null ? null : CpuTensors.toF32(bias);
        return rows(be, x, outType, (in, out) -> {
            normalize(in, out, eps);
            for (int j = 0; j < d; j++) {
                float y = out[j];
                if (w != null) {
                    y *= w[j];
                }
                if (b != null) {
                    y += b[j];
                }
                out[j] = y;
            }
        }, null);
    }

    static Tensor layerNormModulate(CpuBackend be, Tensor x, Tensor shift, Tensor scale, float eps, DType outType) {
        OpChecks.layerNormModulate(x, shift, scale, outType);
        int d = x.dim(-1);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        float[] sh = CpuTensors.toF32(shift);
        float[] sc = CpuTensors.toF32(scale);
        long rowsPerBatch = x.shape().rows() / batch;
        return rows(be, x, outType, null, (row, in, out) -> {
            normalize(in, out, eps);
            int o = (int) (row / rowsPerBatch) * d;
            for (int j = 0; j < d; j++) {
                out[j] = out[j] * (1f + sc[o + j]) + sh[o + j];
            }
        });
    }

    static Tensor rmsNorm(CpuBackend be, Tensor x, Tensor weight, float eps) {
        OpChecks.rmsNorm(x, weight);
        int d = x.dim(-1);
        float[] w = weight == null ? null : CpuTensors.toF32(weight);
        return rows(be, x, x.dtype(), (in, out) -> {
            double ss = 0;
            for (int j = 0; j < d; j++) {
                ss += (double) in[j] * in[j];
            }
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int j = 0; j < d; j++) {
                out[j] = w == null ? in[j] * inv : in[j] * inv * w[j];
            }
        }, null);
    }

    /** out = (in - mean) / sqrt(var + eps), population variance, two-pass in double. */
    private static void normalize(float[] in, float[] out, float eps) {
        int d = in.length;
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += in[j];
        }
        double mean = s / d;
        double v = 0;
        for (int j = 0; j < d; j++) {
            double c = in[j] - mean;
            v += c * c;
        }
        double inv = 1.0 / Math.sqrt(v / d + eps);
        for (int j = 0; j < d; j++) {
            out[j] = (float) ((in[j] - mean) * inv);
        }
    }

    interface RowOp {
        void apply(float[] in, float[] out);
    }

    interface IndexedRowOp {
        void apply(long row, float[] in, float[] out);
    }

    /** Applies a per-row function over all rows of x in parallel, writing an outType tensor. */
    private static Tensor rows(CpuBackend be, Tensor x, DType outType, RowOp op, IndexedRowOp indexed) {
        int d = x.dim(-1);
        int n = CpuTensors.checkedInt(x.shape().rows(), "norm rows");
        Tensor out = be.zeros(outType, x.shape());
        MemorySegment dst = CpuTensors.segment(out);
        boolean heapOut = CpuTensors.isHeapF32(out);
        be.pool().forRange(n, Math.max(1, 16384 / Math.max(1, d)), (lo, hi) -> {
            float[] in = new float[d];
            float[] res = new float[d];
            for (int r = lo; r < hi; r++) {
                CpuTensors.readF32(x, (long) r * d, in, 0, d);
                if (op != null) {
                    op.apply(in, res);
                } else {
                    indexed.apply(r, in, res);
                }
                if (heapOut) {
                    System.arraycopy(res, 0, CpuTensors.array(out), CpuTensors.offset(out) + r * d, d);
                } else {
                    for (int j = 0; j < d; j++) {
                        CpuTensors.set(dst, outType, (long) r * d + j, res[j]);
                    }
                }
            }
        });
        return out;
    }
}
