package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * linearGradInput (dy W) and linearGradWeight (dy^T x) against CpuLinearBackward: odd sizes that
 * leave partial 16 x 16 tiles in every dimension, rank-3 dy, and F32 / BF16 operands in every
 * combination (both backends read the same bits and accumulate in F32, so the tolerance is F32's).
 */
@Tag("gpu")
class LinearBackwardKernelTest extends CudaTestBase {
    /** {rows, out, in}. */
    private static final int[][] SHAPES = {{1, 1, 1}, {37, 19, 23}, {16, 16, 16}, {257, 130, 67}, {1000, 48, 33}, {5, 300, 2}};
    private static final DType[] TYPES = {DType.F32, DType.BF16};

    @Test
    void gradInputMatchesCpu() {
        for (int[] s : SHAPES) {
            for (DType dyType : TYPES) {
                for (DType wType : TYPES) {
                    try (Both dy = random(dyType, 1, s[0], s[1]); Both w = random(wType, 1, s[1], s[2]);
                         Tensor g = gpu.linearGradInput(dy.g(), w.g()); Tensor c = cpu.linearGradInput(dy.c(), w.c())) {
                        assertEquals(DType.F32, g.dtype());
                        assertEquals(c.shape(), g.shape());
                        assertMatches("dx " + java.util.Arrays.toString(s) + " " + dyType + "/" + wType, g, c);
                    }
                }
            }
        }
    }

    @Test
    void gradWeightMatchesCpu() {
        for (int[] s : SHAPES) {
            for (DType dyType : TYPES) {
                for (DType xType : TYPES) {
                    try (Both dy = random(dyType, 1, s[0], s[1]); Both x = random(xType, 1, s[0], s[2]);
                         Tensor g = gpu.linearGradWeight(dy.g(), x.g()); Tensor c = cpu.linearGradWeight(dy.c(), x.c())) {
                        assertEquals(Shape.of(s[1], s[2]), g.shape());
                        assertMatches("dW " + java.util.Arrays.toString(s) + " " + dyType + "/" + xType, g, c);
                    }
                }
            }
        }
    }

    @Test
    void rankThreeGradientsMatchCpu() {
        try (Both dy = random(DType.F32, 1, 3, 29, 40); Both w = random(DType.F32, 1, 40, 21);
             Both x = random(DType.BF16, 1, 3, 29, 21);
             Tensor gi = gpu.linearGradInput(dy.g(), w.g()); Tensor ci = cpu.linearGradInput(dy.c(), w.c());
             Tensor gw = gpu.linearGradWeight(dy.g(), x.g()); Tensor cw = cpu.linearGradWeight(dy.c(), x.c())) {
            assertEquals(Shape.of(3, 29, 21), gi.shape());
            assertMatches("dx rank 3", gi, ci);
            assertMatches("dW rank 3", gw, cw);
        }
    }
}
