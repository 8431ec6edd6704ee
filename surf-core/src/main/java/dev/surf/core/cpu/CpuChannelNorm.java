package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Tensor;

/**
 * The Wan-VAE's channel RMS norm: every position of a [C, ...] tensor normalised over its C
 * channels, y = x / max(||x||, 1e-12) * sqrt(C) * gamma. Positions are independent, so work is split
 * over blocks of positions; within a block the squares are summed channel by channel (contiguous
 * memory) into per-position double accumulators, the same order for any thread count.
 */
final class CpuChannelNorm {
    /** torch's F.normalize default eps: a lower bound on the norm. */
    private static final double EPS = 1e-12;
    private static final int BLOCK = 1024;

    private CpuChannelNorm() {
    }

    static Tensor channelRmsNorm(CpuBackend be, Tensor x, Tensor gamma) {
        OpChecks.channelRmsNorm(x, gamma);
        int c = x.dim(0);
        int n = CpuTensors.checkedInt(x.numel() / Math.max(1, c), "channelRmsNorm positions");
        float[] g = CpuTensors.toF32(gamma);
        float[] in = CpuTensors.f32View(x);
        int inOff = in == CpuTensors.storage(x).floats ? CpuTensors.offset(x) : 0;
        float[] out = new float[CpuTensors.checkedInt(x.numel(), "channelRmsNorm")];
        // torch multiplies by the Python float C**0.5, rounded to F32 when applied to an F32 tensor
        float scale = (float) Math.sqrt(c);
        int blocks = (n + BLOCK - 1) / BLOCK;
        be.pool().forRange(blocks, 1, (lo, hi) -> {
            double[] ss = new double[BLOCK];
            float[] inv = new float[BLOCK];
            for (int blk = lo; blk < hi; blk++) {
                int p0 = blk * BLOCK;
                int len = Math.min(BLOCK, n - p0);
                java.util.Arrays.fill(ss, 0, len, 0.0);
                for (int ch = 0; ch < c; ch++) {
                    int base = inOff + ch * n + p0;
                    for (int p = 0; p < len; p++) {
                        double v = in[base + p];
                        ss[p] += v * v;
                    }
                }
                for (int p = 0; p < len; p++) {
                    inv[p] = (float) Math.max(Math.sqrt(ss[p]), EPS);
                }
                for (int ch = 0; ch < c; ch++) {
                    int base = inOff + ch * n + p0;
                    int ob = ch * n + p0;
                    float gc = g[ch];
                    for (int p = 0; p < len; p++) {
                        out[ob + p] = in[base + p] / inv[p] * scale * gc;
                    }
                }
            }
        });
        Tensor res = be.wrap(out, x.shape());
        if (x.dtype() == DType.F32) {
            return res;
        }
        try (res) {
            return be.convert(res, x.dtype());
        }
    }
}
