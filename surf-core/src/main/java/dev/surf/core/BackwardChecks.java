package dev.surf.core;

/**
 * The argument checks of the gradient ops of {@link Backend} (the forward ops' checks are in
 * {@link OpChecks}): every backend calls the same method first, so a mistake reads the same on any
 * device. Messages start with the op's name and name the operands and shapes.
 */
public final class BackwardChecks {
    private BackwardChecks() {
    }

    /** What a backend without the op throws: names the op and the backend. */
    public static UnsupportedOperationException unsupported(String op, Backend be) {
        return new UnsupportedOperationException(op + " is not implemented on the " + be.name()
                + " backend (gradients run on the CPU backend)");
    }

    /** {@link Backend#linearGradInput}: dy [..., out], w [out, in]. */
    public static void linearGradInput(Tensor dy, Tensor w) {
        floating("linearGradInput", dy, w);
        if (w.rank() != 2 || dy.rank() < 1 || dy.dim(-1) != w.dim(0)) {
            throw new IllegalArgumentException("linearGradInput: dy " + dy.shape() + " does not match weight " + w.shape()
                    + " (expected dy [..., " + (w.rank() == 2 ? w.dim(0) : "out") + "] and w [out, in])");
        }
    }

    /** {@link Backend#linearGradWeight}: dy [..., out] and x [..., in] with the same rows. */
    public static void linearGradWeight(Tensor dy, Tensor x) {
        floating("linearGradWeight", dy, x);
        if (dy.rank() < 1 || x.rank() < 1 || dy.shape().rows() != x.shape().rows()) {
            throw new IllegalArgumentException("linearGradWeight: dy " + dy.shape() + " and x " + x.shape()
                    + " must have the same rows");
        }
    }

    /** {@link Backend#sumLeading}: suffix is a suffix of x's shape. */
    public static void sumLeading(Tensor x, Shape suffix) {
        floating("sumLeading", x);
        int rx = x.rank();
        int rs = suffix.rank();
        boolean ok = rs <= rx;
        for (int i = 1; ok && i <= rs; i++) {
            ok = x.dim(rx - i) == suffix.dim(rs - i);
        }
        if (!ok) {
            throw new IllegalArgumentException("sumLeading: " + suffix + " is not a suffix of " + x.shape());
        }
    }

    /** {@link Backend#activationBackward}: x and dy of one shape, an activation. */
    public static void activationBackward(Tensor x, Tensor dy, Activation act) {
        floating("activationBackward", x, dy);
        same("activationBackward", x, dy);
        if (act == null) {
            throw new IllegalArgumentException("activationBackward: no activation given");
        }
    }

    /** {@link Backend#layerNormBackward}: x and dy of one shape, weight null or D elements. */
    public static void layerNormBackward(Tensor x, Tensor weight, Tensor dy) {
        rowNorm("layerNormBackward", x, dy);
        if (weight != null && weight.numel() != x.dim(-1)) {
            throw new IllegalArgumentException("layerNormBackward: weight " + weight.shape() + " must hold " + x.dim(-1)
                    + " elements");
        }
    }

    /** {@link Backend#layerNormModulateBackward}: x and dy of one shape, scale of B x D elements. */
    public static void layerNormModulateBackward(Tensor x, Tensor scale, Tensor dy) {
        rowNorm("layerNormModulateBackward", x, dy);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        if (scale.numel() != (long) batch * x.dim(-1) || !scale.dtype().isFloating()) {
            throw new IllegalArgumentException("layerNormModulateBackward: scale " + scale + " must hold " + batch + " x "
                    + x.dim(-1) + " floating values for x " + x.shape());
        }
    }

    /** {@link Backend#rmsNormBackward}: x and dy of one shape, weight null or D elements. */
    public static void rmsNormBackward(Tensor x, Tensor weight, Tensor dy) {
        rowNorm("rmsNormBackward", x, dy);
        if (weight != null && weight.numel() != x.dim(-1)) {
            throw new IllegalArgumentException("rmsNormBackward: weight " + weight.shape() + " must hold " + x.dim(-1)
                    + " elements");
        }
    }

