package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Activation;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** linear and linearResidual on the tensor-core and SIMT kernels against CpuGemm. */
@Tag("gpu")
class GemmKernelTest extends CudaTestBase {
    /** {M, K, N}: ones, primes, tile tails (128/64) and K tails inside a 32-wide slice. */
    private static final int[][] SHAPES = {
        {1, 8, 1}, {3, 16, 7}, {8, 24, 33}, {9, 40, 5}, {17, 8, 130}, {127, 136, 129},
        {131, 264, 255}, {300, 512, 520}, {257, 1536, 72}, {64, 96, 2048},
    };

    @AfterEach
    void resetPath() {
        if (gpu != null) {
            gpu.controls().setGemmPath(GemmPath.AUTO);
        }
    }

    private void checkLinear(String path, DType xt, DType wt, DType bt, int m, int k, int n, Activation act) {
        try (Both x = random(xt, 1.0, m, k); Both w = random(wt, 1.0 / Math.sqrt(k), n, k);
             Both b = bt == null ? null : random(bt, 0.5, n)) {
            String what = path + " linear " + xt + "x" + wt + " bias " + bt + " " + act + " M=" + m + " K=" + k + " N=" + n;
            try (Tensor g = gpu.linear(x.g(), w.g(), b == null ? null : b.g(), act);
                 Tensor c = cpu.linear(x.c(), w.c(), b == null ? null : b.c(), act)) {
                assertEquals(c.shape(), g.shape());
                assertEquals(xt, g.dtype());
                assertMatches(what, g, c);
            }
        }
    }

    private void tensorCores(GemmPath path) {
        gpu.controls().setGemmPath(path);
        Activation[] acts = Activation.values();
        for (int i = 0; i < SHAPES.length; i++) {
            int[] s = SHAPES[i];
            DType bias = i % 3 == 0 ? null : (i % 3 == 1 ? DType.F32 : DType.BF16);
            checkLinear(path.name(), DType.BF16, DType.BF16, bias, s[0], s[1], s[2], acts[i % acts.length]);
        }
        // several K slices and both tile tails at once
        checkLinear(path.name(), DType.BF16, DType.BF16, DType.F32, 389, 1000, 517, Activation.SILU);
    }

    @Test
    void mmaSyncMatchesCpu() {
        tensorCores(GemmPath.MMA);
    }

    @Test
    void wgmmaMatchesCpu() {
        Assumptions.assumeTrue(gpu.controls().caps().hasWgmma(), "wgmma needs compute capability 9.0; this is " + gpu.controls().caps().computeCapability());
        tensorCores(GemmPath.WGMMA);
    }

    /**
     * The persistent TMA + wgmma kernels (cuda/gemm_persistent.cu, both schedules), forced whatever
     * -Dsurf.cuda.gemmPersistent says: the shape list, then DiT widths with M tails and shapes with more
     * tiles than SMs, so that blocks walk several tiles (ring phases carried across tiles; for the
     * ping-pong schedule, both consumer warpgroups several times and an odd tile count per block).
     */
    @Test
    void persistentMatchesCpu() {
        persistentMatchesCpu(GemmPath.PERSISTENT);
    }

    @Test
    void pingpongMatchesCpu() {
        persistentMatchesCpu(GemmPath.PINGPONG);
    }

