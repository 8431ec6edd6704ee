package dev.surf.core.testing;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;

/**
 * The two gradients of Backend#conv3d (stride 1, zero padding, causal in time) as direct loops in
 * double, the reference the backends' conv3dGradInput and conv3dGradWeight are tested against:
 * <pre>dx[c, t, y, x]    = sum over (o, i, j, k) of dy[o, t + pf - i, y + ph - j, x + pw - k] w[o, c, i, j, k]
 * dw[o, c, i, j, k] = sum over (t, y, x) of dy[o, t, y, x] xpad[c, t + i, y + j, x + k]</pre>
 * (terms outside dy or x are zero). Every element is one sum of exact double products in the order
 * written (o, i, j, k for dx; t, y, x for dw), rounded once to F32: the CUDA kernels use the same
 * order and match it bit for bit.
 */
public final class Conv3dGradReference {
    private Conv3dGradReference() {
    }

    /** dx [Cin, T, H, W] for dy [Cout, To, Ho, Wo] and w [Cout, Cin, kt, kh, kw] of backend be. */
    public static float[] gradInput(Backend be, Tensor dy, Tensor w, int pf, int ph, int pw) {
        return gradInput(be.toFloats(dy), dy.dim(0), dy.dim(1), dy.dim(2), dy.dim(3), be.toFloats(w), w.dim(1),
                w.dim(2), w.dim(3), w.dim(4), pf, ph, pw);
    }

    /** dw [Cout, Cin, kt, kh, kw] for dy [Cout, To, Ho, Wo] and x [Cin, T, H, W] of backend be. */
    public static float[] gradWeight(Backend be, Tensor dy, Tensor x, int pf, int ph, int pw) {
        return gradWeight(be.toFloats(dy), dy.dim(0), dy.dim(1), dy.dim(2), dy.dim(3), be.toFloats(x), x.dim(0),
                x.dim(1), x.dim(2), x.dim(3), pf, ph, pw);
    }

    /** dx [cin, T, H, W] with T = to - pf + kt - 1, H = ho - 2 ph + kh - 1, W = wo - 2 pw + kw - 1. */
    public static float[] gradInput(float[] g, int cout, int to, int ho, int wo, float[] wa, int cin, int kt, int kh,
            int kw, int pf, int ph, int pw) {
        int t = to - pf + kt - 1;
        int h = ho - 2 * ph + kh - 1;
        int w = wo - 2 * pw + kw - 1;
        float[] dx = new float[cin * t * h * w];
        for (int c = 0; c < cin; c++) {
            for (int tt = 0; tt < t; tt++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double acc = 0;
                        for (int o = 0; o < cout; o++) {
                            for (int i = 0; i < kt; i++) {
                                int ot = tt + pf - i;
                                if (ot < 0 || ot >= to) {
                                    continue;
                                }
                                for (int j = 0; j < kh; j++) {
                                    int oy = y + ph - j;
                                    if (oy < 0 || oy >= ho) {
                                        continue;
                                    }
                                    for (int k = 0; k < kw; k++) {
                                        int ox = x + pw - k;
                                        if (ox >= 0 && ox < wo) {
                                            acc += (double) g[((o * to + ot) * ho + oy) * wo + ox]
                                                    * wa[(((o * cin + c) * kt + i) * kh + j) * kw + k];
                                        }
                                    }
                                }
                            }
                        }
                        dx[((c * t + tt) * h + y) * w + x] = (float) acc;
                    }
                }
            }
        }
        return dx;
    }

    /** dw [cout, cin, kt, kh, kw] with kt = t + pf - to + 1, kh = h + 2 ph - ho + 1, kw = w + 2 pw - wo + 1. */
    public static float[] gradWeight(float[] g, int cout, int to, int ho, int wo, float[] xa, int cin, int t, int h,
            int w, int pf, int ph, int pw) {
        int kt = t + pf - to + 1;
        int kh = h + 2 * ph - ho + 1;
        int kw = w + 2 * pw - wo + 1;
        float[] dw = new float[cout * cin * kt * kh * kw];
        for (int o = 0; o < cout; o++) {
            for (int c = 0; c < cin; c++) {
                for (int i = 0; i < kt; i++) {
                    for (int j = 0; j < kh; j++) {
                        for (int k = 0; k < kw; k++) {
                            double acc = 0;
                            for (int tt = 0; tt < to; tt++) {
                                int xt = tt + i - pf;
                                if (xt < 0 || xt >= t) {
                                    continue;
                                }
                                for (int y = 0; y < ho; y++) {
                                    int xy = y + j - ph;
                                    if (xy < 0 || xy >= h) {
                                        continue;
                                    }
                                    int gRow = ((o * to + tt) * ho + y) * wo;
                                    int xRow = ((c * t + xt) * h + xy) * w;
                                    for (int xx = 0; xx < wo; xx++) {
                                        int xi = xx + k - pw;
                                        if (xi >= 0 && xi < w) {
                                            acc += (double) g[gRow + xx] * xa[xRow + xi];
                                        }
                                    }
                                }
                            }
                            dw[(((o * cin + c) * kt + i) * kh + j) * kw + k] = (float) acc;
                        }
                    }
                }
            }
        }
        return dw;
    }
}
