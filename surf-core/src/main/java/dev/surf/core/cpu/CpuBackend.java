package dev.surf.core.cpu;

import dev.surf.core.Activation;
import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.MemoryMeter;
import dev.surf.core.OpChecks;
import dev.surf.core.PhiloxNormal;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The reference backend: every op in F32 (statistics in double where it matters), parallel over
 * independent outputs, vectorised with the Vector API in the hot loops. It is the ground truth the
 * CUDA kernels are tested against, and the path CI runs.
 */
public final class CpuBackend implements Backend {
    private final CpuPool pool;
    private final MemoryMeter memory = new MemoryMeter();

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this.pool = new CpuPool(threads);
    }

    CpuPool pool() {
        return pool;
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu (" + pool.threads() + (pool.threads() == 1 ? " thread)" : " threads)");
    }

    @Override
    public DType activationType() {
        return DType.F32;
    }

    // ---------------------------------------------------------------- memory

    /** The bytes this backend's open tensors hold (for memory measurements). */
    public MemoryMeter memory() {
        return memory;
    }

    @Override
    public Tensor empty(DType dtype, Shape shape) {
        return zeros(dtype, shape);
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        long bytes = shape.numel() * dtype.byteSize();
        return new Tensor(this, dtype, shape, CpuStorage.allocate(bytes, dtype.byteSize(), memory), 0, true);
    }

    /** A new F32 tensor over the given array without copying (the tensor owns it from now on). */
    public Tensor wrap(float[] data, Shape shape) {
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("array of " + data.length + " floats does not match shape " + shape);
        }
        return new Tensor(this, DType.F32, shape, CpuStorage.ofFloats(data, memory), 0, true);
    }

    @Override
    public Tensor fromFloats(float[] data, Shape shape) {
        OpChecks.fromFloats(data, shape);
        return wrap(data.clone(), shape);
    }

    @Override
    public Tensor fromBytes(DType dtype, Shape shape, MemorySegment bytes) {
        OpChecks.fromBytes(dtype, shape, bytes);
        Tensor t = zeros(dtype, shape);
        CpuTensors.segment(t).copyFrom(bytes);
        return t;
    }

    @Override
    public Tensor loadWeight(DType stored, Shape shape, MemorySegment bytes, DType use) {
        OpChecks.loadWeight(stored, shape, bytes);
        if (use == null || use == stored) {
            return new Tensor(this, stored, shape, CpuStorage.borrow(bytes), 0, false);
        }
        try (Tensor borrowed = new Tensor(this, stored, shape, CpuStorage.borrow(bytes), 0, false)) {
            return convert(borrowed, use);
        }
    }

    @Override
    public float[] toFloats(Tensor t) {
        OpChecks.toFloats(t);
        return CpuTensors.toF32(t);
    }

    @Override
    public void copyToHost(Tensor t, MemorySegment dst) {
        OpChecks.copyToHost(t, dst);
        dst.copyFrom(CpuTensors.segment(t));
    }

    @Override
    public Tensor convert(Tensor x, DType dtype) {
        return CpuCopy.convert(this, x, dtype);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        OpChecks.copy(src, dst);
        CpuTensors.segment(dst).copyFrom(CpuTensors.segment(src));
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        return CpuCopy.permute(this, x, axes);
    }

    @Override
    public Tensor concat(int axis, Tensor... parts) {
        return CpuCopy.concat(this, axis, parts);
    }

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        return CpuEmbedding.embedding(this, table, ids);
    }

    @Override
    public void fillNormal(Tensor t, long seed, long offset) {
        OpChecks.fillNormal(t);
        long n = t.numel();
        // blocks of 4 samples are the unit of the stream; chunks start on block boundaries
        int blocks = CpuTensors.checkedInt((n + 3) / 4, "fillNormal");
        if (CpuTensors.isHeapF32(t)) {
            float[] a = CpuTensors.array(t);
            int off = CpuTensors.offset(t);
            pool.forRange(blocks, 4096, (lo, hi) -> {
                long first = 4L * lo;
                int len = (int) (Math.min(n, 4L * hi) - first);
                PhiloxNormal.fill(seed, offset, first, a, off + (int) first, len);
            });
            return;
        }
        MemorySegment seg = CpuTensors.segment(t);
        DType dt = t.dtype();
        pool.forRange(blocks, 4096, (lo, hi) -> {
            long first = 4L * lo;
            int len = (int) (Math.min(n, 4L * hi) - first);
            float[] buf = new float[len];
            PhiloxNormal.fill(seed, offset, first, buf, 0, len);
            for (int j = 0; j < len; j++) {
                CpuTensors.set(seg, dt, first + j, buf[j]);
            }
        });
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias, Activation act) {
        return CpuGemm.linear(this, x, w, bias, act);
    }

    @Override
    public void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        CpuGemm.linearResidual(this, residual, x, w, bias, gate);
    }

    // ---------------------------------------------------------------- norms, position, attention

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, DType out) {
        return CpuNorms.layerNorm(this, x, weight, bias, eps, out);
    }

    @Override
    public Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, float eps, DType out) {
        return CpuNorms.layerNormModulate(this, x, shift, scale, eps, out);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        return CpuNorms.rmsNorm(this, x, weight, eps);
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        return CpuRope.rope(this, x, cos, sin);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        return CpuAttention.attention(this, q, k, v, spec);
    }

    // ---------------------------------------------------------------- elementwise, resampling

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return CpuElementwise.binary(this, a, b, CpuElementwise.Op.ADD, false);
    }

    @Override
    public void addInPlace(Tensor a, Tensor b) {
        CpuElementwise.binary(this, a, b, CpuElementwise.Op.ADD, true);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return CpuElementwise.binary(this, a, b, CpuElementwise.Op.MUL, false);
    }

    @Override
    public Tensor activation(Tensor x, Activation act) {
        return CpuElementwise.activation(this, x, act);
    }

    @Override
    public Tensor combine(float[] coeffs, Tensor... xs) {
        OpChecks.combine(coeffs, xs);
        Tensor out = zeros(DType.F32, xs[0].shape());
        CpuElementwise.combineInto(this, out, coeffs, xs);
        return out;
    }

    @Override
    public void combineInto(Tensor out, float[] coeffs, Tensor... xs) {
        CpuElementwise.combineInto(this, out, coeffs, xs);
    }

    @Override
    public Tensor resize(Tensor x, int outH, int outW, ResizeMode mode) {
        return CpuResize.resize(this, x, outH, outW, mode);
    }

    // ---------------------------------------------------------------- convolution and video

    @Override
    public Tensor conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        return CpuConv.conv3d(this, x, w, bias, padFront, padH, padW);
    }

    @Override
    public Tensor channelRmsNorm(Tensor x, Tensor gamma) {
        return CpuChannelNorm.channelRmsNorm(this, x, gamma);
    }

    @Override
    public Tensor clamp(Tensor x, float min, float max) {
        return CpuClamp.clamp(this, x, min, max);
    }

    @Override
    public Tensor narrow(Tensor x, int axis, int start, int length) {
        return CpuNarrow.narrow(this, x, axis, start, length);
    }

    // ---------------------------------------------------------------- gradients (training)

    @Override
    public Tensor linearGradInput(Tensor dy, Tensor w) {
        return CpuLinearBackward.gradInput(this, dy, w);
    }

    @Override
    public Tensor linearGradWeight(Tensor dy, Tensor x) {
        return CpuLinearBackward.gradWeight(this, dy, x);
    }

    @Override
    public Tensor sumLeading(Tensor x, Shape suffix) {
        return CpuSumLeading.sumLeading(this, x, suffix);
    }

    @Override
    public Tensor activationBackward(Tensor x, Tensor dy, Activation act) {
        return CpuActivationBackward.activationBackward(this, x, dy, act);
    }

    @Override
    public Tensor layerNormBackward(Tensor x, Tensor weight, float eps, Tensor dy) {
        return CpuNormBackward.layerNorm(this, x, weight, eps, dy);
    }

    @Override
    public Tensor layerNormModulateBackward(Tensor x, Tensor scale, float eps, Tensor dy) {
        return CpuNormBackward.layerNormModulate(this, x, scale, eps, dy);
    }

    @Override
    public Tensor rmsNormBackward(Tensor x, Tensor weight, float eps, Tensor dy) {
        return CpuNormBackward.rmsNorm(this, x, weight, eps, dy);
    }

    @Override
    public AttentionWithLse attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        return CpuAttention.attentionWithLse(this, q, k, v, spec);
    }

    @Override
    public AttentionGrads attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dOut,
                                            AttentionSpec spec) {
        return CpuAttentionBackward.backward(this, q, k, v, out, lse, dOut, spec);
    }

    @Override
    public Tensor mseLoss(Tensor a, Tensor target) {
        return CpuLoss.mse(this, a, target);
    }

    @Override
    public Tensor conv3dGradInput(Tensor dy, Tensor w, int padFront, int padH, int padW) {
        return CpuConvBackward.gradInput(this, dy, w, padFront, padH, padW);
    }

    @Override
    public Tensor conv3dGradWeight(Tensor dy, Tensor x, int padFront, int padH, int padW) {
        return CpuConvBackward.gradWeight(this, dy, x, padFront, padH, padW);
    }

    @Override
    public Tensor channelRmsNormBackward(Tensor x, Tensor gamma, Tensor dy) {
        return CpuChannelNormBackward.backward(this, x, gamma, dy);
    }

    @Override
    public Tensor resizeBackward(Tensor dy, int inH, int inW, ResizeMode mode) {
        return CpuResizeBackward.backward(this, dy, inH, inW, mode);
    }

    @Override
    public Tensor embeddingBackward(Tensor dy, int[] ids, int vocab) {
        return CpuEmbeddingBackward.backward(this, dy, ids, vocab);
    }

    @Override
    public Tensor l1Loss(Tensor a, Tensor target) {
        return CpuLoss.l1(this, a, target);
    }

    @Override
    public Tensor l1LossGrad(Tensor a, Tensor target) {
        return CpuLoss.l1Grad(this, a, target);
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
        pool.close();
    }
}
