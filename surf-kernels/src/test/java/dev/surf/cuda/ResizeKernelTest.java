package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Bilinear, area and nearest-exact resizing against CpuResize; F32 is bit-identical (double math, same order). */
@Tag("gpu")
class ResizeKernelTest extends CudaTestBase {

    @Test
    void everyModeUpAndDown() {
        int[][] cases = {{1, 1, 1, 1, 1}, {3, 7, 5, 14, 10}, {2, 30, 52, 15, 26}, {1, 60, 104, 17, 29}, {4, 5, 9, 11, 3},
            {1, 13, 13, 13, 13}};
        for (int[] cse : cases) {
            for (ResizeMode mode : ResizeMode.values()) {
                for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                    try (Both x = random(dt, 3, cse[0], 2, cse[1], cse[2]);
                         Tensor g = gpu.resize(x.g(), cse[3], cse[4], mode);
                         Tensor c = cpu.resize(x.c(), cse[3], cse[4], mode)) {
                        String what = "resize " + mode + " " + dt + " " + java.util.Arrays.toString(cse);
                        if (dt == DType.F32) {
                            assertSameBits(what, g, c);
                        } else {
                            assertMatches(what, g, c);
                        }
                    }
                }
            }
        }
    }
}
