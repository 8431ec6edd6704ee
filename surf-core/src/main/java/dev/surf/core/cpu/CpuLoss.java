package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/** Losses reduced to one F32 value, accumulated in double in element order (thread-count independent). */
final class CpuLoss {
    private CpuLoss() {
    }

    /** mean((a - target)^2): F32 [1]. */
    static Tensor mse(CpuBackend be, Tensor a, Tensor target) {
        BackwardChecks.mseLoss(a, target);
        float[] x = CpuTensors.f32View(a);
        float[] y = CpuTensors.f32View(target);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            s += d * d;
        }
        return be.wrap(new float[] {(float) (x.length == 0 ? 0 : s / x.length)}, Shape.of(1));
    }

    /** mean(|a - target|): F32 [1]. */
    static Tensor l1(CpuBackend be, Tensor a, Tensor target) {
        BackwardChecks.l1Loss(a, target);
        float[] x = CpuTensors.f32View(a);
        float[] y = CpuTensors.f32View(target);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.abs((double) x[i] - y[i]);
        }
        return be.wrap(new float[] {(float) (x.length == 0 ? 0 : s / x.length)}, Shape.of(1));
    }

    /** d mean(|a - target|) / da = sign(a - target) / n (0 where they are equal, as torch's sign). */
    static Tensor l1Grad(CpuBackend be, Tensor a, Tensor target) {
        BackwardChecks.l1Loss(a, target);
        float[] x = CpuTensors.f32View(a);
        float[] y = CpuTensors.f32View(target);
        float[] g = new float[x.length];
        float inv = 1f / x.length;
        for (int i = 0; i < x.length; i++) {
            g[i] = Math.signum(x[i] - y[i]) * inv;
        }
        return be.wrap(g, a.shape());
    }
}
