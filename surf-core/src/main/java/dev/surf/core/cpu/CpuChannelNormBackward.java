package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Tensor;

/**
 * Input gradient of the Wan-VAE channel RMS norm y = s gamma x / n (s = sqrt(C), n = ||x[:, p]||
 * bounded below by 1e-12): with g = dy * gamma, dx = s / n (g - x (x.g) / n^2) where the bound is
 * not active, and s g / 1e-12 where it is (then n is a constant). Per position in double.
 */
final class CpuChannelNormBackward {
    private static final double EPS = 1e-12;

    private CpuChannelNormBackward() {
    }

    static Tensor backward(CpuBackend be, Tensor x, Tensor gamma, Tensor dy) {
        BackwardChecks.channelRmsNormBackward(x, gamma, dy);
        int c = x.dim(0);
        int n = CpuTensors.checkedInt(x.numel() / Math.max(1, c), "channelRmsNormBackward positions");
        float[] gm = CpuTensors.toF32(gamma);
        float[] xa = CpuTensors.f32View(x);
        float[] ga = CpuTensors.f32View(dy);
        float[] dx = new float[xa.length];
        double s = (float) Math.sqrt(c);
        be.pool().forRange(n, 256, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                double ss = 0;
                double xg = 0;
                for (int ch = 0; ch < c; ch++) {
                    double v = xa[ch * n + p];
                    ss += v * v;
                    xg += v * ga[ch * n + p] * gm[ch];
                }
                double norm = Math.sqrt(ss);
                boolean bounded = norm <= EPS;
                double nn = bounded ? EPS : norm;
                for (int ch = 0; ch < c; ch++) {
                    double g = (double) ga[ch * n + p] * gm[ch];
                    double v = xa[ch * n + p];
                    dx[ch * n + p] = (float) (bounded ? s * g / nn : s / nn * (g - v * xg / (nn * nn)));
                }
            }
        });
        return be.wrap(dx, x.shape());
    }
}
