package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.surf.core.Shape;
import org.junit.jupiter.api.Test;

/**
 * Which permutations CudaCopy sends to the tiled transpose kernel, and as which [N, R, C] -> [N, C, R]
 * (runs without a GPU; the GPU test CopyKernelTest checks the kernel's bits against the CPU). The
 * expected triples are worked out by hand from the definition: output dims are the input dims in
 * the order of axes, so [N, R, C] -> [N, C, R] must list the same elements in that order.
 */
class TransposeDetectionTest {

    @Test
    void transposesAreFoundWithUnitAxesDroppedAndRunsMerged() {
        assertArrayEquals(new int[] {1, 4, 5}, CudaCopy.batchedTranspose(Shape.of(4, 5), new int[] {1, 0}));
        // the umT5 relative bias: [512 * 512, 64 heads] -> [64, 512 * 512]
        assertArrayEquals(new int[] {1, 262144, 64}, CudaCopy.batchedTranspose(Shape.of(262144, 64), new int[] {1, 0}));
        assertArrayEquals(new int[] {3, 100, 70}, CudaCopy.batchedTranspose(Shape.of(3, 100, 70), new int[] {0, 2, 1}));
        // [2, 3, 4, 5] -> [2, 5, 3, 4]: [2, 12, 5] -> [2, 5, 12]
        assertArrayEquals(new int[] {2, 12, 5}, CudaCopy.batchedTranspose(Shape.of(2, 3, 4, 5), new int[] {0, 3, 1, 2}));
        // [37, 1, 45] -> [45, 1, 37]: the unit axis does not matter
        assertArrayEquals(new int[] {1, 37, 45}, CudaCopy.batchedTranspose(Shape.of(37, 1, 45), new int[] {2, 1, 0}));
        // [2, 3, 4] -> [4, 2, 3]: [6, 4] -> [4, 6]
        assertArrayEquals(new int[] {1, 6, 4}, CudaCopy.batchedTranspose(Shape.of(2, 3, 4), new int[] {2, 0, 1}));
    }

    @Test
    void otherPermutationsAreLeftToTheGenericKernel() {
        assertNull(CudaCopy.batchedTranspose(Shape.of(2, 3, 4), new int[] {0, 1, 2}), "identity");
        assertNull(CudaCopy.batchedTranspose(Shape.of(2, 3, 4), new int[] {1, 0, 2}), "swap with an inner axis kept");
        assertNull(CudaCopy.batchedTranspose(Shape.of(2, 3, 4, 5), new int[] {3, 2, 1, 0}), "full reversal: four groups");
        assertNull(CudaCopy.batchedTranspose(Shape.of(1, 1), new int[] {1, 0}), "nothing but unit axes");
        assertNull(CudaCopy.batchedTranspose(Shape.of(70000, 3, 4), new int[] {0, 2, 1}), "batch past the grid's z limit");
    }
}
