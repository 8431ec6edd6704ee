package dev.surf.cuda;

import dev.surf.core.Activation;
import dev.surf.core.AttentionGrads;
import dev.surf.core.AttentionSpec;
import dev.surf.core.AttentionWithLse;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA backend: the {@link Backend} contract on one GPU through the JCuda driver API, with the
 * kernels of cuda/*.cu. Semantics are those of the CPU backend (the reference every kernel is tested
 * against), with the same argument checks ({@link dev.surf.core.OpChecks}); precision is the input's
 * with F32 accumulation: BF16 matrix operands use tensor cores, F32 ones CUDA cores (conv3d: TF32,
 * {@link ConvPath}), and norms, softmax state, residual stream and sampler state stay F32.
 *
 * <p>All work goes to one stream per backend, in call order; host copies wait for it, other ops return
 * as soon as they are queued ({@link #synchronize()} waits). Any thread may call: each entry point
 * makes the context current on the calling thread first. Device memory comes from a caching allocator.
 *
 * <p>This class only delegates each op to its op class (CudaGemm, CudaAttention, ...), which checks the
 * arguments, asks its choice function which kernel runs (GemmChoice, ...: pure functions of operands,
 * {@link DeviceCaps}, {@link CudaSettings} and forced path) and launches it on the device runtime
 * (CudaRuntime); docs/architecture.md has the whole flow. The -Dsurf.cuda.* options are read once, when
 * the backend opens; forced paths, timing, profiling and the test switches are on {@link #controls()}.
 */
public final class CudaBackend implements Backend {
    private final DType activation;
    private final CudaRuntime rt;
    private final CudaControls controls;
    private final CudaMemory memory;
    private final CudaConvert convert;
    private final CudaCopy copies;
    private final CudaGemm gemm;
    private final CudaNorms norms;
    private final CudaRope rope;
    private final CudaAttention attention;
    private final CudaElementwise elementwise;
    private final CudaResize resize;
    private final CudaConv conv;
    private final CudaLinearBackward linearBackward;
    private final CudaElementwiseBackward elementwiseBackward;
    private final CudaNormBackward normBackward;
    private final CudaAttentionBackward attentionBackward;
    private final CudaGatherBackward gatherBackward;
    private final CudaConvBackward convBackward;

    /** Opens device {@code ordinal} computing matrix products in bf16; see {@link CudaBackendProvider}. */
    public CudaBackend(int ordinal) {
        this(ordinal, DType.BF16);
    }

    /**
     * Opens device {@code ordinal} with the given activation type: BF16 (tensor cores, the official
     * precision) or F32 (every matrix product and attention in F32 on CUDA cores: slower, for
     * precision studies), and the -Dsurf.cuda.* settings of the system properties.
     *
     * @throws IllegalArgumentException for another activation type or a bad -Dsurf.cuda.* option
     */
    public CudaBackend(int ordinal, DType activation) {
        this(ordinal, activation, CudaSettings.fromSystemProperties());
    }

    /** Opens device {@code ordinal} with the given activation type and settings (whatever the system properties say). */
    public CudaBackend(int ordinal, DType activation, CudaSettings settings) {
        if (activation != DType.BF16 && activation != DType.F32) {
            throw new IllegalArgumentException("the CUDA backend computes in BF16 or F32, not " + activation);
        }
        this.activation = activation;
        this.rt = new CudaRuntime(this, ordinal);
        this.controls = new CudaControls(rt, settings);
        this.convert = new CudaConvert(rt);
        this.memory = new CudaMemory(rt, convert);
        this.copies = new CudaCopy(rt);
        this.gemm = new CudaGemm(rt, controls);
        this.norms = new CudaNorms(rt, controls, convert);
        this.rope = new CudaRope(rt, convert);
        this.attention = new CudaAttention(rt, controls, new CudaAttentionGemm(rt, this));
        this.elementwise = new CudaElementwise(rt);
        this.resize = new CudaResize(rt);
        this.conv = new CudaConv(rt, controls);
        this.linearBackward = new CudaLinearBackward(rt);
        this.elementwiseBackward = new CudaElementwiseBackward(rt);
        this.normBackward = new CudaNormBackward(rt);
        this.attentionBackward = new CudaAttentionBackward(rt);
        this.gatherBackward = new CudaGatherBackward(rt);
        this.convBackward = new CudaConvBackward(rt);
    }

