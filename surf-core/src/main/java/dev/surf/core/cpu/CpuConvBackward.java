package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * The two gradients of {@link dev.surf.core.Backend#conv3d} (stride 1, zero padding, causal in time)
 * as direct loops in double, the reference a faster kernel is tested against:
 * <pre>dx[c, t, y, x]    = sum over (o, i, j, k) of dy[o, t + pf - i, y + ph - j, x + pw - k] w[o, c, i, j, k]
 * dw[o, c, i, j, k] = sum over (t, y, x) of dy[o, t, y, x] xpad[c, t + i, y + j, x + k]</pre>
 * (terms outside dy or x are zero). Work is split over input channels for dx and output channels
 * for dw; each element sums in a fixed order, so the result does not depend on the thread count.
 */
final class CpuConvBackward {
    private CpuConvBackward() {
    }

    /** Sizes of one convolution, from dy [Cout, To, Ho, Wo] and the other operand. */
    private record Dims(int cout, int cin, int t, int h, int w, int kt, int kh, int kw, int to, int ho, int wo) {
    }

    static Tensor gradInput(CpuBackend be, Tensor dy, Tensor w, int pf, int ph, int pw) {
        BackwardChecks.conv3dGradInput(dy, w, pf, ph, pw);
        Dims s = new Dims(w.dim(0), w.dim(1), dy.dim(1) - pf + w.dim(2) - 1, dy.dim(2) - 2 * ph + w.dim(3) - 1,
                dy.dim(3) - 2 * pw + w.dim(4) - 1, w.dim(2), w.dim(3), w.dim(4), dy.dim(1), dy.dim(2), dy.dim(3));
        float[] g = CpuTensors.f32View(dy);
        float[] wa = CpuTensors.f32View(w);
        float[] dx = new float[CpuTensors.checkedInt((long) s.cin * s.t * s.h * s.w, "conv3dGradInput")];
        be.pool().forRange(s.cin, 1, (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                for (int t = 0; t < s.t; t++) {
                    for (int y = 0; y < s.h; y++) {
                        for (int x = 0; x < s.w; x++) {
                            double acc = 0;
                            for (int o = 0; o < s.cout; o++) {
                                for (int i = 0; i < s.kt; i++) {
                                    int ot = t + pf - i;
                                    if (ot < 0 || ot >= s.to) {
                                        continue;
                                    }
                                    for (int j = 0; j < s.kh; j++) {
                                        int oy = y + ph - j;
                                        if (oy < 0 || oy >= s.ho) {
                                            continue;
                                        }
                                        for (int k = 0; k < s.kw; k++) {
                                            int ox = x + pw - k;
                                            if (ox >= 0 && ox < s.wo) {
                                                acc += (double) g[((o * s.to + ot) * s.ho + oy) * s.wo + ox]
                                                        * wa[(((o * s.cin + c) * s.kt + i) * s.kh + j) * s.kw + k];
                                            }
                                        }
                                    }
                                }
                            }
                            dx[((c * s.t + t) * s.h + y) * s.w + x] = (float) acc;
                        }
                    }
                }
            }
        });
        return be.wrap(dx, Shape.of(s.cin, s.t, s.h, s.w));
    }

    static Tensor gradWeight(CpuBackend be, Tensor dy, Tensor x, int pf, int ph, int pw) {
        BackwardChecks.conv3dGradWeight(dy, x, pf, ph, pw);
        Dims s = new Dims(dy.dim(0), x.dim(0), x.dim(1), x.dim(2), x.dim(3), x.dim(1) + pf - dy.dim(1) + 1,
                x.dim(2) + 2 * ph - dy.dim(2) + 1, x.dim(3) + 2 * pw - dy.dim(3) + 1, dy.dim(1), dy.dim(2), dy.dim(3));
        float[] g = CpuTensors.f32View(dy);
        float[] xa = CpuTensors.f32View(x);
        float[] dw = new float[CpuTensors.checkedInt((long) s.cout * s.cin * s.kt * s.kh * s.kw, "conv3dGradWeight")];
        be.pool().forRange(s.cout, 1, (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                for (int c = 0; c < s.cin; c++) {
                    for (int i = 0; i < s.kt; i++) {
                        for (int j = 0; j < s.kh; j++) {
                            for (int k = 0; k < s.kw; k++) {
                                double acc = 0;
                                for (int t = 0; t < s.to; t++) {
                                    int xt = t + i - pf;
                                    if (xt < 0 || xt >= s.t) {
                                        continue;
                                    }
                                    for (int y = 0; y < s.ho; y++) {
                                        int xy = y + j - ph;
                                        if (xy < 0 || xy >= s.h) {
                                            continue;
                                        }
                                        int gRow = ((o * s.to + t) * s.ho + y) * s.wo;
                                        int xRow = ((c * s.t + xt) * s.h + xy) * s.w;
                                        for (int xx = 0; xx < s.wo; xx++) {
                                            int xi = xx + k - pw;
                                            if (xi >= 0 && xi < s.w) {
                                                acc += (double) g[gRow + xx] * xa[xRow + xi];
                                            }
                                        }
                                    }
                                }
                                dw[(((o * s.cin + c) * s.kt + i) * s.kh + j) * s.kw + k] = (float) acc;
                            }
                        }
                    }
                }
            }
        });
        return be.wrap(dw, Shape.of(s.cout, s.cin, s.kt, s.kh, s.kw));
    }
}
