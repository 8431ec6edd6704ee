package dev.surf.core;

import java.util.Arrays;

/** Argument checks shared by every backend, so a mistake gets the same message on any device. */
public final class OpChecks {
    private OpChecks() {
    }

    /** {@link Backend#embedding}: a 2-D table and at least one id, every id inside the vocabulary. */
    public static void embedding(Tensor table, int[] ids) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("embedding: table must be [vocab, dim], got " + table.shape());
        }
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("embedding: at least one id is needed");
        }
        int vocab = table.dim(0);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ") of table " + table.shape());
            }
        }
    }

    /**
     * {@link Backend#permute}: axes must be a permutation of x's axes (rank at most 8); returns the
     * output dims, x's dims in the order of axes.
     */
    public static int[] permute(Tensor x, int[] axes) {
        int r = x.rank();
        if (axes.length != r || r > 8) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(axes) + " is not a permutation of the "
                    + r + " axes of " + x.shape() + " (rank at most 8)");
        }
        boolean[] seen = new boolean[r];
        int[] outDims = new int[r];
        for (int i = 0; i < r; i++) {
            if (axes[i] < 0 || axes[i] >= r || seen[axes[i]]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(axes) + " is not a permutation of "
                        + r + " axes");
            }
            seen[axes[i]] = true;
            outDims[i] = x.dim(axes[i]);
        }
        return outDims;
    }

    /** {@link Backend#concat}: returns the axis made non-negative; ranks, dtypes and other dimensions must agree. */
    public static int concat(int axis, Tensor[] parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat needs at least one tensor");
        }
        Tensor first = parts[0];
        int r = first.rank();
        int ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax >= r) {
            throw new IllegalArgumentException("concat: axis " + axis + " out of range for rank " + r);
        }
        for (Tensor p : parts) {
            if (p.rank() != r || p.dtype() != first.dtype()) {
                throw new IllegalArgumentException("concat: " + p + " does not match " + first);
            }
            for (int d = 0; d < r; d++) {
                if (d != ax && p.dim(d) != first.dim(d)) {
                    throw new IllegalArgumentException("concat along " + ax + ": " + p.shape() + " vs " + first.shape());
                }
            }
        }
        return ax;
    }

    /** {@link Backend#add}/{@link Backend#mul}: b's shape must be a suffix of a's. */
    public static void broadcastSuffix(String op, Tensor a, Tensor b) {
        int ra = a.rank();
        int rb = b.rank();
        boolean suffix = rb <= ra;
        for (int i = 1; suffix && i <= rb; i++) {
            suffix = a.dim(ra - i) == b.dim(rb - i);
        }
        if (!suffix) {
            throw new IllegalArgumentException(op + ": shape " + b.shape() + " is not a suffix of " + a.shape());
        }
    }

    /** {@link Backend#rope}: x [B, L, H, d] with even d, cos and sin [L, d/2]. */
    public static void rope(Tensor x, Tensor cos, Tensor sin) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("rope: x must be [B, L, H, d], got " + x.shape());
        }
        int l = x.dim(1);
        int d = x.dim(3);
        int half = d / 2;
        if (d % 2 != 0 || cos.numel() != (long) l * half || sin.numel() != (long) l * half) {
            throw new IllegalArgumentException("rope: cos " + cos.shape() + " and sin " + sin.shape()
                    + " must be [" + l + ", " + half + "] for x " + x.shape());
        }
    }

    /**
     * {@link Backend#conv3d}: x [Cin, T, H, W], w [Cout, Cin, kt, kh, kw], bias [Cout] or null, padding
     * non-negative, floating dtypes, and a non-empty output.
     */
    public static void conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
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
        if (!x.dtype().isFloating() || !w.dtype().isFloating() || (bias != null && !bias.dtype().isFloating())) {
            throw new IllegalArgumentException("conv3d needs floating tensors, got input " + x.dtype() + ", weight "
                    + w.dtype() + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        int to = x.dim(1) + padFront - w.dim(2) + 1;
        int ho = x.dim(2) + 2 * padH - w.dim(3) + 1;
        int wo = x.dim(3) + 2 * padW - w.dim(4) + 1;
        if (to < 1 || ho < 1 || wo < 1 || w.dim(2) < 1 || w.dim(3) < 1 || w.dim(4) < 1) {
            throw new IllegalArgumentException("conv3d: kernel " + w.shape() + " with padding (front " + padFront + ", "
                    + padH + ", " + padW + ") leaves no output for input " + x.shape());
        }
    }
}