    @Override
    public String name() {
        return rt.name();
    }

    @Override
    public DType activationType() {
        return activation;
    }

    /** Caps the device memory this backend holds (live tensors plus its allocation cache), in bytes. */
    public void setMemoryLimit(long bytes) {
        rt.allocator.setLimit(bytes);
    }

    /** Device caps, settings, forced kernel paths, timing, profiling and the test switches. */
    public CudaControls controls() {
        return controls;
    }

    @Override
    public Tensor empty(DType dtype, Shape shape) {
        rt.enter();
        return rt.alloc(dtype, shape);
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        rt.enter();
        return memory.zeros(dtype, shape);
    }

    @Override
    public Tensor fromFloats(float[] data, Shape shape) {
        rt.enter();
        return memory.fromFloats(data, shape);
    }

    @Override
    public Tensor fromBytes(DType dtype, Shape shape, MemorySegment bytes) {
        rt.enter();
        return memory.fromBytes(dtype, shape, bytes);
    }

    @Override
    public Tensor loadWeight(DType stored, Shape shape, MemorySegment bytes, DType use) {
        rt.enter();
        return memory.loadWeight(stored, shape, bytes, use);
    }

    @Override
    public float[] toFloats(Tensor t) {
        rt.enter();
        return memory.toFloats(t);
    }

    @Override
    public void copyToHost(Tensor t, MemorySegment dst) {
        rt.enter();
        memory.copyToHost(t, dst);
    }

    @Override
    public Tensor convert(Tensor x, DType dtype) {
        rt.enter();
        return convert.convert(x, dtype);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        rt.enter();
        memory.copy(src, dst);
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        rt.enter();
        return copies.permute(x, axes);
    }

