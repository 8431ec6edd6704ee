package dev.surf.core;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The argument checks of every {@link Backend} op, shared by every backend: the CPU and the CUDA backend
 * call the same method first in each op, so a mistake gets the same {@link IllegalArgumentException}
 * with the same message on any device, and a backend cannot accept what the reference refuses. The
 * checks are the contract's: shapes, ranks, dtypes, broadcasting, axis ranges, paddings, key lengths,
 * bias and window shapes, arities, sizes and bounds. What one device cannot do on arguments the
 * contract allows (grid limits, 32-bit offsets, a kernel's head-dim limit, the CPU's 2^31-element
 * arrays) stays in that device's code.
 *
 * <p>Messages start with the op's name and name the operand and the shapes involved.
 */
public final class OpChecks {
    private OpChecks() {
    }

    // ---------------------------------------------------------------- memory and copies

    /** {@link Backend#fromFloats}: one float per element. */
    public static void fromFloats(float[] data, Shape shape) {
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("fromFloats: " + data.length + " floats for shape " + shape);
        }
    }

    /** {@link Backend#fromBytes}: exactly the bytes of dtype x shape. */
    public static void fromBytes(DType dtype, Shape shape, MemorySegment bytes) {
        byteCount("fromBytes", dtype, shape, bytes);
    }

    /** {@link Backend#loadWeight}: exactly the bytes of stored x shape. */
    public static void loadWeight(DType stored, Shape shape, MemorySegment bytes) {
        byteCount("loadWeight", stored, shape, bytes);
    }

    private static void byteCount(String op, DType dtype, Shape shape, MemorySegment bytes) {
        long need = shape.numel() * dtype.byteSize();
        if (bytes.byteSize() != need) {
            throw new IllegalArgumentException(op + ": " + bytes.byteSize() + " bytes given for " + dtype + shape
                    + " which needs " + need);
        }
    }

    /** {@link Backend#toFloats}: returns the element count, which must fit one Java array. */
    public static int toFloats(Tensor t) {
        if (t.numel() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("toFloats: tensor too large for one array: " + t);
        }
        return (int) t.numel();
    }

    /** {@link Backend#copyToHost}: a destination of exactly the tensor's bytes. */
    public static void copyToHost(Tensor t, MemorySegment dst) {
        if (dst.byteSize() != t.byteSize()) {
            throw new IllegalArgumentException("copyToHost: destination has " + dst.byteSize() + " bytes, tensor "
                    + t + " has " + t.byteSize());
        }
    }

    /** {@link Backend#convert}: a target dtype. */
    public static void convert(Tensor x, DType to) {
        if (to == null) {
            throw new IllegalArgumentException("convert: no target dtype for " + x);
        }
    }

    /** {@link Backend#copy}: same dtype and element count. */
    public static void copy(Tensor src, Tensor dst) {
        if (src.dtype() != dst.dtype() || src.numel() != dst.numel()) {
            throw new IllegalArgumentException("copy: " + src + " into " + dst + ": dtype and element count must match");
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

    /**
     * {@link Backend#concat}: returns the axis made non-negative; ranks, dtypes and other dimensions must
     * agree, and the joined dimension must fit an int.
     */
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
        long total = 0;
        for (Tensor p : parts) {
            if (p.rank() != r || p.dtype() != first.dtype()) {
                throw new IllegalArgumentException("concat: " + p + " does not match " + first);
            }
            for (int d = 0; d < r; d++) {
                if (d != ax && p.dim(d) != first.dim(d)) {
                    throw new IllegalArgumentException("concat along " + ax + ": " + p.shape() + " vs " + first.shape());
                }
            }
            total += p.dim(ax);
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("concat: dimension " + ax + " would be " + total);
        }
        return ax;
    }

    /**
     * {@link Backend#narrow}: returns the axis made non-negative; [start, start + length) must lie inside
     * that axis.
     */
    public static int narrow(Tensor x, int axis, int start, int length) {
        int r = x.rank();
        int ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax >= r) {
            throw new IllegalArgumentException("narrow: axis " + axis + " out of range for " + x.shape());
        }
        if (start < 0 || length < 0 || (long) start + length > x.dim(ax)) {
            throw new IllegalArgumentException("narrow: [" + start + ", " + ((long) start + length) + ") is outside axis "
                    + ax + " of " + x.shape());
        }
        return ax;
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

    /** {@link Backend#fillNormal}: a floating tensor. */
    public static void fillNormal(Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("fillNormal needs a floating tensor, got " + t);
        }
    }

    // ---------------------------------------------------------------- linear algebra

    /** {@link Backend#linear}: w [out, in] for x [..., in], bias [out] or null, floating operands. */
    public static void linear(Tensor x, Tensor w, Tensor bias) {
        gemmOperands("linear", x, w, bias);
    }

    /**
     * {@link Backend#linearResidual}: linear's operands, an F32 residual with one row of out per row of
     * x, and gate [B, out] (B = x.dim(0) for rank 3 and more, else 1) or null.
     */
    public static void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        gemmOperands("linearResidual", x, w, bias);
        int out = w.dim(0);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        long rows = x.shape().rows();
        if (residual.dtype() != DType.F32 || residual.numel() != rows * out) {
            throw new IllegalArgumentException("linearResidual: residual " + residual + " must be F32 with " + rows + " x "
                    + out + " elements");
        }
        if (gate != null && (gate.numel() != (long) batch * out || !gate.dtype().isFloating())) {
            throw new IllegalArgumentException("linearResidual: gate " + gate + " must be floating and hold " + batch + " x "
                    + out);
        }
    }

    private static void gemmOperands(String op, Tensor x, Tensor w, Tensor bias) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": input must be [..., in], got a scalar");
        }
        int in = x.dim(-1);
        if (w.rank() != 2 || w.dim(1) != in) {
            throw new IllegalArgumentException(op + ": weight " + w.shape() + " does not match input " + x.shape()
                    + " (expected [out, " + in + "])");
        }
        if (bias != null && bias.numel() != w.dim(0)) {
            throw new IllegalArgumentException(op + ": bias " + bias.shape() + " does not match weight " + w.shape());
        }
        if (!x.dtype().isFloating() || !w.dtype().isFloating() || (bias != null && !bias.dtype().isFloating())) {
            throw new IllegalArgumentException(op + " needs floating operands, got x " + x + ", W " + w
                    + (bias == null ? "" : ", bias " + bias));
        }
    }

    // ---------------------------------------------------------------- normalisation and position

    /** {@link Backend#layerNorm}: floating x and output, weight and bias (each optional) of x.dim(-1) floats. */
    public static void layerNorm(Tensor x, Tensor weight, Tensor bias, DType out) {
        rowNorm("layerNorm", x, out);
        vector(weight, x.dim(-1), "layerNorm weight");
        vector(bias, x.dim(-1), "layerNorm bias");
    }

    /** {@link Backend#layerNormModulate}: floating x and output, shift and scale of B x D floats. */
    public static void layerNormModulate(Tensor x, Tensor shift, Tensor scale, DType out) {
        rowNorm("layerNormModulate", x, out);
        int d = x.dim(-1);
        int batch = x.rank() >= 3 ? x.dim(0) : 1;
        if (shift.numel() != (long) batch * d || scale.numel() != (long) batch * d) {
            throw new IllegalArgumentException("layerNormModulate: shift " + shift.shape() + " and scale " + scale.shape()
                    + " must hold " + batch + " x " + d + " values for x " + x.shape());
        }
        if (!shift.dtype().isFloating() || !scale.dtype().isFloating()) {
            throw new IllegalArgumentException("layerNormModulate needs floating shift and scale, got " + shift + " and "
                    + scale);
        }
    }

    /** {@link Backend#rmsNorm}: floating x, weight (optional) of x.dim(-1) floats. */
    public static void rmsNorm(Tensor x, Tensor weight) {
        rowNorm("rmsNorm", x, x.dtype());
        vector(weight, x.dim(-1), "rmsNorm weight");
    }

    private static void rowNorm(String op, Tensor x, DType out) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": input must be [..., D], got a scalar");
        }
        if (!x.dtype().isFloating() || out == null || !out.isFloating()) {
            throw new IllegalArgumentException(op + " needs floating input and output, got " + x + " -> " + out);
        }
    }

    private static void vector(Tensor t, int d, String what) {
        if (t != null && t.numel() != d) {
            throw new IllegalArgumentException(what + " has shape " + t.shape() + ", expected " + d + " elements");
        }
        if (t != null && !t.dtype().isFloating()) {
            throw new IllegalArgumentException(what + " must be floating, got " + t);
        }
    }

    /** {@link Backend#channelRmsNorm}: x [C, ...] and gamma of C elements, floating. */
    public static void channelRmsNorm(Tensor x, Tensor gamma) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("channelRmsNorm: input must be [C, ...], got a scalar");
        }
        int c = x.dim(0);
        if (gamma.numel() != c) {
            throw new IllegalArgumentException("channelRmsNorm: gamma " + gamma.shape() + " must hold " + c
                    + " values for input " + x.shape());
        }
        if (!x.dtype().isFloating() || !gamma.dtype().isFloating()) {
            throw new IllegalArgumentException("channelRmsNorm needs floating tensors, got " + x + " and " + gamma);
        }
    }

    /** {@link Backend#rope}: x [B, L, H, d] with even d, cos and sin [L, d/2], all floating. */
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
        if (!x.dtype().isFloating() || !cos.dtype().isFloating() || !sin.dtype().isFloating()) {
            throw new IllegalArgumentException("rope needs floating tensors, got x " + x + ", cos " + cos + ", sin " + sin);
        }
    }

    // ---------------------------------------------------------------- attention

    /**
     * {@link Backend#attention}: q [B, Lq, H, d], k [B, Lk, H, d], v [B, Lk, H, dv], floating; key
     * lengths one per batch item; bias F32 [H, Lq, Lk]; a time window needs Lq == Lk == its tokens.
     */
    public static void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new IllegalArgumentException("attention: q, k, v must be [B, L, H, d], got " + q.shape() + ", "
                    + k.shape() + ", " + v.shape());
        }
        if (k.dim(0) != q.dim(0) || v.dim(0) != q.dim(0) || k.dim(2) != q.dim(2) || v.dim(2) != q.dim(2)
                || k.dim(3) != q.dim(3) || v.dim(1) != k.dim(1)) {
            throw new IllegalArgumentException("attention: shapes do not agree: q " + q.shape() + ", k " + k.shape()
                    + ", v " + v.shape() + " (batch and heads must match, k and q the head dim, k and v the length)");
        }
        if (!q.dtype().isFloating() || !k.dtype().isFloating() || !v.dtype().isFloating()) {
            throw new IllegalArgumentException("attention needs floating q, k, v, got " + q + ", " + k + ", " + v);
        }
        if (spec.keyLengths() != null && spec.keyLengths().length != q.dim(0)) {
            throw new IllegalArgumentException("attention: " + spec.keyLengths().length + " key lengths for batch "
                    + q.dim(0));
        }
        Tensor bias = spec.bias();
        if (bias != null && (bias.dtype() != DType.F32 || bias.rank() != 3 || bias.dim(0) != q.dim(2)
                || bias.dim(1) != q.dim(1) || bias.dim(2) != k.dim(1))) {
            throw new IllegalArgumentException("attention: bias " + bias + " must be F32 [" + q.dim(2) + ", "
                    + q.dim(1) + ", " + k.dim(1) + "]");
        }
        TimeWindow w = spec.window();
        if (w != null && (w.tokens() != q.dim(1) || w.tokens() != k.dim(1))) {
            throw new IllegalArgumentException("attention: time window of " + w.tokens() + " tokens needs Lq == Lk == "
                    + w.tokens() + ", got " + q.dim(1) + " and " + k.dim(1));
        }
    }

    // ---------------------------------------------------------------- elementwise

    /** {@link Backend#add}/{@link Backend#addInPlace}/{@link Backend#mul}: b's shape must be a suffix of a's. */
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

    /** {@link Backend#activation}: an activation. */
    public static void activation(Tensor x, Activation act) {
        if (act == null) {
            throw new IllegalArgumentException("activation: no activation given for " + x);
        }
    }

    /** {@link Backend#combine}: at least one tensor, one coefficient each, one shape, floating. */
    public static void combine(float[] coeffs, Tensor[] xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("combine needs at least one tensor");
        }
        terms(xs[0].shape(), coeffs, xs);
    }

    /** {@link Backend#combineInto}: combine's terms, all of out's shape, and an F32 out. */
    public static void combineInto(Tensor out, float[] coeffs, Tensor[] xs) {
        if (out.dtype() != DType.F32) {
            throw new IllegalArgumentException("combine writes F32, got " + out);
        }
        terms(out.shape(), coeffs, xs);
    }

    private static void terms(Shape shape, float[] coeffs, Tensor[] xs) {
        if (coeffs.length != xs.length || xs.length == 0) {
            throw new IllegalArgumentException("combine: " + coeffs.length + " coefficients for " + xs.length + " tensors");
        }
        for (Tensor x : xs) {
            if (!x.shape().equals(shape)) {
                throw new IllegalArgumentException("combine: " + x.shape() + " differs from " + shape);
            }
            if (!x.dtype().isFloating()) {
                throw new IllegalArgumentException("combine needs floating tensors, got " + x);
            }
        }
    }

    /** {@link Backend#clamp}: min at most max (neither NaN), a floating tensor. */
    public static void clamp(Tensor x, float min, float max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clamp: min " + min + " must not exceed max " + max);
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("clamp needs a floating tensor, got " + x);
        }
    }

    // ---------------------------------------------------------------- resampling and convolution

    /** {@link Backend#resize}: [..., H, W] floating with non-empty planes, an output of at least 1 x 1, a mode. */
    public static void resize(Tensor x, int outH, int outW, ResizeMode mode) {
        if (x.rank() < 2 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("resize: cannot resize " + x.shape() + " to " + outH + "x" + outW);
        }
        if (mode == null) {
            throw new IllegalArgumentException("resize: no mode given");
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("resize needs a floating tensor, got " + x);
        }
        if (x.shape().size(0, x.rank() - 2) > 0 && (x.dim(-2) == 0 || x.dim(-1) == 0)) {
            throw new IllegalArgumentException("resize: cannot resize the empty planes of " + x.shape());
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
        long to = (long) x.dim(1) + padFront - w.dim(2) + 1;
        long ho = (long) x.dim(2) + 2L * padH - w.dim(3) + 1;
        long wo = (long) x.dim(3) + 2L * padW - w.dim(4) + 1;
        if (to < 1 || ho < 1 || wo < 1 || w.dim(2) < 1 || w.dim(3) < 1 || w.dim(4) < 1) {
            throw new IllegalArgumentException("conv3d: kernel " + w.shape() + " with padding (front " + padFront + ", "
                    + padH + ", " + padW + ") leaves no output for input " + x.shape());
        }
        if (to > Integer.MAX_VALUE || ho > Integer.MAX_VALUE || wo > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv3d: padding (front " + padFront + ", " + padH + ", " + padW
                    + ") makes an output dimension of input " + x.shape() + " exceed the int range");
        }
    }
}
