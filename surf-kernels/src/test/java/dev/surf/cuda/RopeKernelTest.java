package dev.surf.cuda;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Interleaved-pair rotary embedding against CpuRope; F32 is bit-identical (same rounding, no FMA). */
@Tag("gpu")
class RopeKernelTest extends CudaTestBase {

    private Both table(int l, int half, boolean cos, float[] angles) {
        float[] t = new float[l * half];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) (cos ? Math.cos(angles[i]) : Math.sin(angles[i]));
        }
        return both(t, DType.F32, l, half);
    }

    @Test
    void rotatesInterleavedPairs() {
        int[][] shapes = {{1, 1, 1, 2}, {2, 5, 3, 8}, {1, 37, 12, 128}, {2, 33, 2, 64}};
        for (int[] s : shapes) {
            int l = s[1];
            int half = s[3] / 2;
            float[] ang = Numerics.uniform(rnd, l * half, 40);
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                try (Both x = random(dt, 2, s); Both c = table(l, half, true, ang); Both sn = table(l, half, false, ang);
                     Tensor g = gpu.rope(x.g(), c.g(), sn.g()); Tensor r = cpu.rope(x.c(), c.c(), sn.c())) {
                    String what = "rope " + dt + " " + java.util.Arrays.toString(s);
                    if (dt == DType.F32) {
                        assertSameBits(what, g, r);
                    } else {
                        assertMatches(what, g, r);
                    }
                }
            }
        }
    }
}