    private void persistentMatchesCpu(GemmPath path) {
        Assumptions.assumeTrue(gpu.controls().caps().hasGemmPersistent(), "the persistent GEMMs need compute capability 9.0; this is "
                + gpu.controls().caps().computeCapability());
        tensorCores(path);
        String p = path.name().toLowerCase(java.util.Locale.ROOT);
        checkLinear(p, DType.BF16, DType.BF16, DType.F32, 1000, 1536, 1536, Activation.NONE);
        checkLinear(p, DType.BF16, DType.BF16, DType.F32, 300, 1536, 8960, Activation.GELU_TANH);
        checkLinear(p, DType.BF16, DType.BF16, DType.BF16, 260, 8960, 1536, Activation.NONE);
        int bn = path == GemmPath.PINGPONG ? 128 : 256;
        int tiles = ((4200 + 127) / 128) * ((1536 + bn - 1) / bn);
        checkLinear(p + " (" + tiles + " tiles on " + gpu.controls().caps().multiprocessors() + " SMs)", DType.BF16, DType.BF16, DType.F32,
                4200, 256, 1536, Activation.SILU);
        // 17 K slices (the last one 40 wide): with a 4- or 6-stage ring each tile's first slice lands in a
        // different stage and the parity flips mid-tile, which K = 1000 (16 slices) would not exercise
        checkLinear(p + " K tail, N tail", DType.BF16, DType.BF16, null, 4099, 1064, 1800, Activation.NONE);
    }

    @Test
    void simtMatchesCpuForEveryDtypeMix() {
        gpu.controls().setGemmPath(GemmPath.SIMT);
        DType[][] mixes = {
            {DType.F32, DType.F32}, {DType.BF16, DType.BF16}, {DType.F16, DType.F16}, {DType.F32, DType.BF16},
            {DType.BF16, DType.F32},
        };
        Activation[] acts = Activation.values();
        for (int i = 0; i < SHAPES.length; i++) {
            int[] s = SHAPES[i];
            DType[] mix = mixes[i % mixes.length];
            checkLinear("simt", mix[0], mix[1], i % 2 == 0 ? DType.F32 : null, s[0], s[1], s[2], acts[(i + 1) % acts.length]);
        }
        // K not a multiple of 8 and odd everything, F32 (the 1e-5 path)
        checkLinear("simt", DType.F32, DType.F32, DType.F32, 33, 13, 17, Activation.GELU_TANH);
        checkLinear("simt", DType.F32, DType.F32, null, 5, 301, 3, Activation.SILU);
    }

    @Test
    void autoFallsBackWhereTensorCoresCannotRun() {
        checkLinear("auto", DType.BF16, DType.BF16, DType.F32, 40, 13, 24, Activation.NONE);   // K % 8 != 0
        checkLinear("auto", DType.BF16, DType.BF16, null, 4, 64, 100, Activation.SILU);       // GEMV rows
        // a view 2 bytes into its storage: not 16-byte aligned
        int m = 37;
        int k = 64;
        int n = 48;
        float[] xs = dev.surf.core.testing.Numerics.uniform(rnd, m * k + 1, 1.0);
        try (Both flat = both(xs, DType.BF16, m * k + 1); Both w = random(DType.BF16, 0.1, n, k)) {
            Tensor gx = flat.g().slice(1, m * k + 1).view(m, k);
            Tensor cx = flat.c().slice(1, m * k + 1).view(m, k);
            try (Tensor g = gpu.linear(gx, w.g(), null, Activation.NONE); Tensor c = cpu.linear(cx, w.c(), null, Activation.NONE)) {
                assertMatches("misaligned view", g, c);
            }
            gpu.controls().setGemmPath(GemmPath.MMA);
            assertThrows(IllegalArgumentException.class, () -> gpu.linear(gx, w.g(), null, Activation.NONE));
            gpu.controls().setGemmPath(GemmPath.PERSISTENT);
            assertThrows(IllegalArgumentException.class, () -> gpu.linear(gx, w.g(), null, Activation.NONE));
            gpu.controls().setGemmPath(GemmPath.PINGPONG);
            assertThrows(IllegalArgumentException.class, () -> gpu.linear(gx, w.g(), null, Activation.NONE));
        }
    }

    @Test
    void batchedInputKeepsLeadingDims() {
        try (Both x = random(DType.BF16, 1.0, 2, 37, 64); Both w = random(DType.BF16, 0.1, 80, 64);
             Tensor g = gpu.linear(x.g(), w.g(), null, Activation.GELU_TANH);
             Tensor c = cpu.linear(x.c(), w.c(), null, Activation.GELU_TANH)) {
            assertEquals(Shape.of(2, 37, 80), g.shape());
            assertMatches("batched", g, c);
        }
    }

