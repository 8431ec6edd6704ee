package dev.surf.core.cpu;

import dev.surf.core.OpChecks;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 3-D convolution with causal time padding as an implicit GEMM: the output of one frame is
 * cut into tiles of {@link #P} consecutive positions (row-major over H x W, crossing rows); for a tile
 * the input patches are gathered into a small [K, P] panel (K = Cin kt kh kw, zeros where a tap falls
 * into the padding) and multiplied by the weights [Cout, K] in Vector API registers, 4 output channels
 * x 2 vectors of positions at a time. The panel of one tile is all that is ever materialised (never an
 * im2col of a frame or of the video), and it serves every output channel.
 *
 * <p>Every output element is accumulated over k = (c, i, j, k) in order with fused multiply-adds, in one
 * thread; work is split over tiles only, so results do not depend on the thread count.
 */
final class CpuConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Positions per tile: 32, or two vectors when vectors are wider. */
    private static final int P = Math.max(32, 2 * V);
    /** Output channels per register block: 4 x 2 accumulators + 2 inputs + 4 weights fit 16 registers. */
    private static final int CB = 4;

    private CpuConv() {
    }

    /**
     * The sizes of one correlation: out[o, t, y, x] = sum of w[o, c, i, j, k] in[c, t + i - padFront,
     * y + j - padH, x + k - padW] over the taps (terms outside in are zero) for an output of to x ho x wo.
     * For conv3d the paddings are non-negative and fix the output size; the input gradient
     * ({@link CpuConvBackward}) uses negative ones (a crop) and a larger output (padding at the back).
     */
    record Geometry(int cin, int t, int h, int w, int cout, int kt, int kh, int kw,
                            int padFront, int padH, int padW, int to, int ho, int wo) {
        int taps() {
            return cin * kt * kh * kw;
        }

        int plane() {
            return ho * wo;
        }
    }

    static Tensor conv3d(CpuBackend be, Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        Geometry g = geometry(x, w, bias, padFront, padH, padW);
        float[] in = CpuTensors.f32View(x);
        int inOff = in == CpuTensors.storage(x).floats ? CpuTensors.offset(x) : 0;
        float[] wt = CpuTensors.f32View(w);
        int wOff = wt == CpuTensors.storage(w).floats ? CpuTensors.offset(w) : 0;
        float[] b = bias == null ? null : CpuTensors.toF32(bias);
        float[] out = correlate(be, g, in, inOff, wt, wOff, b, "conv3d");
        Tensor res = be.wrap(out, Shape.of(g.cout, g.to, g.ho, g.wo));
        if (x.dtype() == DType.F32) {
            return res;
        }
        try (res) {
            return be.convert(res, x.dtype());
        }
    }

    /**
     * The correlation of {@link Geometry} (weights [cout, taps] from wOff, input [cin, t, h, w] from
     * inOff, bias or null) into a new [cout, to, ho, wo] array; op names the caller in size errors.
     */
    static float[] correlate(CpuBackend be, Geometry g, float[] in, int inOff, float[] wt, int wOff, float[] b, String op) {
        float[] out = new float[CpuTensors.checkedInt((long) g.cout * g.to * g.plane(), op + " output")];
        int tiles = (g.plane() + P - 1) / P;
        int items = CpuTensors.checkedInt((long) g.to * tiles, op + " work items");
        CpuTensors.checkedInt((long) g.taps() * P, op + " panel");
        be.pool().forRange(items, 1, (lo, hi) -> {
            float[] panel = new float[g.taps() * P];
            float[] tail = new float[P];
            for (int item = lo; item < hi; item++) {
                int t = item / tiles;
                int p0 = (item % tiles) * P;
                int len = Math.min(P, g.plane() - p0);
                gather(g, in, inOff, panel, P, 0, g.cin, t, p0, len);
                for (int co = 0; co < g.cout; co += CB) {
                    multiply(g, panel, wt, wOff, b, out, tail, t, p0, len, co);
                }
            }
        });
        return out;
    }

    private static Geometry geometry(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        OpChecks.conv3d(x, w, bias, padFront, padH, padW);
        int to = x.dim(1) + padFront - w.dim(2) + 1;
        int ho = x.dim(2) + 2 * padH - w.dim(3) + 1;
        int wo = x.dim(3) + 2 * padW - w.dim(4) + 1;
        return new Geometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), w.dim(4),
                padFront, padH, padW, to, ho, wo);
    }

    /**
     * panel[k * stride + q] = the input under tap k of the channels [c0, c1) (k counted from channel c0)
     * for output position p0 + q of frame t (0 in the padding and for q >= len; the whole panel array is
     * cleared first). The tile is walked row segment by row segment so that inner copies are runs.
     */
    static void gather(Geometry g, float[] in, int inOff, float[] panel, int stride, int c0, int c1, int t, int p0,
            int len) {
        Arrays.fill(panel, 0f);
        for (int q = 0; q < len; ) {
            int y = (p0 + q) / g.wo;
            int xa = (p0 + q) % g.wo;
            int run = Math.min(len - q, g.wo - xa);
            for (int c = c0; c < c1; c++) {
                for (int i = 0; i < g.kt; i++) {
                    int ti = t + i - g.padFront;
                    if (ti < 0 || ti >= g.t) {
                        continue;
                    }
                    for (int j = 0; j < g.kh; j++) {
                        int yi = y + j - g.padH;
                        if (yi < 0 || yi >= g.h) {
                            continue;
                        }
                        int src = inOff + ((c * g.t + ti) * g.h + yi) * g.w;
                        int k0 = (((c - c0) * g.kt + i) * g.kh + j) * g.kw;
                        for (int k = 0; k < g.kw; k++) {
                            // output column x reads input column x + k - padW
                            int lo = Math.max(xa, g.padW - k);
                            int hi = Math.min(xa + run, g.w + g.padW - k);
                            if (lo < hi) {
                                System.arraycopy(in, src + lo + k - g.padW, panel, (k0 + k) * stride + q + lo - xa, hi - lo);
                            }
                        }
                    }
                }
            }
            q += run;
        }
    }

    /** Output channels [co, co + CB) of the tile: weights [Cout, K] times panel [K, P], plus bias. */
    private static void multiply(Geometry g, float[] panel, float[] wt, int wOff, float[] b, float[] out, float[] tail,
            int t, int p0, int len, int co) {
        int taps = g.taps();
        // channels past Cout reuse the last channel's weights; their results are dropped
        int w0 = wOff + Math.min(co, g.cout - 1) * taps;
        int w1 = wOff + Math.min(co + 1, g.cout - 1) * taps;
        int w2 = wOff + Math.min(co + 2, g.cout - 1) * taps;
        int w3 = wOff + Math.min(co + 3, g.cout - 1) * taps;
        int n = Math.min(CB, g.cout - co);
        for (int h = 0; h < P; h += 2 * V) {
            if (h >= len) {
                break;
            }
            FloatVector a00 = FloatVector.zero(S);
            FloatVector a01 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S);
            FloatVector a11 = FloatVector.zero(S);
            FloatVector a20 = FloatVector.zero(S);
            FloatVector a21 = FloatVector.zero(S);
            FloatVector a30 = FloatVector.zero(S);
            FloatVector a31 = FloatVector.zero(S);
            for (int k = 0, q = h; k < taps; k++, q += P) {
                FloatVector v0 = FloatVector.fromArray(S, panel, q);
                FloatVector v1 = FloatVector.fromArray(S, panel, q + V);
                FloatVector b0 = FloatVector.broadcast(S, wt[w0 + k]);
                a00 = v0.fma(b0, a00);
                a01 = v1.fma(b0, a01);
                FloatVector b1 = FloatVector.broadcast(S, wt[w1 + k]);
                a10 = v0.fma(b1, a10);
                a11 = v1.fma(b1, a11);
                FloatVector b2 = FloatVector.broadcast(S, wt[w2 + k]);
                a20 = v0.fma(b2, a20);
                a21 = v1.fma(b2, a21);
                FloatVector b3 = FloatVector.broadcast(S, wt[w3 + k]);
                a30 = v0.fma(b3, a30);
                a31 = v1.fma(b3, a31);
            }
            int valid = Math.min(2 * V, len - h);
            store(out, tail, g, t, p0 + h, valid, co, b, 0, n, a00, a01);
            store(out, tail, g, t, p0 + h, valid, co, b, 1, n, a10, a11);
            store(out, tail, g, t, p0 + h, valid, co, b, 2, n, a20, a21);
            store(out, tail, g, t, p0 + h, valid, co, b, 3, n, a30, a31);
        }
    }

    /** Adds the bias and writes the first {@code valid} positions of channel co + j (if it exists). */
    private static void store(float[] out, float[] tail, Geometry g, int t, int pos, int valid, int co, float[] b,
            int j, int n, FloatVector lo, FloatVector hi) {
        if (j >= n) {
            return;
        }
        float bias = b == null ? 0f : b[co + j];
        int o = ((co + j) * g.to + t) * g.plane() + pos;
        if (valid == 2 * V) {
            lo.add(bias).intoArray(out, o);
            hi.add(bias).intoArray(out, o + V);
        } else {
            lo.add(bias).intoArray(tail, 0);
            hi.add(bias).intoArray(tail, V);
            System.arraycopy(tail, 0, out, o, valid);
        }
    }
}
