package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Tensor;

/**
 * Input gradients of LayerNorm, adaLN and RMSNorm, one row at a time in double (the forward's
 * statistics are recomputed from x, as cheap as reading saved ones on the CPU). With xhat the
 * normalised row, inv its 1/sqrt(var + eps) and g = dy * gain:
 * LayerNorm dx = inv (g - mean(g) - xhat mean(g xhat)); RMSNorm dx = inv (g - xhat mean(g xhat)).
 */
final class CpuNormBackward {
    private CpuNormBackward() {
    }

    static Tensor layerNorm(CpuBackend be, Tensor x, Tensor weight, float eps, Tensor dy) {
        BackwardChecks.layerNormBackward(x, weight, dy);
        float[] w = weight == null ? null : CpuTensors.toF32(weight);
        return rows(be, x, dy, true, eps, w, 0);
    }

    static Tensor layerNormModulate(CpuBackend be, Tensor x, Tensor scale, float eps, Tensor dy) {
        BackwardChecks.layerNormModulateBackward(x, scale, dy);
        float[] gain = CpuTensors.toF32(scale);
        for (int i = 0; i < gain.length; i++) {
            gain[i] += 1f;
        }
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        return rows(be, x, dy, true, eps, gain, x.shape().rows() / batch);
    }

    static Tensor rmsNorm(CpuBackend be, Tensor x, Tensor weight, float eps, Tensor dy) {
        BackwardChecks.rmsNormBackward(x, weight, dy);
        float[] w = weight == null ? null : CpuTensors.toF32(weight);
        return rows(be, x, dy, false, eps, w, 0);
    }

    /**
     * dx for every row; gain null (1), one row of D, or (rowsPerGain > 0) one row of D per
     * rowsPerGain rows (the batch item's modulation).
     */
    private static Tensor rows(CpuBackend be, Tensor x, Tensor dy, boolean centre, float eps, float[] gain,
                               long rowsPerGain) {
        int d = x.dim(-1);
        int n = CpuTensors.checkedInt(x.shape().rows(), "norm backward rows");
        float[] xa = CpuTensors.f32View(x);
        float[] ga = CpuTensors.f32View(dy);
        float[] dx = new float[xa.length];
        be.pool().forRange(n, Math.max(1, 8192 / Math.max(1, d)), (lo, hi) -> {
            double[] xh = new double[d];
            double[] g = new double[d];
            for (int r = lo; r < hi; r++) {
                int o = r * d;
                double mean = 0;
                if (centre) {
                    for (int j = 0; j < d; j++) {
                        mean += xa[o + j];
                    }
                    mean /= d;
                }
                double ss = 0;
                for (int j = 0; j < d; j++) {
                    double c = xa[o + j] - mean;
                    ss += c * c;
                }
                double inv = 1.0 / Math.sqrt(ss / d + eps);
                int go = rowsPerGain > 0 ? (int) (r / rowsPerGain) * d : 0;
                double mg = 0;
                double mgx = 0;
                for (int j = 0; j < d; j++) {
                    xh[j] = (xa[o + j] - mean) * inv;
                    g[j] = gain == null ? ga[o + j] : (double) ga[o + j] * gain[go + j];
                    mg += g[j];
                    mgx += g[j] * xh[j];
                }
                mg = centre ? mg / d : 0;
                mgx /= d;
                for (int j = 0; j < d; j++) {
                    dx[o + j] = (float) (inv * (g[j] - mg - xh[j] * mgx));
                }
            }
        });
        return be.wrap(dx, x.shape());
    }
}
