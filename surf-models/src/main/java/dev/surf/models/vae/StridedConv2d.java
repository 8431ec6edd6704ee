package dev.surf.models.vae;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;

/**
 * The encoder's spatial downsampling step, {@code ZeroPad2d((0, 1, 0, 1))} then a 3x3 Conv2d with
 * stride 2 and no padding, per frame, built from the backend's stride-1 {@link Backend#conv3d} so it
 * runs unchanged on every backend.
 *
 * <p>Why it is exact: output row j reads input rows 2j, 2j+1, 2j+2. Writing a row index as 2m + b
 * splits the input into two phases x_b[m] = x[2m + b], and tap k = 2a + b then reads x_b[j + a]. So
 * the stride-2 3x3 convolution over C channels equals a stride-1 2x2 convolution over the 4C phase
 * channels (b_h, b_w), with kernel w'[a_h, a_w] = w[2a_h + b_h, 2a_w + b_w] (zero where a tap index
 * reaches 3). The row m = H/2 that tap a = 1 can reach is the ZeroPad2d row; it is supplied by the
 * conv's zero padding of 1, whose extra first row and column of output are dropped. The work is 16
 * taps per output instead of 9 (the zero taps), far below the 4x of a stride-1 conv subsampled.
 */
final class StridedConv2d {
    private final int c;
    private final int cout;
    private final Tensor phaseKernel;
    private final Tensor bias;

    /** weight [cout, c, 3, 3] and bias [cout] as loaded; the phase kernel is owned by w. */
    StridedConv2d(Backend be, VaeWeights w, Tensor weight, Tensor bias) {
        this.cout = weight.dim(0);
        this.c = weight.dim(1);
        this.bias = bias;
        this.phaseKernel = w.own(be.fromFloats(phaseKernel(be.toFloats(weight), cout, c), Shape.of(cout, 4 * c, 1, 2, 2)));
    }

    /**
     * The 2x2 kernel over phase channels: input channel 4 ci + 2 bh + bw, tap (ah, aw) is the 3x3 tap
     * (2 ah + bh, 2 aw + bw) of channel ci, or 0 when that reaches index 3.
     */
    static float[] phaseKernel(float[] w3, int cout, int c) {
        float[] k = new float[cout * 4 * c * 4];
        for (int o = 0; o < cout; o++) {
            for (int ci = 0; ci < c; ci++) {
                for (int bh = 0; bh < 2; bh++) {
                    for (int bw = 0; bw < 2; bw++) {
                        int phase = 4 * ci + 2 * bh + bw;
                        for (int ah = 0; ah < 2; ah++) {
                            for (int aw = 0; aw < 2; aw++) {
                                int kh = 2 * ah + bh;
                                int kw = 2 * aw + bw;
                                if (kh < 3 && kw < 3) {
                                    k[((o * 4 * c + phase) * 2 + ah) * 2 + aw] = w3[((o * c + ci) * 3 + kh) * 3 + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
        return k;
    }

    /** x [C, T, H, W] with H, W even -> [cout, T, H/2, W/2]. */
    Tensor apply(Backend be, Tensor x) {
        int t = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("stride-2 downsampling needs an even frame size, got " + h + "x" + w);
        }
        int h2 = h / 2;
        int w2 = w / 2;
        try (TensorScope s = new TensorScope()) {
            // [C, T, H/2, 2, W/2, 2] -> [C, bh, bw, T, H/2, W/2]: the four phases as channels 4c + 2bh + bw
            Tensor phases = s.track(be.permute(x.view(c, t, h2, 2, w2, 2), 0, 3, 5, 1, 2, 4)).view(4 * c, t, h2, w2);
            Tensor y = s.track(be.conv3d(phases, phaseKernel, bias, 0, 1, 1));
            Tensor rows = s.track(be.narrow(y, 2, 1, h2));
            return be.narrow(rows, 3, 1, w2);
        }
    }
}
