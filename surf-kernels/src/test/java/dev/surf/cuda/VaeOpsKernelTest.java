package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Wan-VAE ops (conv3d, channelRmsNorm, clamp, narrow) against the CPU backend. All four compute
 * each element in the CPU's order with the CPU's roundings, so they are compared bit for bit; conv3d
 * here is the direct kernel (forced, whatever -Dsurf.cuda.conv says). The TF32 implicit-GEMM
 * conv3d and the tap-GEMM paths have their own tests in Conv3dGemmKernelTest.
 */
@Tag("gpu")
class VaeOpsKernelTest extends CudaTestBase {

    @Test
    void conv3dCausalAndSpatialPadding() {
        gpu.controls().setConvPath(ConvPath.DIRECT);
        try {
            conv3dBitExact();
        } finally {
            gpu.controls().setConvPath(ConvPath.AUTO);
        }
    }

    private void conv3dBitExact() {
        // {Cin, T, H, W, Cout, kt, kh, kw, padFront, padH, padW}
        int[][] cases = {
            {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, {3, 4, 7, 9, 5, 3, 3, 3, 2, 1, 1}, {4, 2, 5, 6, 3, 1, 3, 3, 0, 1, 1},
            {2, 5, 8, 3, 7, 3, 1, 1, 2, 0, 0}, {16, 3, 17, 33, 8, 3, 3, 3, 2, 1, 1}, {5, 1, 6, 6, 2, 1, 1, 1, 0, 0, 0},
            {3, 3, 4, 4, 2, 2, 2, 2, 1, 0, 0},
        };
        for (int[] c : cases) {
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                for (boolean bias : new boolean[] {true, false}) {
                    try (Both x = random(dt, 2, c[0], c[1], c[2], c[3]); Both w = random(dt, 0.5, c[4], c[0], c[5], c[6], c[7]);
                         Both b = bias ? random(DType.F32, 1, c[4]) : null;
                         Tensor g = gpu.conv3d(x.g(), w.g(), b == null ? null : b.g(), c[8], c[9], c[10]);
                         Tensor r = cpu.conv3d(x.c(), w.c(), b == null ? null : b.c(), c[8], c[9], c[10])) {
                        assertEquals(r.shape(), g.shape());
                        assertSameBits("conv3d " + dt + " bias " + bias + " " + java.util.Arrays.toString(c), g, r);
                    }
                }
            }
        }
        try (Both x = random(DType.F32, 1, 2, 1, 2, 2); Both w = random(DType.F32, 1, 1, 3, 1, 1, 1)) {
            assertThrows(IllegalArgumentException.class, () -> gpu.conv3d(x.g(), w.g(), null, 0, 0, 0));
        }
    }

    @Test
    void channelRmsNorm() {
        int[][] shapes = {{1, 1}, {3, 5, 7}, {96, 2, 9, 13}, {384, 37}};
        for (int[] s : shapes) {
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                try (Both x = random(dt, 3, s); Both gamma = random(DType.F32, 2, s[0], 1, 1);
                     Tensor g = gpu.channelRmsNorm(x.g(), gamma.g()); Tensor c = cpu.channelRmsNorm(x.c(), gamma.c())) {
                    assertSameBits("channelRmsNorm " + dt + " " + java.util.Arrays.toString(s), g, c);
                }
            }
        }
        try (Tensor z = gpu.zeros(DType.F32, dev.surf.core.Shape.of(4, 3)); Tensor cz = cpu.zeros(DType.F32, dev.surf.core.Shape.of(4, 3));
             Both gamma = random(DType.F32, 1, 4);
             Tensor g = gpu.channelRmsNorm(z, gamma.g()); Tensor c = cpu.channelRmsNorm(cz, gamma.c())) {
            assertSameBits("channelRmsNorm of zeros (the 1e-12 floor)", g, c);
        }
    }

    @Test
    void clampKeepsNaN() {
        float[] x = dev.surf.core.testing.Numerics.uniform(rnd, 1001, 3);
        x[0] = Float.NaN;
        x[1] = Float.NEGATIVE_INFINITY;
        for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            try (Both t = both(x, dt, 7, 143); Tensor g = gpu.clamp(t.g(), -1f, 1.5f); Tensor c = cpu.clamp(t.c(), -1f, 1.5f)) {
                assertSameBits("clamp " + dt, g, c);
            }
        }
        try (Both t = random(DType.F32, 1, 3)) {
            assertThrows(IllegalArgumentException.class, () -> gpu.clamp(t.g(), 1f, 0f));
        }
    }

    @Test
    void narrowEveryAxis() {
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            try (Both x = random(dt, 1, 3, 5, 4, 6)) {
                for (int axis = -4; axis < 4; axis++) {
                    int ax = axis < 0 ? axis + 4 : axis;
                    int size = x.g().dim(ax);
                    for (int[] range : new int[][] {{0, size}, {1, size - 1}, {size - 1, 1}, {0, 0}}) {
                        try (Tensor g = gpu.narrow(x.g(), axis, range[0], range[1]);
                             Tensor c = cpu.narrow(x.c(), axis, range[0], range[1])) {
                            assertEquals(c.shape(), g.shape());
                            assertSameBits("narrow " + dt + " axis " + axis + " " + java.util.Arrays.toString(range), g, c);
                        }
                    }
                }
                assertThrows(IllegalArgumentException.class, () -> gpu.narrow(x.g(), 1, 3, 3));
            }
        }
    }
}
