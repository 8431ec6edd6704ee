package dev.surf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import dev.surf.core.testing.Numerics;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * conv3d on every CUDA path against the CPU backend, on fresh random inputs with poisoned outputs:
 * the direct kernel (cuda/conv3d.cu) bit for bit, the implicit GEMM on TF32 tensor cores
 * (cuda/conv3d_igemm.cu) within {@link #TF32_TOL} (the lab's tap-GEMM convolutions have their own GPU
 * test, surf-bench's TapGemmConv3dGpuTest). The shapes cover every convolution of the Wan-VAE
 * decoder (3x3x3 with causal padding (2, 1, 1), 1x1x1 shortcuts, (3, 1, 1) time convs, kt = 1 3x3 after
 * upsampling), its widths (16, 32, 96, 192, 384, 768) and odd sizes: channel counts that are not a
 * multiple of the kernel's 32-channel K slice or 96-channel N tile, frames smaller than one 128-position
 * tile (blocks spanning frames), position counts not divisible by 4 (scalar epilogue), single-frame
 * chunks whose front taps read padding only, and an output frame made of padding alone.
 */
@Tag("gpu")
class Conv3dGemmKernelTest extends CudaTestBase {
    /**
     * Relative L2 error allowed for the TF32 path. TF32 keeps 10 mantissa bits: each operand rounded
     * to nearest is off by at most 2^-11 (4.9e-4) relative, and over sums of random-sign products the
     * output's relative error comes to about 2^-11 sqrt(2/3), 4e-4 (cuda/lab/emulate/emu_conv.py measures
     * 2.2e-4 .. 2.7e-4 on these distributions; F32 accumulation adds ~1e-6). 2e-3 leaves a factor 5
     * and still fails any indexing mistake: one tap of 27 missing is ~0.2, one 32-channel slice of 384
     * ~0.3.
     */
    static final double TF32_TOL = 2e-3;

    @AfterEach
    void autoPath() {
        gpu.controls().setConvPath(ConvPath.AUTO);
    }

    /** {Cin, T, H, W, Cout, kt, kh, kw, padFront, padH, padW} */
    private static final int[][] CASES = {
        // the VAE's kernels at its widths, on small odd frames
        {16, 1, 9, 13, 384, 3, 3, 3, 2, 1, 1},     // decoder.conv1 on the first latent frame
        {384, 3, 7, 9, 384, 3, 3, 3, 0, 1, 1},     // residual conv with two cached frames in front
        {192, 2, 10, 11, 384, 3, 3, 3, 1, 1, 1},   // 192 -> 384, one cached frame
        {192, 2, 10, 11, 384, 1, 1, 1, 0, 0, 0},   // shortcut 1x1x1
        {384, 2, 6, 7, 768, 3, 1, 1, 2, 0, 0},     // time_conv (3, 1, 1) C -> 2C
        {384, 2, 12, 14, 192, 1, 3, 3, 0, 1, 1},   // 3x3 conv after nearest 2x upsampling
        {96, 3, 30, 52, 96, 3, 3, 3, 0, 1, 1},     // 96 -> 96 on 1560-position frames (vector stores)
        {96, 2, 15, 17, 3, 3, 3, 3, 2, 1, 1},      // head: 96 -> 3
        {16, 1, 5, 7, 16, 1, 1, 1, 0, 0, 0},       // conv2 on the latent
        {32, 4, 8, 8, 32, 3, 3, 3, 2, 1, 1},
        // odd sizes
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
        {3, 4, 7, 9, 5, 3, 3, 3, 2, 1, 1},
        {5, 6, 3, 4, 97, 3, 3, 3, 2, 1, 1},        // 12-position frames: a block spans 6 frames
        {33, 1, 9, 13, 7, 3, 3, 3, 2, 1, 1},       // single frame: only time tap 2 reads input
        {40, 2, 5, 6, 100, 1, 3, 3, 0, 1, 1},      // channel tail 40 -> 64, Cout tail 100 -> 2 tiles
        {64, 3, 6, 5, 97, 3, 1, 1, 2, 0, 0},
        {5, 1, 3, 3, 2, 3, 2, 2, 4, 0, 0},         // output frame 0 reads padding only: the bias
        {7, 2, 9, 10, 11, 2, 2, 4, 1, 0, 2},       // even kernel, asymmetric extents
        {3, 3, 4, 4, 2, 2, 2, 2, 1, 0, 0},
    };

    @Test
    void everyPathMatchesTheCpu() {
        int i = 0;
        for (int[] c : CASES) {
            // every other case with a bias; never on a single output, where a bias that nearly cancels the
            // product would turn its absolute TF32 error into an unbounded relative one
            long outputs = (long) c[4] * (c[1] + c[8] - c[5] + 1) * (c[2] + 2 * c[9] - c[6] + 1) * (c[3] + 2 * c[10] - c[7] + 1);
            boolean bias = i++ % 2 == 0 && outputs > 1;
            try (Both x = random(DType.F32, 2, c[0], c[1], c[2], c[3]);
                 Both w = random(DType.F32, 1.0 / Math.sqrt(c[0] * c[5] * c[6] * c[7]), c[4], c[0], c[5], c[6], c[7]);
                 Both b = bias ? random(DType.F32, 1, c[4]) : null;
                 Tensor ref = cpu.conv3d(x.c(), w.c(), b == null ? null : b.c(), c[8], c[9], c[10])) {
                String what = "conv3d " + Arrays.toString(c) + " bias " + bias;
                gpu.controls().setConvPath(ConvPath.DIRECT);
                try (Tensor g = gpu.conv3d(x.g(), w.g(), b == null ? null : b.g(), c[8], c[9], c[10])) {
                    assertEquals(ref.shape(), g.shape());
                    assertSameBits("direct " + what, g, ref);
                }
                gpu.controls().setConvPath(ConvPath.IGEMM);
                try (Tensor g = gpu.conv3d(x.g(), w.g(), b == null ? null : b.g(), c[8], c[9], c[10])) {
                    assertEquals(ref.shape(), g.shape());
                    assertEquals(DType.F32, g.dtype());
                    Numerics.assertClose(tag("implicit GEMM (TF32) " + what), gpu.toFloats(g), cpu.toFloats(ref), TF32_TOL);
                }
            }
        }
    }

    /** The weights may come in any float dtype (the packing kernel converts them); bias too. */
    @Test
    void bf16WeightsAndBias() {
        int[] c = {48, 2, 7, 11, 50, 3, 3, 3, 2, 1, 1};
        try (Both x = random(DType.F32, 2, c[0], c[1], c[2], c[3]);
             Both w = random(DType.BF16, 0.05, c[4], c[0], c[5], c[6], c[7]);
             Both b = random(DType.BF16, 1, c[4]);
             Tensor ref = cpu.conv3d(x.c(), w.c(), b.c(), c[8], c[9], c[10])) {
            gpu.controls().setConvPath(ConvPath.IGEMM);
            try (Tensor g = gpu.conv3d(x.g(), w.g(), b.g(), c[8], c[9], c[10])) {
                Numerics.assertClose(tag("implicit GEMM, bf16 weights"), gpu.toFloats(g), cpu.toFloats(ref), TF32_TOL);
            }
        }
    }

    /**
     * A NaN in the input reaches exactly the outputs whose window holds it, as on the CPU: the TF32
     * rounding keeps NaN, and the zero-filled padding, channel tail and rows past the end never turn a
     * finite output into NaN.
     */
    @Test
    void nanReachesExactlyTheOutputsThatSeeIt() {
        int[] c = {40, 3, 9, 11, 100, 3, 3, 3, 2, 1, 1};
        float[] xs = Numerics.uniform(rnd, c[0] * c[1] * c[2] * c[3], 2);
        xs[((17 * c[1] + 1) * c[2] + 4) * c[3] + 5] = Float.NaN;
        try (Both x = both(xs, DType.F32, c[0], c[1], c[2], c[3]);
             Both w = random(DType.F32, 0.05, c[4], c[0], c[5], c[6], c[7]);
             Tensor ref = cpu.conv3d(x.c(), w.c(), null, c[8], c[9], c[10])) {
            gpu.controls().setConvPath(ConvPath.IGEMM);
            try (Tensor g = gpu.conv3d(x.g(), w.g(), null, c[8], c[9], c[10])) {
                float[] got = gpu.toFloats(g);
                float[] want = cpu.toFloats(ref);
                boolean[] gotNaN = new boolean[got.length];
                boolean[] wantNaN = new boolean[want.length];
                int nans = 0;
                for (int i = 0; i < got.length; i++) {
                    gotNaN[i] = Float.isNaN(got[i]);
                    wantNaN[i] = Float.isNaN(want[i]);
                    nans += wantNaN[i] ? 1 : 0;
                    if (wantNaN[i]) {
                        got[i] = 0;
                        want[i] = 0;
                    }
                }
                // one input element feeds a 3x3x3 window of positions (fewer at edges) in every output channel
                assertTrue(nans > 0, "the reference should have NaN outputs");
                assertArrayEquals(wantNaN, gotNaN, tag("NaN outputs of the implicit GEMM"));
                Numerics.assertClose(tag("finite outputs next to a NaN"), got, want, TF32_TOL);
            }
        }
    }

    @Test
    void implicitGemmRefusesNonF32Inputs() {
        try (Both x = random(DType.BF16, 1, 4, 1, 5, 5); Both w = random(DType.BF16, 1, 4, 4, 1, 3, 3)) {
            gpu.controls().setConvPath(ConvPath.IGEMM);
            assertThrows(IllegalArgumentException.class, () -> gpu.conv3d(x.g(), w.g(), null, 0, 1, 1));
        }
    }
}