    private void checkResidual(String path, DType xt, DType gateType, boolean bias, int batch, int l, int k, int n) {
        try (Both x = random(xt, 1.0, batch, l, k); Both w = random(xt, 1.0 / Math.sqrt(k), n, k);
             Both b = bias ? random(DType.F32, 0.5, n) : null;
             Both gate = gateType == null ? null : random(gateType, 1.0, batch, n);
             Both r = random(DType.F32, 1.0, batch, l, n)) {
            gpu.linearResidual(r.g(), x.g(), w.g(), b == null ? null : b.g(), gate == null ? null : gate.g());
            cpu.linearResidual(r.c(), x.c(), w.c(), b == null ? null : b.c(), gate == null ? null : gate.c());
            assertMatches(path + " residual " + xt + " gate " + gateType + " bias " + bias + " B=" + batch + " L=" + l
                    + " K=" + k + " N=" + n, r.g(), r.c());
        }
    }

    @Test
    void gatedResidualUpdate() {
        for (GemmPath path : GemmPath.values()) {
            if ((path == GemmPath.WGMMA && !gpu.controls().caps().hasWgmma())
                    || (path.persistent() && !gpu.controls().caps().hasGemmPersistent())) {
                continue;
            }
            gpu.controls().setGemmPath(path);
            String p = path.name().toLowerCase();
            checkResidual(p, DType.BF16, DType.F32, true, 2, 37, 64, 72);
            checkResidual(p, DType.BF16, null, false, 1, 130, 136, 257);
            checkResidual(p, DType.BF16, DType.BF16, true, 3, 1, 16, 9);
            checkResidual(p, DType.BF16, DType.F32, true, 2, 150, 512, 264);
        }
        gpu.controls().setGemmPath(GemmPath.SIMT);
        checkResidual("simt", DType.F32, DType.F32, true, 2, 19, 40, 24);
        // x sharing storage with the residual (here: the residual itself) is read before it is updated
        for (GemmPath path : new GemmPath[] {GemmPath.AUTO, GemmPath.SIMT}) {
            gpu.controls().setGemmPath(path);
            try (Both r = random(DType.F32, 1.0, 2, 19, 24); Both w = random(DType.F32, 0.2, 24, 24);
                 Both gate = random(DType.F32, 1.0, 2, 24)) {
                gpu.linearResidual(r.g(), r.g(), w.g(), null, gate.g());
                cpu.linearResidual(r.c(), r.c(), w.c(), null, gate.c());
                assertMatches(path + " residual aliasing x", r.g(), r.c());
            }
        }
        // rank-2 x means one batch item
        try (Both x = random(DType.F32, 1.0, 11, 16); Both w = random(DType.F32, 0.25, 8, 16);
             Both gate = random(DType.F32, 1.0, 1, 8); Both r = random(DType.F32, 1.0, 11, 8)) {
            gpu.linearResidual(r.g(), x.g(), w.g(), null, gate.g());
            cpu.linearResidual(r.c(), x.c(), w.c(), null, gate.c());
            assertMatches("rank-2 residual", r.g(), r.c());
        }
    }

    @Test
    void ditShapedGemm() {
        // Wan 1.3B projections on a short sequence: K = 1536, N = 1536 and the FFN's 8960
        checkLinear("auto", DType.BF16, DType.BF16, DType.F32, 520, 1536, 1536, Activation.NONE);
        checkLinear("auto", DType.BF16, DType.BF16, DType.F32, 200, 1536, 8960, Activation.GELU_TANH);
        checkLinear("auto", DType.BF16, DType.BF16, DType.F32, 300, 8960, 1536, Activation.NONE);
    }

    @Test
    void shapeErrorsNameTheOperands() {
        try (Both x = random(DType.F32, 1, 4, 8); Both w = random(DType.F32, 1, 3, 9)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gpu.linear(x.g(), w.g(), null, Activation.NONE));
            assertEquals(true, e.getMessage().contains("weight"));
        }
    }
}
