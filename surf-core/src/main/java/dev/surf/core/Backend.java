package dev.surf.core;

import java.lang.foreign.MemorySegment;

/**
 * The op set the models need, implemented once per device (CPU reference, CUDA). Model code is
 * written against this interface only and never knows where it runs.
 *
 * <p>Conventions, for every op unless its documentation says otherwise:
 * <ul>
 * <li>Tensors are contiguous and row-major; "rows" are all dimensions but the last.</li>
 * <li>Ops return a new tensor that the caller owns and must close; inputs are not modified.</li>
 * <li>The output has the dtype of the first input. Floating inputs may be F32, BF16 or F16; the CPU
 *     backend computes in F32 (or double where noted), the CUDA backend in the input precision with
 *     F32 accumulation.</li>
 * <li>Results are deterministic: the same inputs give the same bits, for any number of threads.
 *     Reductions run in a fixed order per output element.</li>
 * <li>Shape errors throw {@link IllegalArgumentException} naming the op, the operand and the shapes.</li>
 * </ul>
 * A backend is thread-safe: several threads may call ops concurrently on distinct output tensors.
 */
public interface Backend extends AutoCloseable {

    /** Short description, e.g. "cpu (2 threads)" or "cuda:0 NVIDIA H100 80GB HBM3". */
    String name();

    /**
     * The dtype in which this backend prefers matrix inputs (GEMM and attention operands): F32 on the
     * CPU, BF16 on CUDA. Model code converts to it where the official code runs under bf16 autocast.
     */
    DType activationType();

    // ---------------------------------------------------------------- memory and copies

    /** A new tensor of undefined contents (the CPU backend zero-fills). */
    Tensor empty(DType dtype, Shape shape);

    /** A new zero-filled tensor. */
    Tensor zeros(DType dtype, Shape shape);

    /** A new F32 tensor holding a copy of data (length must equal the element count). */
    Tensor fromFloats(float[] data, Shape shape);

    /** A new tensor holding a copy of raw little-endian element bytes (byte size must match). */
    Tensor fromBytes(DType dtype, Shape shape, MemorySegment bytes);

    /**
     * A weight tensor from raw little-endian bytes stored as {@code stored} (typically a mapped
     * safetensors region), to be used as {@code use}. The CPU backend borrows the bytes without a
     * copy when {@code use == stored}, so the caller must keep the mapping alive while the tensor is
     * used; the CUDA backend uploads (converting on the way).
     */
    Tensor loadWeight(DType stored, Shape shape, MemorySegment bytes, DType use);

    /** All elements as F32 on the host (any floating dtype; integers converted exactly where they fit). */
    float[] toFloats(Tensor t);

    /** Copies the raw element bytes of t into dst (dst.byteSize() must equal t.byteSize()). */
    void copyToHost(Tensor t, MemorySegment dst);

    /** A new tensor with every element converted to dtype (round-to-nearest-even for narrowing floats). */
    Tensor convert(Tensor x, DType dtype);

    /** Copies src into dst: same dtype and element count (shapes may differ). */
    void copy(Tensor src, Tensor dst);

    /** Materialises a permutation of the axes: out.dim(i) = x.dim(axes[i]). Rank at most 8. */
    Tensor permute(Tensor x, int... axes);

    /** Concatenates along an axis; all other dimensions and the dtype must agree. */
    Tensor concat(int axis, Tensor... parts);

    /**
     * Rows of a lookup table (a token embedding): {@code out[i, :] = table[ids[i], :]} for every i.
     * table is [vocab, dim] of any dtype and ids holds n >= 1 indices; the output is [n, dim] in the
     * table's dtype with the rows' bits copied unchanged (no conversion, no arithmetic), so a BF16
     * table gives BF16 rows that the caller converts where it needs another precision.
     *
     * @throws IllegalArgumentException if table is not rank 2, ids is empty, or an id lies outside
     *     [0, vocab) (the message names the position, the id and the vocabulary size)
     */
    Tensor embedding(Tensor table, int[] ids);

    /**
     * Fills t (F32, BF16 or F16) with standard normal samples of the Philox stream (seed, offset):
     * element i is {@link PhiloxNormal#sample(long, long, long) sample(seed, offset, i)}, rounded to
     * t's dtype. The same bits on every backend and for any thread count.
     */
    void fillNormal(Tensor t, long seed, long offset);

