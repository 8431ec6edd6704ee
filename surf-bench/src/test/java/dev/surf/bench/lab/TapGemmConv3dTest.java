package dev.surf.bench.lab;

import static dev.surf.core.testing.Numerics.assertClose;
import static dev.surf.core.testing.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.bench.lab.TapGemmConv3d.Operands;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import dev.surf.core.testing.Conv3dReference;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * TapGemmConv3d (conv3d from GEMMs over shifted views of a padded channels-last copy) on the CPU backend
 * against the scalar double definition of conv3d: every kernel shape of the Wan-VAE, odd extents and
 * paddings, tiny frames whose dropped grid positions wrap across rows and frames, and all operand dtypes.
 */
class TapGemmConv3dTest {
    private static final CpuBackend BE = new CpuBackend(2);
    private final SplittableRandom rnd = new SplittableRandom(11);

    @AfterAll
    static void close() {
        BE.close();
    }

    /** {Cin, T, H, W, Cout, kt, kh, kw, padFront, padH, padW} */
    private static final int[][] CASES = {
        {16, 1, 9, 13, 24, 3, 3, 3, 2, 1, 1},     // decoder.conv1 on the first latent frame
        {12, 3, 7, 9, 10, 3, 3, 3, 0, 1, 1},      // residual conv with two cached frames in front
        {8, 2, 10, 11, 12, 1, 1, 1, 0, 0, 0},     // shortcut 1x1x1
        {8, 2, 6, 7, 16, 3, 1, 1, 2, 0, 0},       // time_conv (3, 1, 1) C -> 2C
        {8, 2, 12, 14, 6, 1, 3, 3, 0, 1, 1},      // 3x3 conv after 2x upsampling
        {9, 2, 15, 17, 3, 3, 3, 3, 2, 1, 1},      // head to 3 channels
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
        {3, 4, 7, 9, 5, 3, 3, 3, 2, 1, 1},
        {5, 1, 3, 3, 2, 3, 2, 2, 4, 0, 0},        // output frame 0 reads padding only: the bias
        {7, 2, 9, 10, 11, 2, 2, 4, 1, 0, 2},      // even kernel, asymmetric extents
        {3, 3, 4, 4, 2, 2, 2, 2, 1, 0, 0},        // no H/W padding: dropped positions wrap rows
        {2, 2, 1, 1, 3, 3, 3, 3, 2, 1, 1},        // 1x1 frames: every tap but the centre is padding
        {4, 3, 2, 5, 3, 1, 2, 5, 0, 0, 0},        // kernel as wide as the input: one output column
    };

    @Test
    void matchesTheDefinitionForEveryKernelShapeAndOperandType() {
        int i = 0;
        for (int[] c : CASES) {
            boolean bias = i++ % 2 == 0;
            float[] xs = uniform(rnd, c[0] * c[1] * c[2] * c[3], 2);
            float[] ws = uniform(rnd, c[4] * c[0] * c[5] * c[6] * c[7], 1.0 / Math.sqrt(c[0] * c[5] * c[6] * c[7]));
            float[] bs = bias ? uniform(rnd, c[4], 1) : null;
            double[] want = Conv3dReference.conv3d(xs, c[0], c[1], c[2], c[3], ws, c[4], c[5], c[6], c[7], bs, c[8], c[9], c[10]);
            Shape outShape = Shape.of(c[4], c[1] + c[8] - c[5] + 1, c[2] + 2 * c[9] - c[6] + 1, c[3] + 2 * c[10] - c[7] + 1);
            try (Tensor x = BE.fromFloats(xs, Shape.of(c[0], c[1], c[2], c[3]));
                 Tensor w = BE.fromFloats(ws, Shape.of(c[4], c[0], c[5], c[6], c[7]));
                 Tensor b = bs == null ? null : BE.fromFloats(bs, Shape.of(c[4]))) {
                String what = Arrays.toString(c) + " bias " + bias;
                // F32 operands: only the summation order differs from the definition
                try (Tensor y = TapGemmConv3d.conv3d(BE, x, w, b, c[8], c[9], c[10], Operands.F32)) {
                    assertEquals(outShape, y.shape(), what);
                    assertEquals(DType.F32, y.dtype());
                    assertClose("F32 operands " + what, BE.toFloats(y), want, 1e-5);
                }
                // BF16 operands, F32 accumulation: bf16 rounding of x and W (2^-9 each) and nothing more
                try (Tensor y = TapGemmConv3d.conv3d(BE, x, w, b, c[8], c[9], c[10], Operands.BF16)) {
                    assertEquals(DType.F32, y.dtype());
                    assertClose("BF16 operands " + what, BE.toFloats(y), want, 1e-2);
                }
                // split bf16: each product is off by at most 3 x 2^-18 (1.1e-5) of |x w| (the dropped
                // lo Lo term and the rounding of each remainder), 5e-5 leaves a factor 4.5 and fails a
                // missing low part (2^-9, 2e-3) at once
                try (Tensor y = TapGemmConv3d.conv3d(BE, x, w, b, c[8], c[9], c[10], Operands.BF16X3)) {
                    assertEquals(DType.F32, y.dtype());
                    assertClose("BF16X3 operands " + what, BE.toFloats(y), want, 5e-5);
                }
                // a BF16 input gives a BF16 result
                try (Tensor xb = BE.convert(x, DType.BF16);
                     Tensor y = TapGemmConv3d.conv3d(BE, xb, w, b, c[8], c[9], c[10], Operands.BF16)) {
                    assertEquals(DType.BF16, y.dtype());
                    assertClose("BF16 input " + what, BE.toFloats(y), want, 1e-2);
                }
            }
        }
    }

    @Test
    void refusesBadOperandsWithTheConv3dMessages() {
        try (Tensor x = BE.zeros(DType.F32, Shape.of(4, 1, 5, 5));
             Tensor w = BE.zeros(DType.F32, Shape.of(2, 3, 1, 3, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TapGemmConv3d.conv3d(BE, x, w, null, 0, 1, 1, Operands.F32));
            assertEquals(true, e.getMessage().startsWith("conv3d: weight"), e.getMessage());
        }
        try (Tensor x = BE.zeros(DType.I32, Shape.of(3, 1, 5, 5));
             Tensor w = BE.zeros(DType.F32, Shape.of(2, 3, 1, 3, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TapGemmConv3d.conv3d(BE, x, w, null, 0, 1, 1, Operands.BF16X3));
            assertEquals(true, e.getMessage().contains("floating"), e.getMessage());
        }
    }
}
