package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Conv3dGradReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * conv3dGradInput and conv3dGradWeight against the double definition Conv3dGradReference, bit for
 * bit (both sum exact double products in the same order; the CPU backend accumulates in F32 and is
 * held to the same reference within a tolerance by CpuConvGradTest): causal time padding, spatial
 * padding, 1 x 1 x 1 and asymmetric kernels, odd sizes, F32 and BF16 operands.
 */
@Tag("gpu")
class ConvBackwardKernelTest extends CudaTestBase {
    // {Cin, T, H, W, Cout, kt, kh, kw, padFront, padH, padW}
    private static final int[][] CASES = {
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, {3, 4, 7, 9, 5, 3, 3, 3, 2, 1, 1}, {4, 2, 5, 6, 3, 1, 3, 3, 0, 1, 1},
        {2, 5, 8, 3, 7, 3, 1, 1, 2, 0, 0}, {16, 3, 17, 33, 8, 3, 3, 3, 2, 1, 1}, {3, 3, 4, 4, 2, 2, 2, 2, 1, 0, 0},
    };

    @Test
    void gradientsMatchTheDoubleDefinitionBitForBit() {
        for (int[] c : CASES) {
            int to = c[1] + c[8] - c[5] + 1;
            int ho = c[2] + 2 * c[9] - c[6] + 1;
            int wo = c[3] + 2 * c[10] - c[7] + 1;
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                String at = java.util.Arrays.toString(c) + " " + dt;
                try (Both x = random(dt, 2, c[0], c[1], c[2], c[3]); Both w = random(dt, 0.5, c[4], c[0], c[5], c[6], c[7]);
                     Both dy = random(DType.F32, 1, c[4], to, ho, wo);
                     Tensor gi = gpu.conv3dGradInput(dy.g(), w.g(), c[8], c[9], c[10]);
                     Tensor gw = gpu.conv3dGradWeight(dy.g(), x.g(), c[8], c[9], c[10])) {
                    assertEquals(Shape.of(c[0], c[1], c[2], c[3]), gi.shape());
                    assertEquals(Shape.of(c[4], c[0], c[5], c[6], c[7]), gw.shape());
                    assertArrayEquals(Conv3dGradReference.gradInput(cpu, dy.c(), w.c(), c[8], c[9], c[10]),
                            gpu.toFloats(gi), "conv3dGradInput " + at);
                    assertArrayEquals(Conv3dGradReference.gradWeight(cpu, dy.c(), x.c(), c[8], c[9], c[10]),
                            gpu.toFloats(gw), "conv3dGradWeight " + at);
                }
            }
        }
    }
}
