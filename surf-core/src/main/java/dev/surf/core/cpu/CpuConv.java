package dev.surf.core.cpu;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 3-D convolution with causal time padding, computed directly (an implicit GEMM): no
 * im2col buffer, padding is never materialised. One work item is one output row (frame t, row y)
 * for a block of {@link #CB} output channels; its interior columns run in Vector API registers
 * ({@code CB} channels x 2 vectors of columns), the border columns that touch the padding in scalar
 * code. Both paths add the taps of one output element in the same order (c, i, j, k) with fused
 * multiply-adds, so the result does not depend on the tiling or the thread count.
 */
final class CpuConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Output channels per work item: 4 x 2 accumulators + 2 inputs + 4 weights fit 16 registers. */
    private static final int CB = 4;

    private CpuConv() {
    }

    /** The sizes of one convolution, checked. */
    private record Geometry(int cin, int t, int h, int w, int cout, int kt, int kh, int kw,
                            int padFront, int padH, int padW, int to, int ho, int wo) {
        int taps() {
            return cin * kt * kh * kw;
        }
    }

    static Tensor conv3d(CpuBackend be, Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        Geometry g = geometry(x, w, bias, padFront, padH, padW);
        float[] in = CpuTensors.f32View(x);
        int inOff = in == CpuTensors.storage(x).floats ? CpuTensors.offset(x) : 0;
        float[] wt = CpuTensors.f32View(w);
        int wOff = wt == CpuTensors.storage(w).floats ? CpuTensors.offset(w) : 0;
        float[] b = bias == null ? null : CpuTensors.toF32(bias);
        float[] out = new float[CpuTensors.checkedInt((long) g.cout * g.to * g.ho * g.wo, "conv3d output")];
        int blocks = (g.cout + CB - 1) / CB;
        int items = CpuTensors.checkedInt((long) g.to * g.ho * blocks, "conv3d work items");
        be.pool().forRange(items, 1, (lo, hi) -> {
            for (int item = lo; item < hi; item++) {
                int blk = item % blocks;
                int row = item / blocks;
                row(g, in, inOff, wt, wOff, b, out, row / g.ho, row % g.ho, blk * CB);
            }
        });
        Tensor res = be.wrap(out, Shape.of(g.cout, g.to, g.ho, g.wo));
        if (x.dtype() == DType.F32) {
            return res;
        }
        try (res) {
            return be.convert(res, x.dtype());
        }
    }

    private static Geometry geometry(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        if (x.rank() != 4 || w.rank() != 5) {
            throw new IllegalArgumentException("conv3d: input " + x.shape() + " must be [Cin, T, H, W] and weight "
                    + w.shape() + " [Cout, Cin, kt, kh, kw]");
        }
        if (w.dim(1) != x.dim(0)) {
            throw new IllegalArgumentException("conv3d: weight " + w.shape() + " expects " + w.dim(1)
                    + " input channels, input " + x.shape() + " has " + x.dim(0));
        }
        if (bias != null && bias.numel() != w.dim(0)) {
            throw new IllegalArgumentException("conv3d: bias " + bias.shape() + " does not match weight " + w.shape());
        }
        if (padFront < 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv3d: negative padding (" + padFront + ", " + padH + ", " + padW + ")");
        }
        int to = x.dim(1) + padFront - w.dim(2) + 1;
        int ho = x.dim(2) + 2 * padH - w.dim(3) + 1;
        int wo = x.dim(3) + 2 * padW - w.dim(4) + 1;
        if (to < 1 || ho < 1 || wo < 1 || w.dim(2) < 1 || w.dim(3) < 1 || w.dim(4) < 1) {
            throw new IllegalArgumentException("conv3d: kernel " + w.shape() + " with padding (front " + padFront + ", "
                    + padH + ", " + padW + ") leaves no output for input " + x.shape());
        }
        return new Geometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), w.dim(4),
                padFront, padH, padW, to, ho, wo);
    }

    /** Output row (t, y) of channels [co0, co0 + CB), clipped to Cout. */
    private static void row(Geometry g, float[] in, int inOff, float[] wt, int wOff, float[] b, float[] out,
            int t, int y, int co0) {
        int taps = g.taps();
        // Channels past Cout reuse the last channel's weights; their results are dropped.
        int[] wb = new int[CB];
        for (int j = 0; j < CB; j++) {
            wb[j] = wOff + Math.min(co0 + j, g.cout - 1) * taps;
        }
        int plane = g.to * g.ho * g.wo;
        int outRow = (t * g.ho + y) * g.wo;
        int n = Math.min(CB, g.cout - co0);
        // Columns whose taps all land inside the input: x - padW >= 0 and x - padW + kw - 1 < W.
        int xLo = Math.min(g.padW, g.wo);
        int xHi = Math.max(xLo, Math.min(g.wo, g.w + g.padW - g.kw + 1));
        int x = xLo;
        for (; x + 2 * V <= xHi; x += 2 * V) {
            tile(g, in, inOff, wt, wb, b, out, plane, outRow, n, co0, t, y, x);
        }
        for (int xs = 0; xs < xLo; xs++) {
            scalar(g, in, inOff, wt, wb, b, out, plane, outRow, n, co0, t, y, xs);
        }
        for (; x < g.wo; x++) {
            scalar(g, in, inOff, wt, wb, b, out, plane, outRow, n, co0, t, y, x);
        }
    }

    /** 2 vectors of interior columns starting at x, for CB channels, in registers. */
    private static void tile(Geometry g, float[] in, int inOff, float[] wt, int[] wb, float[] b, float[] out,
            int plane, int outRow, int n, int co0, int t, int y, int x) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a31 = FloatVector.zero(S);
        int w0 = wb[0];
        int w1 = wb[1];
        int w2 = wb[2];
        int w3 = wb[3];
        int kw = g.kw;
        for (int c = 0; c < g.cin; c++) {
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
                    int p = inOff + ((c * g.t + ti) * g.h + yi) * g.w + x - g.padW;
                    int k0 = ((c * g.kt + i) * g.kh + j) * kw;
                    for (int k = 0; k < kw; k++) {
                        FloatVector v0 = FloatVector.fromArray(S, in, p + k);
                        FloatVector v1 = FloatVector.fromArray(S, in, p + k + V);
                        FloatVector b0 = FloatVector.broadcast(S, wt[w0 + k0 + k]);
                        a00 = v0.fma(b0, a00);
                        a01 = v1.fma(b0, a01);
                        FloatVector b1 = FloatVector.broadcast(S, wt[w1 + k0 + k]);
                        a10 = v0.fma(b1, a10);
                        a11 = v1.fma(b1, a11);
                        FloatVector b2 = FloatVector.broadcast(S, wt[w2 + k0 + k]);
                        a20 = v0.fma(b2, a20);
                        a21 = v1.fma(b2, a21);
                        FloatVector b3 = FloatVector.broadcast(S, wt[w3 + k0 + k]);
                        a30 = v0.fma(b3, a30);
                        a31 = v1.fma(b3, a31);
                    }
                }
            }
        }
        FloatVector[] acc = {a00, a01, a10, a11, a20, a21, a30, a31};
        for (int j = 0; j < n; j++) {
            int o = (co0 + j) * plane + outRow + x;
            float bj = b == null ? 0f : b[co0 + j];
            acc[2 * j].add(bj).intoArray(out, o);
            acc[2 * j + 1].add(bj).intoArray(out, o + V);
        }
    }

    /** One output column, any position (bounds-checked taps), same tap order as {@link #tile}. */
    private static void scalar(Geometry g, float[] in, int inOff, float[] wt, int[] wb, float[] b, float[] out,
            int plane, int outRow, int n, int co0, int t, int y, int x) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int kLo = Math.max(0, g.padW - x);
        int kHi = Math.min(g.kw, g.w + g.padW - x);
        for (int c = 0; c < g.cin; c++) {
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
                    int p = inOff + ((c * g.t + ti) * g.h + yi) * g.w + x - g.padW;
                    int k0 = ((c * g.kt + i) * g.kh + j) * g.kw;
                    for (int k = kLo; k < kHi; k++) {
                        float v = in[p + k];
                        s0 = Math.fma(v, wt[wb[0] + k0 + k], s0);
                        s1 = Math.fma(v, wt[wb[1] + k0 + k], s1);
                        s2 = Math.fma(v, wt[wb[2] + k0 + k], s2);
                        s3 = Math.fma(v, wt[wb[3] + k0 + k], s3);
                    }
                }
            }
        }
        float[] s = {s0, s1, s2, s3};
        for (int j = 0; j < n; j++) {
            out[(co0 + j) * plane + outRow + x] = s[j] + (b == null ? 0f : b[co0 + j]);
        }
    }
}
