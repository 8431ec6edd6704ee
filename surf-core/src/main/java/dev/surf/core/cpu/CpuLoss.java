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
}
