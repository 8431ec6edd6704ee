package dev.surf.core;

/**
 * {@link Backend#conv3d} (stride 1, causal front padding in time, symmetric padding in height and width)
 * built from a backend's GEMM and copy ops alone: one {@link Backend#linearResidual} per (time, height)
 * tap pair over a zero-padded channels-last copy of the input.
 *
 * <p>Why: a backend with a fast, verified GEMM (tensor cores) gets a fast convolution out of ops it has
 * already verified, without a convolution kernel of its own. The CUDA backend offers it as a conv3d
 * path next to its direct and implicit-GEMM kernels.
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
 * <p>Precision: the operands are multiplied in the {@code operands} dtype (the input and weights are
 * converted to it first) with F32 accumulation; results agree with the CPU's conv3d to the rounding of
 * that dtype, not bit for bit (the sum runs tap pair by tap pair). Memory: the widened operand is kw
 * times the padded input in that dtype, plus the F32 accumulator of the padded output grid.
 */
public final class TapGemmConv3d {
    private TapGemmConv3d() {
    }

    /**
     * The convolution of {@link Backend#conv3d} computed on {@code be} with operands in {@code operands}
     * (F32, BF16 or F16) and F32 accumulation; the result has x's dtype.
     */
    public static Tensor conv3d(Backend be, Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW,
                                DType operands) {
        OpChecks.conv3d(x, w, bias, padFront, padH, padW);
        if (!operands.isFloating()) {
            throw new IllegalArgumentException("conv3d: GEMM operands must be a floating dtype, got " + operands);
        }
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
        long wideRows = inRows - (kw - 1);
        if (inRows > Integer.MAX_VALUE || (long) kw * cin > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv3d: input " + x.shape() + " padded to " + tp + " x " + hp + " x "
                    + wp + " exceeds the GEMM path's int row range");
        }
        try (TensorScope s = new TensorScope()) {
            Tensor xo = x.dtype() == operands ? x : s.track(be.convert(x, operands));
            Tensor cl = s.track(be.permute(xo, 1, 2, 3, 0));
            cl = pad(be, s, cl, 2, padW);
            cl = pad(be, s, cl, 1, padH);
            Tensor rows = cl.view((int) (x.dim(1) * plane), cin);
            rows = withZeroRows(be, s, rows, padFront * plane, slack);
            Tensor wide = rows;
            if (kw > 1) {
                Tensor[] shifted = new Tensor[kw];
                for (int k = 0; k < kw; k++) {
                    shifted[k] = rows.slice(k, (int) (k + wideRows));
                }
                wide = s.track(be.concat(1, shifted));
            }
            Tensor wo = w.dtype() == operands ? w : s.track(be.convert(w, operands));
            // [Cout, Cin, kt, kh, kw] -> [kt, kh, Cout, kw, Cin]: tap pair (i, j) is rows (i kh + j) Cout ..
            Tensor taps = s.track(be.permute(wo, 2, 3, 0, 4, 1)).view(kt * kh * cout, kw * cin);
            Tensor acc = s.track(be.zeros(DType.F32, Shape.of((int) outRows, cout)));
            for (int i = 0; i < kt; i++) {
                for (int j = 0; j < kh; j++) {
                    int offset = (int) ((i * hp + j) * (long) wp);
                    int tap = (i * kh + j) * cout;
                    be.linearResidual(acc, wide.slice(offset, (int) (offset + outRows)), taps.slice(tap, tap + cout),
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
        java.util.List<Tensor> parts = new java.util.ArrayList<>(3);
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
