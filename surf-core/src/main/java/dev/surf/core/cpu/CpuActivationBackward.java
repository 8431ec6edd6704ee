package dev.surf.core.cpu;

import dev.surf.core.Activation;
import dev.surf.core.BackwardChecks;
import dev.surf.core.Tensor;

/** dx = dy * act'(x), the derivative evaluated in double ({@link Activation#derivative}). */
final class CpuActivationBackward {
    private CpuActivationBackward() {
    }

    static Tensor activationBackward(CpuBackend be, Tensor x, Tensor dy, Activation act) {
        BackwardChecks.activationBackward(x, dy, act);
        float[] xa = CpuTensors.f32View(x);
        float[] g = CpuTensors.f32View(dy);
        float[] dx = new float[xa.length];
        be.pool().forRange(dx.length, 1 << 14, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                dx[i] = (float) (g[i] * act.derivative(xa[i]));
            }
        });
        return be.wrap(dx, x.shape());
    }
}
