package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LayerNorm, adaLN and RMSNorm against CpuNorms (F32 statistics vs the CPU's double), through both
 * kernel families: BLOCK (one block per row) and WARP (one warp per row where it applies: the row
 * lengths 128, 1536 and 2048 here; the others fall back to BLOCK).
 */
@Tag("gpu")
class NormKernelTest extends CudaTestBase {
    /**
     * Row lengths: 1, primes, the warp kernels' smallest and largest (128, 2048) and the DiT width,
     * one 128-group past their limit (2176), and one past the shared-memory row cache (12288 floats).
     */
    private static final int[] DIMS = {1, 7, 64, 128, 257, 1536, 2048, 2176, 13001};
    private static final NormPath[] PATHS = {NormPath.BLOCK, NormPath.WARP};

    @AfterEach
    void resetPath() {
        if (gpu != null) {
            gpu.controls().setNormPath(NormPath.AUTO);
        }
    }

    private Both offsetRandom(DType dt, int rows, int d) {
        float[] x = Numerics.uniform(rnd, rows * d, 3);
        for (int i = 0; i < x.length; i++) {
            x[i] += 10;  // an offset makes a one-pass variance lose digits
        }
        return both(x, dt, rows, d);
    }

    @Test
    void layerNormWithAndWithoutAffine() {
        for (NormPath path : PATHS) {
            gpu.controls().setNormPath(path);
            layerNormWithAndWithoutAffine(path);
        }
    }

    private void layerNormWithAndWithoutAffine(NormPath path) {
        for (int d : DIMS) {
            for (DType xt : new DType[] {DType.F32, DType.BF16}) {
                for (DType out : new DType[] {DType.F32, DType.BF16}) {
                    int rows = d > 4000 ? 3 : 37;
                    try (Both x = offsetRandom(xt, rows, d); Both w = random(DType.F32, 1, d); Both b = random(DType.BF16, 1, d);
                         Tensor g = gpu.layerNorm(x.g(), w.g(), b.g(), 1e-6f, out);
                         Tensor c = cpu.layerNorm(x.c(), w.c(), b.c(), 1e-6f, out);
                         Tensor g0 = gpu.layerNorm(x.g(), null, null, 1e-6f, out);
                         Tensor c0 = cpu.layerNorm(x.c(), null, null, 1e-6f, out)) {
                        assertEquals(out, g.dtype());
                        assertMatches(path + " layerNorm " + xt + "->" + out + " d=" + d, g, c);
                        if (d > 1) {
                            assertMatches(path + " layerNorm plain " + xt + "->" + out + " d=" + d, g0, c0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void adaLnModulatePerBatchItem() {
        for (NormPath path : PATHS) {
            gpu.controls().setNormPath(path);
            adaLnModulatePerBatchItem(path);
        }
    }

    private void adaLnModulatePerBatchItem(NormPath path) {
        for (int d : new int[] {19, 1536}) {
            try (Both x = offsetRandom(DType.F32, 2 * 33, d); Both shift = random(DType.F32, 1, 2, d);
                 Both scale = random(DType.F32, 1, 2, d)) {
                Tensor gx = x.g().view(2, 33, d);
                Tensor cx = x.c().view(2, 33, d);
                for (DType out : new DType[] {DType.F32, DType.BF16}) {
                    try (Tensor g = gpu.layerNormModulate(gx, shift.g(), scale.g(), 1e-6f, out);
                         Tensor c = cpu.layerNormModulate(cx, shift.c(), scale.c(), 1e-6f, out)) {
                        assertMatches(path + " adaLN d=" + d + " -> " + out, g, c);
                    }
                }
            }
        }
        // rank 2: one batch item; BF16 shift/scale are converted
        try (Both x = random(DType.BF16, 2, 5, 64); Both shift = random(DType.BF16, 1, 64); Both scale = random(DType.BF16, 1, 64);
             Tensor g = gpu.layerNormModulate(x.g(), shift.g(), scale.g(), 1e-6f, DType.F32);
             Tensor c = cpu.layerNormModulate(x.c(), shift.c(), scale.c(), 1e-6f, DType.F32)) {
            assertMatches(path + " adaLN rank 2", g, c);
        }
        try (Both x = random(DType.F32, 1, 2, 3, 8); Both s = random(DType.F32, 1, 8)) {
            assertThrows(IllegalArgumentException.class, () -> gpu.layerNormModulate(x.g(), s.g(), s.g(), 1e-6f, DType.F32));
        }
    }

    @Test
    void rmsNorm() {
        for (NormPath path : PATHS) {
            gpu.controls().setNormPath(path);
            rmsNorm(path);
        }
    }

    private void rmsNorm(NormPath path) {
        for (int d : DIMS) {
            for (DType xt : new DType[] {DType.F32, DType.BF16}) {
                int rows = d > 4000 ? 3 : 29;
                try (Both x = random(xt, 5, rows, d); Both w = random(DType.F32, 2, d);
                     Tensor g = gpu.rmsNorm(x.g(), w.g(), 1e-6f); Tensor c = cpu.rmsNorm(x.c(), w.c(), 1e-6f);
                     Tensor g0 = gpu.rmsNorm(x.g(), null, 1e-5f); Tensor c0 = cpu.rmsNorm(x.c(), null, 1e-5f)) {
                    assertMatches(path + " rmsNorm " + xt + " d=" + d, g, c);
                    assertMatches(path + " rmsNorm plain " + xt + " d=" + d, g0, c0);
                }
            }
        }
    }

    /** A row start that is not 16-byte aligned sends WARP back to the block kernel (its loads are 16 bytes wide). */
    @Test
    void misalignedRowsFallBackToTheBlockKernel() {
        gpu.controls().setNormPath(NormPath.WARP);
        int rows = 9;
        int d = 1536;
        try (Both flat = random(DType.F32, 1, rows * d + 1)) {
            Tensor gx = flat.g().slice(1, rows * d + 1).view(rows, d);  // 4 bytes past an aligned address
            Tensor cx = flat.c().slice(1, rows * d + 1).view(rows, d);
            try (Tensor g = gpu.rmsNorm(gx, null, 1e-6f); Tensor c = cpu.rmsNorm(cx, null, 1e-6f);
                 Tensor gl = gpu.layerNorm(gx, null, null, 1e-6f, DType.BF16);
                 Tensor cl = cpu.layerNorm(cx, null, null, 1e-6f, DType.BF16)) {
                assertMatches("misaligned rmsNorm", g, c);
                assertMatches("misaligned layerNorm", gl, cl);
            }
        }
    }
}
