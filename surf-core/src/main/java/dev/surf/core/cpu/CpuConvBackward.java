package dev.surf.core.cpu;

import dev.surf.core.BackwardChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two gradients of {@link dev.surf.core.Backend#conv3d} (stride 1, zero padding, causal in time):
 * <pre>dx[c, t, y, x]    = sum over (o, i, j, k) of dy[o, t + pf - i, y + ph - j, x + pw - k] w[o, c, i, j, k]
 * dw[o, c, i, j, k] = sum over (t, y, x) of dy[o, t, y, x] xpad[c, t + i, y + j, x + k]</pre>
 * (terms outside dy or x are zero), both accumulated in F32 with fused multiply-adds.
 *
 * <p>dx is a correlation of dy with the flipped, channel-transposed kernel and runs on the forward's
 * implicit GEMM ({@link CpuConv#correlate}); the paddings become kt - 1 - pf frames in front, and
 * kh - 1 - ph, kw - 1 - pw around (negative ones crop dy), and the output's extra kt - 1 frames at the
 * back read zeros, which the forward's bounds checks already provide.
 *
 * <p>dw is a GEMM with the positions as its reduction: per group of input channels, tiles of dy
 * positions are gathered into a patch panel [taps, Q] as in the forward and multiplied into vector
 * accumulators, one lane per residue of the position, 4 output channels x 2 taps at a time; the lanes
 * are summed once at the end. Work is split over channel groups only, so each element is one sum in
 * a fixed order and the result does not depend on the thread count. The double-precision definition
 * the tests compare with is {@code dev.surf.core.testing.Conv3dGradReference}.
 */
final class CpuConvBackward {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** dy positions per weight-gradient tile (a multiple of V); the panel [taps, Q] stays in L1/L2. */
    private static final int Q = Math.max(256, 4 * V);
    /** Taps per weight-gradient work item at least, so that small kernels group several channels. */
    private static final int MIN_TAPS = 8;

    private CpuConvBackward() {
    }

    static Tensor gradInput(CpuBackend be, Tensor dy, Tensor w, int pf, int ph, int pw) {
        BackwardChecks.conv3dGradInput(dy, w, pf, ph, pw);
        int cout = w.dim(0), cin = w.dim(1), kt = w.dim(2), kh = w.dim(3), kw = w.dim(4);
        int t = dy.dim(1) - pf + kt - 1, h = dy.dim(2) - 2 * ph + kh - 1, wd = dy.dim(3) - 2 * pw + kw - 1;
        CpuConv.Geometry g = new CpuConv.Geometry(cout, dy.dim(1), dy.dim(2), dy.dim(3), cin, kt, kh, kw,
                kt - 1 - pf, kh - 1 - ph, kw - 1 - pw, t, h, wd);
        float[] dx = CpuConv.correlate(be, g, CpuTensors.f32View(dy), 0, flipped(CpuTensors.f32View(w), g), 0, null,
                "conv3dGradInput");
        return be.wrap(dx, Shape.of(cin, t, h, wd));
    }

    /** wf[c, o, i, j, k] = w[o, c, kt - 1 - i, kh - 1 - j, kw - 1 - k] for the adjoint geometry g (cin = Cout). */
    private static float[] flipped(float[] w, CpuConv.Geometry g) {
        int vol = g.kt() * g.kh() * g.kw();
        float[] wf = new float[w.length];
        for (int o = 0; o < g.cin(); o++) {
            for (int c = 0; c < g.cout(); c++) {
                int src = (o * g.cout() + c) * vol;
                int dst = (c * g.cin() + o) * vol;
                for (int k = 0; k < vol; k++) {
                    // reversing the flat (i, j, k) index reverses each of i, j and k
                    wf[dst + vol - 1 - k] = w[src + k];
                }
            }
        }
        return wf;
    }

    static Tensor gradWeight(CpuBackend be, Tensor dy, Tensor x, int pf, int ph, int pw) {
        BackwardChecks.conv3dGradWeight(dy, x, pf, ph, pw);
        int cout = dy.dim(0), cin = x.dim(0);
        int kt = x.dim(1) + pf - dy.dim(1) + 1, kh = x.dim(2) + 2 * ph - dy.dim(2) + 1, kw = x.dim(3) + 2 * pw - dy.dim(3) + 1;
        CpuConv.Geometry g = new CpuConv.Geometry(cin, x.dim(1), x.dim(2), x.dim(3), cout, kt, kh, kw, pf, ph, pw,
                dy.dim(1), dy.dim(2), dy.dim(3));
        int vol = kt * kh * kw;
        float[] dyf = CpuTensors.f32View(dy);
        float[] xf = CpuTensors.f32View(x);
        float[] dw = new float[CpuTensors.checkedInt((long) cout * cin * vol, "conv3dGradWeight")];
        int group = Math.min(cin, (MIN_TAPS + vol - 1) / vol);
        int items = (cin + group - 1) / group;
        int rows = (cout + 3) & ~3;
        int taps = CpuTensors.checkedInt(((long) group * vol + 1) & ~1L, "conv3dGradWeight panel");
        int q = Math.min(Q, (g.plane() + V - 1) / V * V);
        CpuTensors.checkedInt((long) rows * taps * V + (long) taps * q, "conv3dGradWeight accumulators");
        be.pool().forRange(items, 1, (lo, hi) -> {
            float[] panel = new float[taps * q];
            float[] dyTile = new float[rows * q];
            float[] acc = new float[rows * taps * V];
            for (int item = lo; item < hi; item++) {
                int c0 = item * group;
                int c1 = Math.min(cin, c0 + group);
                Arrays.fill(acc, 0f);
                for (int t = 0; t < g.to(); t++) {
                    for (int p0 = 0; p0 < g.plane(); p0 += q) {
                        int len = Math.min(q, g.plane() - p0);
                        CpuConv.gather(g, xf, 0, panel, q, c0, c1, t, p0, len);
                        for (int o = 0; o < cout; o++) {
                            System.arraycopy(dyf, (o * g.to() + t) * g.plane() + p0, dyTile, o * q, len);
                            if (len < q) {
                                Arrays.fill(dyTile, o * q + len, o * q + q, 0f);
                            }
                        }
                        int steps = (len + V - 1) / V * V;
                        for (int k = 0; k < taps; k += 2) {
                            for (int o = 0; o < rows; o += 4) {
                                accumulate(panel, dyTile, acc, q, taps, k, o, steps);
                            }
                        }
                    }
                }
                int n = (c1 - c0) * vol;
                for (int o = 0; o < cout; o++) {
                    for (int k = 0; k < n; k++) {
                        dw[o * cin * vol + c0 * vol + k] = sumLanes(acc, (o * taps + k) * V);
                    }
                }
            }
        });
        return be.wrap(dw, Shape.of(cout, cin, kt, kh, kw));
    }

    /**
     * acc[o + r, k + s] += dyTile[o + r, :] * panel[k + s, :] lane by lane over the first {@code steps}
     * positions (a multiple of V; the rest of the tile is zero in both) for r < 4, s < 2.
     */
    private static void accumulate(float[] panel, float[] dyTile, float[] acc, int q, int taps, int k, int o, int steps) {
        int a00 = (o * taps + k) * V, a01 = a00 + V;
        int a10 = a00 + taps * V, a11 = a10 + V;
        int a20 = a10 + taps * V, a21 = a20 + V;
        int a30 = a20 + taps * V, a31 = a30 + V;
        FloatVector s00 = FloatVector.fromArray(S, acc, a00);
        FloatVector s01 = FloatVector.fromArray(S, acc, a01);
        FloatVector s10 = FloatVector.fromArray(S, acc, a10);
        FloatVector s11 = FloatVector.fromArray(S, acc, a11);
        FloatVector s20 = FloatVector.fromArray(S, acc, a20);
        FloatVector s21 = FloatVector.fromArray(S, acc, a21);
        FloatVector s30 = FloatVector.fromArray(S, acc, a30);
        FloatVector s31 = FloatVector.fromArray(S, acc, a31);
        int p = k * q, d = o * q;
        for (int i = 0; i < steps; i += V) {
            FloatVector x0 = FloatVector.fromArray(S, panel, p + i);
            FloatVector x1 = FloatVector.fromArray(S, panel, p + q + i);
            FloatVector d0 = FloatVector.fromArray(S, dyTile, d + i);
            s00 = d0.fma(x0, s00);
            s01 = d0.fma(x1, s01);
            FloatVector d1 = FloatVector.fromArray(S, dyTile, d + q + i);
            s10 = d1.fma(x0, s10);
            s11 = d1.fma(x1, s11);
            FloatVector d2 = FloatVector.fromArray(S, dyTile, d + 2 * q + i);
            s20 = d2.fma(x0, s20);
            s21 = d2.fma(x1, s21);
            FloatVector d3 = FloatVector.fromArray(S, dyTile, d + 3 * q + i);
            s30 = d3.fma(x0, s30);
            s31 = d3.fma(x1, s31);
        }
        s00.intoArray(acc, a00);
        s01.intoArray(acc, a01);
        s10.intoArray(acc, a10);
        s11.intoArray(acc, a11);
        s20.intoArray(acc, a20);
        s21.intoArray(acc, a21);
        s30.intoArray(acc, a30);
        s31.intoArray(acc, a31);
    }

    /** The V lanes from acc[at] summed in lane order (in double, then rounded once). */
    private static float sumLanes(float[] acc, int at) {
        double s = 0;
        for (int l = 0; l < V; l++) {
            s += acc[at + l];
        }
        return (float) s;
    }
}