    @Override
    public Tensor concat(int axis, Tensor... parts) {
        rt.enter();
        return copies.concat(axis, parts);
    }

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        rt.enter();
        return copies.embedding(table, ids);
    }

    @Override
    public void fillNormal(Tensor t, long seed, long offset) {
        rt.enter();
        memory.fillNormal(t, seed, offset);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias, Activation act) {
        rt.enter();
        return gemm.linear(x, w, bias, act);
    }

    @Override
    public void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        rt.enter();
        gemm.linearResidual(residual, x, w, bias, gate);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, DType out) {
        rt.enter();
        return norms.layerNorm(x, weight, bias, eps, out);
    }

    @Override
    public Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, float eps, DType out) {
        rt.enter();
        return norms.layerNormModulate(x, shift, scale, eps, out);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        rt.enter();
        return norms.rmsNorm(x, weight, eps);
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        rt.enter();
        return rope.rope(x, cos, sin);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        rt.enter();
        return attention.attention(q, k, v, spec);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        rt.enter();
        return elementwise.binary(a, b, false, false);
    }

    @Override
    public void addInPlace(Tensor a, Tensor b) {
        rt.enter();
        elementwise.binary(a, b, false, true);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        rt.enter();
        return elementwise.binary(a, b, true, false);
    }

    @Override
    public Tensor activation(Tensor x, Activation act) {
        rt.enter();
        return elementwise.activation(x, act);
    }

    @Override
    public Tensor combine(float[] coeffs, Tensor... xs) {
        rt.enter();
        return elementwise.combine(coeffs, xs);
    }

    @Override
    public void combineInto(Tensor out, float[] coeffs, Tensor... xs) {
        rt.enter();
        elementwise.combineInto(out, coeffs, xs);
    }

    @Override
    public Tensor resize(Tensor x, int outH, int outW, ResizeMode mode) {
        rt.enter();
        return resize.resize(x, outH, outW, mode);
    }

    @Override
    public Tensor conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        rt.enter();
        return conv.conv3d(x, w, bias, padFront, padH, padW);
    }

    @Override
    public Tensor channelRmsNorm(Tensor x, Tensor gamma) {
        rt.enter();
        return norms.channelRmsNorm(x, gamma);
    }

    @Override
    public Tensor clamp(Tensor x, float min, float max) {
        rt.enter();
        return elementwise.clamp(x, min, max);
    }

    @Override
    public Tensor narrow(Tensor x, int axis, int start, int length) {
        rt.enter();
        return copies.narrow(x, axis, start, length);
    }

    // ---------------------------------------------------------------- gradients (training)

    @Override
    public Tensor linearGradInput(Tensor dy, Tensor w) {
        rt.enter();
        return linearBackward.gradInput(dy, w);
    }

    @Override
    public Tensor linearGradWeight(Tensor dy, Tensor x) {
        rt.enter();
        return linearBackward.gradWeight(dy, x);
    }

    @Override
    public Tensor sumLeading(Tensor x, Shape suffix) {
        rt.enter();
        return elementwiseBackward.sumLeading(x, suffix);
    }

    @Override
    public Tensor activationBackward(Tensor x, Tensor dy, Activation act) {
        rt.enter();
        return elementwiseBackward.activationBackward(x, dy, act);
    }

    @Override
    public Tensor mseLoss(Tensor a, Tensor target) {
        rt.enter();
        return elementwiseBackward.mseLoss(a, target);
    }

    @Override
    public Tensor l1Loss(Tensor a, Tensor target) {
        rt.enter();
        return elementwiseBackward.l1Loss(a, target);
    }

    @Override
    public Tensor l1LossGrad(Tensor a, Tensor target) {
        rt.enter();
        return elementwiseBackward.l1LossGrad(a, target);
    }

    @Override
    public Tensor layerNormBackward(Tensor x, Tensor weight, float eps, Tensor dy) {
        rt.enter();
        return normBackward.layerNorm(x, weight, eps, dy);
    }

    @Override
    public Tensor layerNormModulateBackward(Tensor x, Tensor scale, float eps, Tensor dy) {
        rt.enter();
        return normBackward.layerNormModulate(x, scale, eps, dy);
    }

    @Override
    public Tensor rmsNormBackward(Tensor x, Tensor weight, float eps, Tensor dy) {
        rt.enter();
        return normBackward.rmsNorm(x, weight, eps, dy);
    }

    @Override
    public Tensor channelRmsNormBackward(Tensor x, Tensor gamma, Tensor dy) {
        rt.enter();
        return normBackward.channelRmsNorm(x, gamma, dy);
    }

    @Override
    public AttentionWithLse attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        rt.enter();
        return attention.attentionWithLse(q, k, v, spec);
    }

    @Override
    public AttentionGrads attentionBackward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dOut,
                                            AttentionSpec spec) {
        rt.enter();
        return attentionBackward.backward(q, k, v, out, lse, dOut, spec);
    }

    @Override
    public Tensor embeddingBackward(Tensor dy, int[] ids, int vocab) {
        rt.enter();
        return gatherBackward.embedding(dy, ids, vocab);
    }

    @Override
    public Tensor resizeBackward(Tensor dy, int inH, int inW, ResizeMode mode) {
        rt.enter();
        return gatherBackward.resize(dy, inH, inW, mode);
    }

    @Override
    public Tensor conv3dGradInput(Tensor dy, Tensor w, int padFront, int padH, int padW) {
        rt.enter();
        return convBackward.gradInput(dy, w, padFront, padH, padW);
    }

    @Override
    public Tensor conv3dGradWeight(Tensor dy, Tensor x, int padFront, int padH, int padW) {
        rt.enter();
        return convBackward.gradWeight(dy, x, padFront, padH, padW);
    }

    @Override
    public void synchronize() {
        rt.synchronize();
    }

    /** Waits for queued work and releases tables, memory, modules, the stream and the context. */
    @Override
    public void close() {
        rt.close();
    }
}