    /** {@link Backend#attentionBackward}: the forward's checks, out and dOut [B, Lq, H, dv], lse F32 [B, H, Lq]. */
    public static void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dOut,
                                         AttentionSpec spec) {
        OpChecks.attention(q, k, v, spec);
        Shape o = q.shape().with(3, v.dim(3));
        if (!out.shape().equals(o) || !dOut.shape().equals(o)) {
            throw new IllegalArgumentException("attentionBackward: out " + out.shape() + " and dOut " + dOut.shape()
                    + " must be " + o);
        }
        if (lse.dtype() != DType.F32 || !lse.shape().equals(Shape.of(q.dim(0), q.dim(2), q.dim(1)))) {
            throw new IllegalArgumentException("attentionBackward: lse " + lse + " must be F32 [" + q.dim(0) + ", "
                    + q.dim(2) + ", " + q.dim(1) + "]");
        }
        floating("attentionBackward", out, dOut);
    }

    /** {@link Backend#mseLoss}: two floating tensors of one shape. */
    public static void mseLoss(Tensor a, Tensor target) {
        floating("mseLoss", a, target);
        same("mseLoss", a, target);
    }

    /** {@link Backend#conv3dGradInput}: dy [Cout, To, Ho, Wo], w [Cout, Cin, kt, kh, kw], paddings that give an input of size 1 or more. */
    public static void conv3dGradInput(Tensor dy, Tensor w, int padFront, int padH, int padW) {
        floating("conv3dGradInput", dy, w);
        if (dy.rank() != 4 || w.rank() != 5 || dy.dim(0) != w.dim(0)) {
            throw new IllegalArgumentException("conv3dGradInput: dy " + dy.shape() + " must be [Cout, To, Ho, Wo] for weight "
                    + w.shape() + " [Cout, Cin, kt, kh, kw]");
        }
        pads("conv3dGradInput", padFront, padH, padW);
        if (dy.dim(1) - padFront + w.dim(2) - 1 < 1 || dy.dim(2) - 2 * padH + w.dim(3) - 1 < 1
                || dy.dim(3) - 2 * padW + w.dim(4) - 1 < 1) {
            throw new IllegalArgumentException("conv3dGradInput: dy " + dy.shape() + ", weight " + w.shape() + " and padding ("
                    + padFront + ", " + padH + ", " + padW + ") imply an empty input");
        }
    }

    /** {@link Backend#conv3dGradWeight}: dy [Cout, To, Ho, Wo], x [Cin, T, H, W], paddings that give a kernel of size 1 or more. */
    public static void conv3dGradWeight(Tensor dy, Tensor x, int padFront, int padH, int padW) {
        floating("conv3dGradWeight", dy, x);
        if (dy.rank() != 4 || x.rank() != 4) {
            throw new IllegalArgumentException("conv3dGradWeight: dy " + dy.shape() + " and x " + x.shape()
                    + " must be [Cout, To, Ho, Wo] and [Cin, T, H, W]");
        }
        pads("conv3dGradWeight", padFront, padH, padW);
        if (x.dim(1) + padFront - dy.dim(1) + 1 < 1 || x.dim(2) + 2 * padH - dy.dim(2) + 1 < 1
                || x.dim(3) + 2 * padW - dy.dim(3) + 1 < 1) {
            throw new IllegalArgumentException("conv3dGradWeight: dy " + dy.shape() + " is larger than x " + x.shape()
                    + " with padding (" + padFront + ", " + padH + ", " + padW + ") allows");
        }
    }

    private static void pads(String op, int padFront, int padH, int padW) {
        if (padFront < 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException(op + ": negative padding (" + padFront + ", " + padH + ", " + padW + ")");
        }
    }

    /** {@link Backend#channelRmsNormBackward}: the forward's checks, dy of x's shape. */
    public static void channelRmsNormBackward(Tensor x, Tensor gamma, Tensor dy) {
        OpChecks.channelRmsNorm(x, gamma);
        floating("channelRmsNormBackward", dy);
        same("channelRmsNormBackward", x, dy);
    }

    /** {@link Backend#resizeBackward}: dy [..., outH, outW], positive input sizes, a mode. */
    public static void resizeBackward(Tensor dy, int inH, int inW, ResizeMode mode) {
        floating("resizeBackward", dy);
        if (dy.rank() < 2 || inH < 1 || inW < 1 || mode == null) {
            throw new IllegalArgumentException("resizeBackward: dy " + dy.shape() + " must be [..., H, W], input size "
                    + inH + " x " + inW + " positive, mode " + mode + " given");
        }
    }

    /** {@link Backend#embeddingBackward}: dy [n, dim] with one row per id, ids inside [0, vocab). */
    public static void embeddingBackward(Tensor dy, int[] ids, int vocab) {
        floating("embeddingBackward", dy);
        if (dy.rank() != 2 || ids == null || dy.dim(0) != ids.length) {
            throw new IllegalArgumentException("embeddingBackward: dy " + dy.shape() + " must be [n, dim] with n = "
                    + (ids == null ? "the number of ids" : ids.length + " ids"));
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("embeddingBackward: id " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    /** {@link Backend#l1Loss}/{@link Backend#l1LossGrad}: two floating tensors of one shape. */
    public static void l1Loss(Tensor a, Tensor target) {
        floating("l1Loss", a, target);
        same("l1Loss", a, target);
    }

    private static void rowNorm(String op, Tensor x, Tensor dy) {
        floating(op, x, dy);
        same(op, x, dy);
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": input must be [..., D], got a scalar");
        }
    }

    private static void same(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + a.shape() + " and " + b.shape());
        }
    }

    private static void floating(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException(op + " needs floating tensors, got " + t);
            }
        }
    }
}
