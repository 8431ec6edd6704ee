package dev.surf.bench.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surf.core.Backend;
import dev.surf.core.Backends;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Numerics;
import dev.surf.cuda.CudaBackend;
import dev.surf.cuda.CudaBackendProvider;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The lab's tap-GEMM conv3d on the CUDA backend's GEMM and copy kernels, against the CPU backend's
 * conv3d and the official Wan-VAE decoder (the tests the TAPS conv paths had in Conv3dGemmKernelTest and
 * WanVaeCudaConformanceTest before they left the backend's dispatch). F32 operands within 1e-5 (the SIMT
 * GEMM: summation order only), BF16 operands within 1e-2 (bf16 rounding of x and W, F32 accumulation),
 * split BF16 operands within 5e-5 (3 x 2^-18 per product, as in TapGemmConv3dTest); the decoder
 * ({@link TapConvDecodeCases}) within the CPU's bounds. Fresh random inputs each run (-Dsurf.test.seed=N fixes them); the CUDA
 * backend synchronises after every launch and poisons its allocations.
 */
@Tag("gpu")
class TapGemmConv3dGpuTest extends TapConvDecodeCases {
    private static CudaBackend gpu;
    private static CpuBackend cpu;
    private static long seed;
    private final SplittableRandom rnd = new SplittableRandom(seed);

    /** {Cin, T, H, W, Cout, kt, kh, kw, padFront, padH, padW}: the VAE's kernels and widths, and odd sizes. */
    private static final int[][] CASES = {
        {16, 1, 9, 13, 384, 3, 3, 3, 2, 1, 1},
        {384, 3, 7, 9, 384, 3, 3, 3, 0, 1, 1},
        {192, 2, 10, 11, 384, 1, 1, 1, 0, 0, 0},
        {384, 2, 6, 7, 768, 3, 1, 1, 2, 0, 0},
        {384, 2, 12, 14, 192, 1, 3, 3, 0, 1, 1},
        {96, 2, 15, 17, 3, 3, 3, 3, 2, 1, 1},
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
        {5, 6, 3, 4, 97, 3, 3, 3, 2, 1, 1},
        {5, 1, 3, 3, 2, 3, 2, 2, 4, 0, 0},
        {7, 2, 9, 10, 11, 2, 2, 4, 1, 0, 2},
        {3, 3, 4, 4, 2, 2, 2, 2, 1, 0, 0},
    };

    @BeforeAll
    static void open() {
        String why = new CudaBackendProvider().unavailableReason();
        Assumptions.assumeTrue(why == null, "CUDA tests skipped: " + why);
        seed = Long.getLong("surf.test.seed", System.nanoTime());
        gpu = (CudaBackend) Backends.open("cuda");
        gpu.controls().setSyncAfterLaunch(true);
        gpu.controls().setPoisonAllocations(true);
        cpu = new CpuBackend();
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
        if (cpu != null) {
            cpu.close();
        }
    }

    private static Tensor[] both(float[] data, int... dims) {
        return new Tensor[] {gpu.fromFloats(data, Shape.of(dims)), cpu.fromFloats(data, Shape.of(dims))};
    }

    @Test
    void everyOperandTypeMatchesTheCpuConvolution() {
        int i = 0;
        for (int[] c : CASES) {
            boolean bias = i++ % 2 == 0;
            Tensor[] x = both(Numerics.uniform(rnd, c[0] * c[1] * c[2] * c[3], 2), c[0], c[1], c[2], c[3]);
            Tensor[] w = both(Numerics.uniform(rnd, c[4] * c[0] * c[5] * c[6] * c[7], 1.0 / Math.sqrt(c[0] * c[5] * c[6] * c[7])),
                    c[4], c[0], c[5], c[6], c[7]);
            Tensor[] b = bias ? both(Numerics.uniform(rnd, c[4], 1), c[4]) : new Tensor[2];
            try (Tensor ref = cpu.conv3d(x[1], w[1], b[1], c[8], c[9], c[10])) {
                for (String operands : new String[] {"taps", "taps-bf16", "taps-bf16x3"}) {
                    double tol = switch (operands) {
                        case "taps" -> 1e-5;
                        case "taps-bf16" -> 1e-2;
                        default -> 5e-5;
                    };
                    try (Tensor g = TapGemmConv3d.conv3d(gpu, x[0], w[0], b[0], c[8], c[9], c[10],
                            TapConvBackend.operands(operands, DType.F32))) {
                        assertEquals(ref.shape(), g.shape());
                        assertEquals(DType.F32, g.dtype());
                        Numerics.assertClose("tap GEMMs (" + operands + ") " + Arrays.toString(c) + " bias " + bias
                                + " [seed " + seed + "]", gpu.toFloats(g), cpu.toFloats(ref), tol);
                    }
                }
            } finally {
                for (Tensor[] t : new Tensor[][] {x, w, b}) {
                    for (Tensor u : t) {
                        if (u != null) {
                            u.close();
                        }
                    }
                }
            }
        }
    }

    @Override
    Backend backend() {
        return gpu;
    }
}