    // ---------------------------------------------------------------- linear algebra

    /**
     * y = act(x W^T + b): x [..., in], w [out, in], bias [out] or null; output [..., out] in x's dtype.
     */
    Tensor linear(Tensor x, Tensor w, Tensor bias, Activation act);

    /**
     * residual += gate * (x W^T + b), in place, with F32 residual [B, L, out] (or [L, out] for B = 1),
     * x [B, L, in], and gate [B, out] applied per batch item (null means gate 1). This is the
     * gated residual update of a Wan block fused into the GEMM epilogue.
     */
    void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate);

    // ---------------------------------------------------------------- normalisation and position

    /**
     * LayerNorm over the last dimension: (x - mean) / sqrt(var + eps) * weight + bias, population
     * variance, statistics in F32 (double on the CPU). weight and bias may each be null (no affine).
     * Output dtype {@code out}.
     */
    Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, DType out);

    /**
     * adaLN: LayerNorm(x) * (1 + scale) + shift without affine parameters. x is [B, L, D] (or [L, D]
     * for B = 1); shift and scale are F32 with B * D elements, one row of D per batch item.
     * Output dtype {@code out}.
     */
    Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, float eps, DType out);

    /** RMSNorm over the last dimension: x / sqrt(mean(x^2) + eps) * weight (weight may be null). */
    Tensor rmsNorm(Tensor x, Tensor weight, float eps);

    /**
     * Rotary embedding with interleaved pairs: x is [B, L, H, d]; cos and sin are F32 [L, d/2]. Pair j
     * of every head of token l is rotated: (x[2j], x[2j+1]) -> (x[2j] c - x[2j+1] s, x[2j] s + x[2j+1] c).
     */
    Tensor rope(Tensor x, Tensor cos, Tensor sin);

    // ---------------------------------------------------------------- attention

    /**
     * Multi-head attention softmax(scale q k^T + bias + mask) v per batch item and head.
     * q [B, Lq, H, d], k [B, Lk, H, d], v [B, Lk, H, dv]; output [B, Lq, H, dv] in q's dtype.
     * Softmax state in F32. A query row whose keys are all masked gives zeros.
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec);

    // ---------------------------------------------------------------- elementwise

    /** a + b, where b has a's shape or a suffix of it (broadcast over a's leading dimensions). */
    Tensor add(Tensor a, Tensor b);

    /** a += b in place, with add's broadcasting. */
    void addInPlace(Tensor a, Tensor b);

    /** a * b elementwise, with add's broadcasting. */
    Tensor mul(Tensor a, Tensor b);

    /** act(x) elementwise. */
    Tensor activation(Tensor x, Activation act);

    /**
     * sum_i coeffs[i] * xs[i] as a new F32 tensor (all xs of one shape), evaluated per element as
     * ((c0 x0 + c1 x1) + c2 x2) + ... in F32 with fused multiply-adds: the sampler and CFG update.
     */
    Tensor combine(float[] coeffs, Tensor... xs);

    /** out = sum_i coeffs[i] * xs[i] in place (out F32; out may be one of xs). Same order as combine. */
    void combineInto(Tensor out, float[] coeffs, Tensor... xs);

    // ---------------------------------------------------------------- resampling

    /** Resizes the last two dimensions [..., H, W] to [..., outH, outW]; every leading slice independently. */
    Tensor resize(Tensor x, int outH, int outW, ResizeMode mode);

    // ---------------------------------------------------------------- convolution and video (Wan-VAE)

    /**
     * 3-D convolution with stride 1 and zero padding, without a batch dimension (the Wan-VAE's
     * CausalConv3d; a 2-D convolution is the case kt = 1, padFront = 0).
     *
     * <p>x is [Cin, T, H, W] (channels first), w is [Cout, Cin, kt, kh, kw], bias is [Cout] or null.
     * The input is padded with zeros: {@code padFront} frames before the first frame and none after
     * the last (time is causal), {@code padH} rows above and below, {@code padW} columns left and
     * right. The output is [Cout, T + padFront - kt + 1, H + 2 padH - kh + 1, W + 2 padW - kw + 1]
     * in x's dtype, with
     * <pre>out[o, t, y, x] = bias[o] + sum over (c, i, j, k) of w[o, c, i, j, k] * xpad[c, t + i, y + j, x + k]</pre>
     * where xpad[c, t', y', x'] = x[c, t' - padFront, y' - padH, x' - padW] inside the input and 0 outside.
     * Accumulation is F32 (CPU: in the fixed order c, i, j, k for every output element, whatever the
     * thread count). Every output dimension must be at least 1 and the paddings non-negative.
     */
    Tensor conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW);

    /**
     * The Wan-VAE's RMS_norm over dimension 0 (channels first): x is [C, ...] and every position p
     * of the trailing dimensions is normalised over its C channels,
     * <pre>y[c, p] = x[c, p] / max(||x[:, p]||_2, 1e-12) * sqrt(C) * gamma[c]</pre>
     * (torch's {@code F.normalize(x, dim=channel) * C**0.5 * gamma}). gamma has C elements (any
     * shape, e.g. [C, 1, 1, 1]). The norm is accumulated in F32 or better; output in x's dtype.
     */
    Tensor channelRmsNorm(Tensor x, Tensor gamma);

    /** min(max(x, min), max) elementwise, in x's dtype (NaN stays NaN). */
    Tensor clamp(Tensor x, float min, float max);

    /**
     * A contiguous copy of x restricted to indices [start, start + length) along axis (negative
     * counts from the end): the inverse of {@link #concat}. Along dimension 0 a cheap view is
     * {@link Tensor#slice}; this op serves the other axes, e.g. the last frames of a [C, T, H, W]
     * video.
     */
    Tensor narrow(Tensor x, int axis, int start, int length);

    // ---------------------------------------------------------------- gradients (training)
    //
    // Reverse-mode building blocks, each the adjoint of a forward op above: given the forward's
    // inputs (or what it saved) and dy, the gradient of the loss with respect to the output, they
    // return the gradient with respect to an input. Gradients are F32 in the shape of the input
    // they belong to. The defaults refuse, naming the op and the backend, so a backend gains them
    // one kernel at a time; the CPU backend implements all of them (docs/training.md).

    /**
     * Input gradient of {@link #linear} without activation: dx = dy W, with dy [..., out] and
     * w [out, in]; F32 [..., in].
     */
    default Tensor linearGradInput(Tensor dy, Tensor w) {
        throw BackwardChecks.unsupported("linearGradInput", this);
    }

    /**
     * Weight gradient of {@link #linear}: dW = dy^T x over all rows, dy [..., out], x [..., in] with
     * the same rows; F32 [out, in]. The bias gradient is {@code sumLeading(dy, [out])}.
     */
    default Tensor linearGradWeight(Tensor dy, Tensor x) {
        throw BackwardChecks.unsupported("linearGradWeight", this);
    }

    /**
     * Sums x over its leading dimensions down to {@code suffix}, a suffix of x's shape (the adjoint
     * of broadcasting in {@link #add} and {@link #mul}, and the bias gradient): F32 of shape suffix,
     * each element accumulated in double in row order.
     */
    default Tensor sumLeading(Tensor x, Shape suffix) {
        throw BackwardChecks.unsupported("sumLeading", this);
    }

    /** dx = dy * act'(x) for {@link #activation} (and a GEMM's fused activation at pre-activation x); F32. */
    default Tensor activationBackward(Tensor x, Tensor dy, Activation act) {
        throw BackwardChecks.unsupported("activationBackward", this);
    }

    /**
     * Input gradient of {@link #layerNorm}: with xhat the normalised row, inv = 1/sqrt(var + eps) and
     * g = dy * weight (weight null means 1), dx = inv (g - mean(g) - xhat mean(g xhat)); F32.
     * The weight and bias gradients are sums over rows of dy xhat and dy.
     */
    default Tensor layerNormBackward(Tensor x, Tensor weight, float eps, Tensor dy) {
        throw BackwardChecks.unsupported("layerNormBackward", this);
    }

    /**
     * Input gradient of {@link #layerNormModulate}: as {@link #layerNormBackward} with the gain
     * 1 + scale of x's batch item (scale F32 with B * D elements); F32.
     */
    default Tensor layerNormModulateBackward(Tensor x, Tensor scale, float eps, Tensor dy) {
        throw BackwardChecks.unsupported("layerNormModulateBackward", this);
    }

    /**
     * Input gradient of {@link #rmsNorm}: with inv = 1/sqrt(mean(x^2) + eps), xhat = x inv and
     * g = dy * weight, dx = inv (g - xhat mean(g xhat)); F32.
     */
    default Tensor rmsNormBackward(Tensor x, Tensor weight, float eps, Tensor dy) {
        throw BackwardChecks.unsupported("rmsNormBackward", this);
    }

    /** {@link #attention} that also returns each query row's log-sum-exp, for {@link #attentionBackward}. */
    default AttentionWithLse attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        throw BackwardChecks.unsupported("attentionWithLse", this);
    }

    /**
     * Gradients of {@link #attention} from the forward's inputs, output and log-sum-exp (flash-style:
     * the probabilities P = exp(scale q k^T + bias - lse) are recomputed, never stored):
     * dv = P^T dO, dP = dO v^T, dS = P (dP - rowsum(dO * O)), dq = scale dS k, dk = scale dS^T q,
     * under the same key lengths, bias and time window as the forward. The bias is a constant (no
     * gradient). F32, shapes of q, k, v.
     */
    default AttentionGrads attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dOut,
                                             AttentionSpec spec) {
        throw BackwardChecks.unsupported("attentionBackward", this);
    }

    /** mean((a - target)^2) over every element, accumulated in double: F32 [1]. */
    default Tensor mseLoss(Tensor a, Tensor target) {
        throw BackwardChecks.unsupported("mseLoss", this);
    }

    /**
     * Input gradient of {@link #conv3d} with the same paddings: dy is [Cout, To, Ho, Wo], w
     * [Cout, Cin, kt, kh, kw]; F32 [Cin, T, H, W] with T = To - padFront + kt - 1,
     * H = Ho - 2 padH + kh - 1, W = Wo - 2 padW + kw - 1. The bias gradient is dy summed per channel.
     */
    default Tensor conv3dGradInput(Tensor dy, Tensor w, int padFront, int padH, int padW) {
        throw BackwardChecks.unsupported("conv3dGradInput", this);
    }

    /**
     * Weight gradient of {@link #conv3d}: dy [Cout, To, Ho, Wo], x [Cin, T, H, W]; F32
     * [Cout, Cin, kt, kh, kw] with kt = T + padFront - To + 1, kh = H + 2 padH - Ho + 1,
     * kw = W + 2 padW - Wo + 1.
     */
    default Tensor conv3dGradWeight(Tensor dy, Tensor x, int padFront, int padH, int padW) {
        throw BackwardChecks.unsupported("conv3dGradWeight", this);
    }

    /** Input gradient of {@link #channelRmsNorm}; F32 of x's shape (gamma's gradient is the channel sum of dy y / gamma). */
    default Tensor channelRmsNormBackward(Tensor x, Tensor gamma, Tensor dy) {
        throw BackwardChecks.unsupported("channelRmsNormBackward", this);
    }

    /** The adjoint of {@link #resize} from [..., inH, inW] to dy's [..., outH, outW]: F32 [..., inH, inW]. */
    default Tensor resizeBackward(Tensor dy, int inH, int inW, ResizeMode mode) {
        throw BackwardChecks.unsupported("resizeBackward", this);
    }

    /** Table gradient of {@link #embedding}: dtable[ids[i]] += dy[i]; F32 [vocab, dim]. */
    default Tensor embeddingBackward(Tensor dy, int[] ids, int vocab) {
        throw BackwardChecks.unsupported("embeddingBackward", this);
    }

    /** mean(|a - target|) over every element, accumulated in double: F32 [1]. */
    default Tensor l1Loss(Tensor a, Tensor target) {
        throw BackwardChecks.unsupported("l1Loss", this);
    }

    /** d {@link #l1Loss} / da = sign(a - target) / n (0 where equal, as torch); F32 of a's shape. */
    default Tensor l1LossGrad(Tensor a, Tensor target) {
        throw BackwardChecks.unsupported("l1LossGrad", this);
    }

    /** Waits until all queued work has finished (a no-op on the CPU); used for timing. */
    void synchronize();

    /** Releases backend resources (thread pools, device context). Tensors must be closed first. */
    @Override
    void close();
}
