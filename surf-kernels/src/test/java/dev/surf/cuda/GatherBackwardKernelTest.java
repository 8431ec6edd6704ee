package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * embeddingBackward (repeated ids, ids that never occur: bit for bit, both add in position order in
 * F32) and resizeBackward (every mode, up- and downsampling, odd and non-integer ratios) against
 * CpuEmbeddingBackward / CpuResizeBackward.
 */
@Tag("gpu")
class GatherBackwardKernelTest extends CudaTestBase {

    @Test
    void embeddingBackwardMatchesCpuBitForBit() {
        int vocab = 301;
        int[][] idSets = {{0}, {5, 5, 5, 300, 0, 5, 17}, rnd.ints(513, 0, vocab).toArray()};
        for (int[] ids : idSets) {
            for (int dim : new int[] {1, 33, 1536}) {
                for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                    try (Both dy = random(dt, 1, ids.length, dim);
                         Tensor g = gpu.embeddingBackward(dy.g(), ids, vocab); Tensor c = cpu.embeddingBackward(dy.c(), ids, vocab)) {
                        assertEquals(Shape.of(vocab, dim), g.shape());
                        assertSameBits("embeddingBackward " + ids.length + " ids dim " + dim + " " + dt, g, c);
                    }
                }
            }
        }
    }

    @Test
    void resizeBackwardMatchesCpu() {
        // {planes, inH, inW, outH, outW}: identity, 2x up, down by 2 and by non-integers, mixed, to 1 x 1
        int[][] cases = {{1, 1, 1, 1, 1}, {3, 7, 5, 14, 10}, {2, 30, 52, 15, 26}, {1, 17, 29, 60, 104}, {4, 5, 9, 11, 3},
                         {2, 9, 13, 9, 13}, {1, 8, 8, 1, 1}, {1, 1, 1, 6, 5}};
        for (int[] c : cases) {
            for (ResizeMode mode : ResizeMode.values()) {
                for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                    try (Both dy = random(dt, 1, c[0], c[3], c[4]);
                         Tensor g = gpu.resizeBackward(dy.g(), c[1], c[2], mode);
                         Tensor r = cpu.resizeBackward(dy.c(), c[1], c[2], mode)) {
                        assertEquals(Shape.of(c[0], c[1], c[2]), g.shape());
                        assertMatches("resizeBackward " + java.util.Arrays.toString(c) + " " + mode + " " + dt, g, r);
                    }
                }
            }
        }
    }
}
