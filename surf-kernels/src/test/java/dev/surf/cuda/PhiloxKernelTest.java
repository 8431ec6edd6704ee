package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** fillNormal must give the CPU backend's bits exactly, for every dtype, length, seed and offset. */
@Tag("gpu")
class PhiloxKernelTest extends CudaTestBase {

    @Test
    void sameBitsAsTheCpu() {
        long[][] streams = {{0, 0}, {42, 0}, {rnd.nextLong(), rnd.nextLong()}, {-1L, 0x1_0000_0001L}, {0x1234_5678_9abcL, 7}};
        int[] lengths = {1, 3, 4, 5, 1023, 1_000_003};
        for (long[] st : streams) {
            for (int n : lengths) {
                for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                    try (Tensor g = gpu.empty(dt, Shape.of(n)); Tensor c = cpu.zeros(dt, Shape.of(n))) {
                        gpu.fillNormal(g, st[0], st[1]);
                        cpu.fillNormal(c, st[0], st[1]);
                        assertSameBits("philox " + dt + " n=" + n + " seed=" + st[0] + " offset=" + st[1], g, c);
                    }
                }
            }
        }
    }

    @Test
    void aViewIsFilledFromElementZeroOfTheStream() {
        try (Tensor g = gpu.zeros(DType.F32, Shape.of(10)); Tensor c = cpu.zeros(DType.F32, Shape.of(7))) {
            Tensor view = g.slice(3, 10);
            gpu.fillNormal(view, 9, 1);
            cpu.fillNormal(c, 9, 1);
            assertSameBits("philox into a view", view, c);
            assertEquals(0f, gpu.toFloats(g)[2]);
        }
    }
}
