package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * activationBackward (every Activation), mseLoss, l1Loss, l1LossGrad and sumLeading against the CPU
 * backend's gradient ops, on F32 and BF16 inputs, with sizes that leave partial blocks and warps.
 */
@Tag("gpu")
class ElementwiseBackwardKernelTest extends CudaTestBase {
    private static final int[] SIZES = {1, 31, 1025, 100_003};
    private static final DType[] TYPES = {DType.F32, DType.BF16};

    @Test
    void activationBackwardMatchesCpu() {
        for (Activation act : Activation.values()) {
            for (DType dt : TYPES) {
                for (int n : SIZES) {
                    try (Both x = random(dt, 4, n); Both dy = random(DType.F32, 1, n);
                         Tensor g = gpu.activationBackward(x.g(), dy.g(), act);
                         Tensor c = cpu.activationBackward(x.c(), dy.c(), act)) {
                        assertEquals(DType.F32, g.dtype());
                        assertMatches(act + " " + dt + " n=" + n, g, c);
                    }
                }
            }
        }
    }

    @Test
    void lossesMatchCpu() {
        for (DType dt : TYPES) {
            for (int n : SIZES) {
                try (Both a = random(dt, 2, n); Both t = random(DType.F32, 2, n);
                     Tensor gm = gpu.mseLoss(a.g(), t.g()); Tensor cm = cpu.mseLoss(a.c(), t.c());
                     Tensor gl = gpu.l1Loss(a.g(), t.g()); Tensor cl = cpu.l1Loss(a.c(), t.c())) {
                    assertEquals(Shape.of(1), gm.shape());
                    assertMatches("mse " + dt + " n=" + n, gm, cm);
                    assertMatches("l1 " + dt + " n=" + n, gl, cl);
                }
            }
        }
    }

    @Test
    void l1GradientIsZeroWhereEqual() {
        int n = 4099;
        float[] a = Numerics.uniform(rnd, n, 2);
        float[] t = Numerics.uniform(rnd, n, 2);
        for (int i = 0; i < n; i += 3) {
            t[i] = a[i];  // sign(0) = 0: a third of the gradient must be exactly zero
        }
        try (Both ga = both(a, DType.F32, n); Both gt = both(t, DType.F32, n);
             Tensor g = gpu.l1LossGrad(ga.g(), gt.g()); Tensor c = cpu.l1LossGrad(ga.c(), gt.c())) {
            assertSameBits("l1LossGrad", g, c);
        }
    }

    @Test
    void sumLeadingMatchesCpu() {
        int[][] shapes = {{7, 5, 3}, {1, 1}, {300, 257}, {2, 3, 4, 1030}};
        for (int[] dims : shapes) {
            for (int keep = 0; keep <= dims.length; keep++) {
                Shape suffix = Shape.of(java.util.Arrays.copyOfRange(dims, dims.length - keep, dims.length));
                for (DType dt : TYPES) {
                    try (Both x = random(dt, 1, dims); Tensor g = gpu.sumLeading(x.g(), suffix);
                         Tensor c = cpu.sumLeading(x.c(), suffix)) {
                        assertEquals(suffix, g.shape());
                        assertMatches("sumLeading " + java.util.Arrays.toString(dims) + " -> " + suffix + " " + dt, g, c);
                    }
                }
            }
        }
    }
}
