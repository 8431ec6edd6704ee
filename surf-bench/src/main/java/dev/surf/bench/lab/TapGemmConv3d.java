package dev.surf.bench.lab;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.OpChecks;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Backend#conv3d} (stride 1, causal front padding in time, symmetric padding in height and width)
 * built from a backend's GEMM and copy ops alone: one {@link Backend#linearResidual} per (time, height)
 * tap pair over a zero-padded channels-last copy of the input.
 *
 * <p>Why: a backend with a fast, verified GEMM (tensor cores) gets a fast convolution out of ops it has
 * already verified, without a convolution kernel of its own. Lab variant (cuda/lab/README.md): on an
 * H100 (2026-11-22) it ran 1.6-4.6x slower than the CUDA backend's implicit-GEMM kernel and was never
 * AUTO's choice, so it left the backend's dispatch (it was ConvPath.TAPS, TAPS_BF16, TAPS_BF16X3);
 * {@link TapConvBackend} routes a model's convolutions through it, GpuKernelBench times it.
 *
 * <p>How: the input is copied to [T', H', W', Cin] (T' = padFront + T, H' = H + 2 padH, W' = W + 2 padW,
 * zeros in the padding) and read as rows of Cin. Output position (t, y, x), taken on the padded grid
 * as row p = (t H' + y) W' + x, reads input row p + (i H' + j) W' + k under tap (i, j, k), so for one
 * tap the operand is a single contiguous [rows, Cin] block of that copy starting at a fixed offset.
 * Laying the kw width taps side by side (row r of the widened operand holds input rows r .. r + kw - 1:
 * one concat of kw shifted views) leaves kt x kh GEMMs with K = kw Cin, each accumulated into one F32
 * [To H' W', Cout] matrix. Grid positions with y >= Ho or x >= Wo are computed and dropped (their taps
 * run into the next image row or into zero rows appended at the end); at the Wan-VAE's frame sizes that
 * is under 1 % extra work. The kept positions are cropped and permuted back to [Cout, To, Ho, Wo].
 *
 * <p>Precision ({@link Operands}): F32 operands agree with the CPU's conv3d to F32 rounding (the sum
 * runs tap pair by tap pair, so not bit for bit); BF16 rounds x and W to bf16; BF16X3 splits each into
 * a bf16 high part and a bf16 remainder and sums three products (hi hi + lo hi + hi lo) in one GEMM of
 * three times the depth, which is nearly F32 precision on bf16 tensor cores. Accumulation is F32
 * throughout. Memory: the widened operand is kw times the padded input per part, plus the F32
 * accumulator of the padded output grid.
 */
public final class TapGemmConv3d {
    /** How the GEMM operands are represented. */
    public enum Operands {
        /** x and W in F32: CUDA cores on the CUDA backend; F32 rounding only. */
        F32,
        /** x and W rounded to bf16 (tensor cores): 2^-9 relative per operand. */
        BF16,
        /**
         * x = hi + lo and W = Hi + Lo with bf16 parts (hi = bf16(x), lo = bf16(x - hi)) and the product
         * taken as hi Hi + lo Hi + hi Lo: about 2^-16 relative per product, on tensor cores, with three
         * times the GEMM depth of BF16.
         */
        BF16X3
    }

    private TapGemmConv3d() {
    }

    /**
     * The convolution of {@link Backend#conv3d} computed on {@code be} with the given operand
     * representation and F32 accumulation; the result has x's dtype.
     */
    public static Tensor conv3d(Backend be, Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW,
                                Operands operands) {
        OpChecks.conv3d(x, w, bias, padFront, padH, padW);
        int cin = x.dim(0);
        int cout = w.dim(0);
        int kt = w.dim(2);
        int kh = w.dim(3);
        int kw = w.dim(4);
        int hp = x.dim(2) + 2 * padH;
        int wp = x.dim(3) + 2 * padW;
        int tp = x.dim(1) + padFront;
        int to = tp - kt + 1;
        long plane = (long) hp * wp;
        long outRows = to * plane;
        // the last kept position reads up to (kh - 1) W' + kw - 1 rows past the padded frames (dropped
        // positions read further, into these zero rows)
        long slack = (long) (kh - 1) * wp + kw - 1;
        long inRows = tp * plane + slack;
        int parts = operands == Operands.BF16X3 ? 3 : 1;
        if (inRows > Integer.MAX_VALUE || (long) parts * kw * cin > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv3d: input " + x.shape() + " padded to " + tp + " x " + hp + " x "
                    + wp + " exceeds the GEMM path's int row range");
        }
        try (TensorScope s = new TensorScope()) {
            // [Cout, Cin, kt, kh, kw] -> [kt, kh, Cout, kw, Cin]: tap pair (i, j) is rows (i kh + j) Cout ..
            Shape tapRows = Shape.of(kt * kh * cout, kw * cin);
            Tensor a;
            Tensor taps;
            if (operands == Operands.BF16X3) {
                Tensor[] xs = split(be, s, x);
                Tensor[] ws = split(be, s, w);
                Tensor hi = rows(be, s, xs[0], padFront, padH, padW, slack);
                Tensor lo = rows(be, s, xs[1], padFront, padH, padW, slack);
                a = widen(be, s, kw, inRows, hi, lo, hi);
                Tensor wHi = s.track(be.permute(ws[0], 2, 3, 0, 4, 1)).view(tapRows);
                Tensor wLo = s.track(be.permute(ws[1], 2, 3, 0, 4, 1)).view(tapRows);
                taps = s.track(be.concat(1, wHi, wHi, wLo));
            } else {
                DType dt = operands == Operands.F32 ? DType.F32 : DType.BF16;
                Tensor xo = x.dtype() == dt ? x : s.track(be.convert(x, dt));
                a = widen(be, s, kw, inRows, rows(be, s, xo, padFront, padH, padW, slack));
                Tensor wo = w.dtype() == dt ? w : s.track(be.convert(w, dt));
                taps = s.track(be.permute(wo, 2, 3, 0, 4, 1)).view(tapRows);
            }
            Tensor acc = s.track(be.zeros(DType.F32, Shape.of((int) outRows, cout)));
            for (int i = 0; i < kt; i++) {
                for (int j = 0; j < kh; j++) {
                    int offset = (int) ((i * hp + j) * (long) wp);
                    int tap = (i * kh + j) * cout;
                    be.linearResidual(acc, a.slice(offset, (int) (offset + outRows)), taps.slice(tap, tap + cout),
                            i == 0 && j == 0 ? bias : null, null);
                }
            }
            Tensor grid = acc.view(to, hp, wp, cout);
            int ho = hp - kh + 1;
            int wout = wp - kw + 1;
            if (ho < hp) {
                grid = s.track(be.narrow(grid, 1, 0, ho));
            }
            if (wout < wp) {
                grid = s.track(be.narrow(grid, 2, 0, wout));
            }
            Tensor y = s.track(be.permute(grid, 3, 0, 1, 2));
            if (x.dtype() != DType.F32) {
                y = s.track(be.convert(y, x.dtype()));
            }
            return s.keep(y);
        }
    }

    /** {bf16(t), bf16(t - bf16(t))}: the remainder is exact in F32, so hi + lo keeps 16 mantissa bits of t. */
    private static Tensor[] split(Backend be, TensorScope s, Tensor t) {
        Tensor hi = s.track(be.convert(t, DType.BF16));
        Tensor hi32 = s.track(be.convert(hi, DType.F32));
        Tensor t32 = t.dtype() == DType.F32 ? t : s.track(be.convert(t, DType.F32));
        Tensor rest = s.track(be.combine(new float[] {1f, -1f}, t32, hi32));
        return new Tensor[] {hi, s.track(be.convert(rest, DType.BF16))};
    }

    /**
     * x [Cin, T, H, W] as the rows of a zero-padded channels-last copy: [padFront H' W' + T H' W' + slack,
     * Cin], padFront zero frames first and slack zero rows last.
     */
    private static Tensor rows(Backend be, TensorScope s, Tensor x, int padFront, int padH, int padW, long slack) {
        Tensor cl = s.track(be.permute(x, 1, 2, 3, 0));
        cl = pad(be, s, cl, 2, padW);
        cl = pad(be, s, cl, 1, padH);
        long plane = (long) cl.dim(1) * cl.dim(2);
        Tensor rows = cl.view((int) (cl.dim(0) * plane), cl.dim(3));
        return withZeroRows(be, s, rows, padFront * plane, slack);
    }

    /**
     * The GEMM operand: row r holds rows r .. r + kw - 1 of every part, side by side (part-major), for
     * the inRows - (kw - 1) rows where all of them exist. One part and kw = 1 is the part itself.
     */
    private static Tensor widen(Backend be, TensorScope s, int kw, long inRows, Tensor... parts) {
        if (kw == 1 && parts.length == 1) {
            return parts[0];
        }
        int wideRows = (int) (inRows - (kw - 1));
        Tensor[] shifted = new Tensor[parts.length * kw];
        for (int p = 0; p < parts.length; p++) {
            for (int k = 0; k < kw; k++) {
                shifted[p * kw + k] = parts[p].slice(k, k + wideRows);
            }
        }
        return s.track(be.concat(1, shifted));
    }

    /** x with {@code pad} zero slices added on both sides of axis (x itself when pad is 0). */
    private static Tensor pad(Backend be, TensorScope s, Tensor x, int axis, int pad) {
        if (pad == 0) {
            return x;
        }
        Tensor zeros = s.track(be.zeros(x.dtype(), x.shape().with(axis, pad)));
        return s.track(be.concat(axis, zeros, x, zeros));
    }

    /** rows with {@code front} zero rows before and {@code back} after (rows itself when both are 0). */
    private static Tensor withZeroRows(Backend be, TensorScope s, Tensor rows, long front, long back) {
        if (front == 0 && back == 0) {
            return rows;
        }
        int cols = rows.dim(1);
        List<Tensor> parts = new ArrayList<>(3);
        if (front > 0) {
            parts.add(s.track(be.zeros(rows.dtype(), Shape.of((int) front, cols))));
        }
        parts.add(rows);
        if (back > 0) {
            parts.add(s.track(be.zeros(rows.dtype(), Shape.of((int) back, cols))));
        }
        return s.track(be.concat(0, parts.toArray(Tensor[]::new)));
    }
}
