package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The two products of a linear layer's backward on {@link CpuMatmul}: dx = dy W (neither operand
 * transposed) and dW = dy^T x (A transposed). Each output element is one FMA chain over the
 * reduction, so the result does not depend on the thread count.
 */
final class CpuLinearBackward {
    private CpuLinearBackward() {
    }

    /** dx [..., in] = dy [..., out] W [out, in]. */
    static Tensor gradInput(CpuBackend be, Tensor dy, Tensor w) {
        BackwardChecks.linearGradInput(dy, w);
        int out = w.dim(0);
        int in = w.dim(1);
        int m = CpuTensors.checkedInt(dy.shape().rows(), "linearGradInput rows");
        float[] g = CpuTensors.f32View(dy);
        float[] wa = CpuTensors.f32View(w);
        float[] dx = new float[CpuTensors.checkedInt((long) m * in, "linearGradInput output")];
        CpuMatmul.gemm(be.pool(), false, false, m, in, out, g, 0, out, wa, 0, in, dx, 0, in, false);
        return be.wrap(dx, dy.shape().with(-1, in));
    }

    /** dW [out, in] = dy^T x over all rows. */
    static Tensor gradWeight(CpuBackend be, Tensor dy, Tensor x) {
        BackwardChecks.linearGradWeight(dy, x);
        int out = dy.dim(-1);
        int in = x.dim(-1);
        int m = CpuTensors.checkedInt(dy.shape().rows(), "linearGradWeight rows");
        float[] g = CpuTensors.f32View(dy);
        float[] xa = CpuTensors.f32View(x);
        float[] dw = new float[CpuTensors.checkedInt((long) out * in, "linearGradWeight output")];
        CpuMatmul.gemm(be.pool(), true, false, out, in, m, g, 0, out, xa, 0, in, dw, 0, in, false);
        return be.wrap(dw, Shape.of(out, in));
    }
}
