package dev.surf.models.wan;

import dev.surf.core.Backend;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * 3D rotary tables of Wan (spec/wan21.md §2.4): per head, the d/2 complex pairs are split into a
 * frame part (d - 4*(d/6) channels) and two spatial parts (2*(d/6) channels each); each axis has its
 * own frequencies theta^(-2j/axisDim) with theta 10000. Angles and their cos/sin are computed in
 * double and rounded to F32 once, as the official fp64 table is.
 */
public final class WanRope {
    private static final double THETA = 10000.0;

    private WanRope() {
    }

    /** Complex pairs of the frame axis for head dim d (22 for d = 128). */
    public static int framePairs(int d) {
        return (d - 4 * (d / 6)) / 2;
    }

    /** Complex pairs of each spatial axis (21 for d = 128). */
    public static int spatialPairs(int d) {
        return (2 * (d / 6)) / 2;
    }

    /**
     * cos and sin tables [L, d/2] for tokens at the given integer positions (one entry per token of
     * each axis): out[0] = cos, out[1] = sin, F32 tensors on the backend.
     */
    public static Tensor[] tables(Backend be, int headDim, int[] framePos, int[] rowPos, int[] colPos) {
        int l = framePos.length;
        int half = headDim / 2;
        int tp = framePairs(headDim);
        int sp = spatialPairs(headDim);
        double[] ft = freqs(2 * tp);
        double[] fs = freqs(2 * sp);
        float[] c = new float[l * half];
        float[] s = new float[l * half];
        for (int n = 0; n < l; n++) {
            int o = n * half;
            for (int j = 0; j < tp; j++) {
                put(c, s, o + j, framePos[n] * ft[j]);
            }
            for (int j = 0; j < sp; j++) {
                put(c, s, o + tp + j, rowPos[n] * fs[j]);
                put(c, s, o + tp + sp + j, colPos[n] * fs[j]);
            }
        }
        return new Tensor[] {be.fromFloats(c, Shape.of(l, half)), be.fromFloats(s, Shape.of(l, half))};
    }

    /** Tables for the full token grid F' x H' x W' in frame-major order, positions starting at 0. */
    public static Tensor[] grid(Backend be, int headDim, int frames, int rows, int cols) {
        int l = frames * rows * cols;
        int[] f = new int[l];
        int[] h = new int[l];
        int[] w = new int[l];
        for (int n = 0; n < l; n++) {
            f[n] = n / (rows * cols);
            h[n] = (n / cols) % rows;
            w[n] = n % cols;
        }
        return tables(be, headDim, f, h, w);
    }

    /** theta^(-2j/axisDim) for j < axisDim/2, in double as rope_params does. */
    static double[] freqs(int axisDim) {
        double[] f = new double[axisDim / 2];
        for (int j = 0; j < f.length; j++) {
            f[j] = 1.0 / Math.pow(THETA, (2.0 * j) / axisDim);
        }
        return f;
    }

    private static void put(float[] c, float[] s, int i, double angle) {
        c[i] = (float) Math.cos(angle);
        s[i] = (float) Math.sin(angle);
    }
}
