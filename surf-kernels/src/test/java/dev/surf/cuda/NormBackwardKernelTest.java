package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * layerNormBackward, layerNormModulateBackward, rmsNormBackward and channelRmsNormBackward against
 * CpuNormBackward / CpuChannelNormBackward (F32 statistics on the device vs the CPU's double), with
 * row lengths from 1 to past a block's stride, offset inputs (a one-pass variance would lose digits),
 * and channel-norm positions of zeros (the 1e-12 bound).
 */
@Tag("gpu")
class NormBackwardKernelTest extends CudaTestBase {
    private static final int[] DIMS = {1, 7, 64, 257, 1536, 13001};
    private static final DType[] TYPES = {DType.F32, DType.BF16};

    private Both offsetRandom(DType dt, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] x = Numerics.uniform(rnd, n, 3);
        for (int i = 0; i < x.length; i++) {
            x[i] += 5;
        }
        return both(x, dt, dims);
    }

    @Test
    void layerNormAndRmsNormMatchCpu() {
        for (int d : DIMS) {
            int rows = d > 4000 ? 3 : 37;
            for (DType dt : TYPES) {
                try (Both x = offsetRandom(dt, rows, d); Both dy = random(DType.F32, 1, rows, d); Both w = random(dt, 1.5, d);
                     Tensor gl = gpu.layerNormBackward(x.g(), w.g(), 1e-6f, dy.g());
                     Tensor cl = cpu.layerNormBackward(x.c(), w.c(), 1e-6f, dy.c());
                     Tensor gl0 = gpu.layerNormBackward(x.g(), null, 1e-5f, dy.g());
                     Tensor cl0 = cpu.layerNormBackward(x.c(), null, 1e-5f, dy.c());
                     Tensor gr = gpu.rmsNormBackward(x.g(), w.g(), 1e-6f, dy.g());
                     Tensor cr = cpu.rmsNormBackward(x.c(), w.c(), 1e-6f, dy.c());
                     Tensor gr0 = gpu.rmsNormBackward(x.g(), null, 1e-6f, dy.g());
                     Tensor cr0 = cpu.rmsNormBackward(x.c(), null, 1e-6f, dy.c())) {
                    assertEquals(DType.F32, gl.dtype());
                    String at = " d=" + d + " " + dt;
                    assertMatches("layerNormBackward" + at, gl, cl);
                    assertMatches("layerNormBackward no weight" + at, gl0, cl0);
                    assertMatches("rmsNormBackward" + at, gr, cr);
                    assertMatches("rmsNormBackward no weight" + at, gr0, cr0);
                }
            }
        }
    }

    @Test
    void layerNormModulateMatchesCpuPerBatchItem() {
        for (int d : new int[] {5, 257, 1536}) {
            for (DType dt : TYPES) {
                for (DType scaleType : TYPES) {
                    try (Both x = offsetRandom(dt, 3, 11, d); Both dy = random(DType.F32, 1, 3, 11, d);
                         Both scale = random(scaleType, 0.5, 3, 1, d);
                         Tensor g = gpu.layerNormModulateBackward(x.g(), scale.g(), 1e-6f, dy.g());
                         Tensor c = cpu.layerNormModulateBackward(x.c(), scale.c(), 1e-6f, dy.c())) {
                        assertMatches("layerNormModulateBackward d=" + d + " " + dt + "/" + scaleType, g, c);
                    }
                }
            }
        }
    }

    @Test
    void channelRmsNormMatchesCpu() {
        int[][] shapes = {{1, 5}, {3, 4, 7, 9}, {96, 2, 5, 6}};
        for (int[] dims : shapes) {
            for (DType dt : TYPES) {
                try (Both x = random(dt, 2, dims); Both dy = random(DType.F32, 1, dims); Both gamma = random(DType.F32, 1.5, dims[0]);
                     Tensor g = gpu.channelRmsNormBackward(x.g(), gamma.g(), dy.g());
                     Tensor c = cpu.channelRmsNormBackward(x.c(), gamma.c(), dy.c())) {
                    assertMatches("channelRmsNormBackward " + java.util.Arrays.toString(dims) + " " + dt, g, c);
                }
            }
        }
    }

    /** Zero positions (the 1e-12 bound active) on their own: their 1e12-sized gradients would hide the rest. */
    @Test
    void channelRmsNormAtZeroPositionsMatchesCpu() {
        try (Both x = both(new float[4 * 6], DType.F32, 4, 6); Both dy = random(DType.F32, 1, 4, 6);
             Both gamma = random(DType.F32, 1.5, 4);
             Tensor g = gpu.channelRmsNormBackward(x.g(), gamma.g(), dy.g());
             Tensor c = cpu.channelRmsNormBackward(x.c(), gamma.c(), dy.c())) {
            assertMatches("channelRmsNormBackward at zeros", g, c);
        }
    }
}
