package dev.surf.core.testing;

import dev.surf.core.Activation;
import dev.surf.core.AttentionSpec;
import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.MemoryMeter;
import dev.surf.core.ResizeMode;
import dev.surf.core.Shape;
import dev.surf.core.Storage;
import dev.surf.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A backend wrapper that counts the bytes of live tensors it allocated, and their peak, so tests can
 * check how much memory a piece of model code holds at once. Every op is delegated to the wrapped
 * backend; results are re-wrapped in storage that decrements the count when released, inputs are
 * unwrapped before delegation. Borrowed weights (loadWeight without conversion) count zero bytes.
 */
public final class CountingBackend implements Backend {
    private final Backend inner;
    private final MemoryMeter meter = new MemoryMeter();

    public CountingBackend(Backend inner) {
        this.inner = inner;
    }

    /** Bytes of tensors allocated here and not yet closed. */
    public long liveBytes() {
        return meter.liveBytes();
    }

    /** The largest {@link #liveBytes()} seen since construction or the last {@link #resetPeak()}. */
    public long peakBytes() {
        return meter.peakBytes();
    }

    /** Starts a new peak measurement from the current live bytes. */
    public void resetPeak() {
        meter.resetPeak();
    }

    private final class Counted implements Storage {
        final Storage storage;
        final long bytes;
        private boolean released;

        Counted(Storage storage, long bytes) {
            this.storage = storage;
            this.bytes = bytes;
            meter.allocated(bytes);
        }

        @Override
        public long byteSize() {
            return storage.byteSize();
        }

        @Override
        public boolean isReleased() {
            return released || storage.isReleased();
        }

        @Override
        public synchronized void release() {
            if (!released) {
                released = true;
                storage.release();
                meter.freed(bytes);
            }
        }
    }

    private Tensor wrap(Tensor t) {
        if (t == null) {
            return null;
        }
        Storage s = new Counted(t.storage(), t.isOwner() ? t.storage().byteSize() : 0);
        return new Tensor(this, t.dtype(), t.shape(), s, t.byteOffset(), t.isOwner());
    }

    private Tensor un(Tensor t) {
        if (t == null) {
            return null;
        }
        Storage s = t.storage();
        Storage base = s instanceof Counted c ? c.storage : s;
        return new Tensor(inner, t.dtype(), t.shape(), base, t.byteOffset(), false);
    }

    private Tensor[] un(Tensor[] ts) {
        Tensor[] r = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            r[i] = un(ts[i]);
        }
        return r;
    }

    @Override
    public String name() {
        return "counting " + inner.name();
    }

    @Override
    public DType activationType() {
        return inner.activationType();
    }

    @Override
    public Tensor empty(DType dtype, Shape shape) {
        return wrap(inner.empty(dtype, shape));
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        return wrap(inner.zeros(dtype, shape));
    }

    @Override
    public Tensor fromFloats(float[] data, Shape shape) {
        return wrap(inner.fromFloats(data, shape));
    }

    @Override
    public Tensor fromBytes(DType dtype, Shape shape, MemorySegment bytes) {
        return wrap(inner.fromBytes(dtype, shape, bytes));
    }

    @Override
    public Tensor loadWeight(DType stored, Shape shape, MemorySegment bytes, DType use) {
        return wrap(inner.loadWeight(stored, shape, bytes, use));
    }

    @Override
    public float[] toFloats(Tensor t) {
        return inner.toFloats(un(t));
    }

    @Override
    public void copyToHost(Tensor t, MemorySegment dst) {
        inner.copyToHost(un(t), dst);
    }

    @Override
    public Tensor convert(Tensor x, DType dtype) {
        return wrap(inner.convert(un(x), dtype));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        inner.copy(un(src), un(dst));
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        return wrap(inner.permute(un(x), axes));
    }

    @Override
    public Tensor concat(int axis, Tensor... parts) {
        return wrap(inner.concat(axis, un(parts)));
    }

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        return wrap(inner.embedding(un(table), ids));
    }

    @Override
    public void fillNormal(Tensor t, long seed, long offset) {
        inner.fillNormal(un(t), seed, offset);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias, Activation act) {
        return wrap(inner.linear(un(x), un(w), un(bias), act));
    }

    @Override
    public void linearResidual(Tensor residual, Tensor x, Tensor w, Tensor bias, Tensor gate) {
        inner.linearResidual(un(residual), un(x), un(w), un(bias), un(gate));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, DType out) {
        return wrap(inner.layerNorm(un(x), un(weight), un(bias), eps, out));
    }

    @Override
    public Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, float eps, DType out) {
        return wrap(inner.layerNormModulate(un(x), un(shift), un(scale), eps, out));
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        return wrap(inner.rmsNorm(un(x), un(weight), eps));
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        return wrap(inner.rope(un(x), un(cos), un(sin)));
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) {
        AttentionSpec s = spec.bias() == null ? spec : spec.withBias(un(spec.bias()));
        return wrap(inner.attention(un(q), un(k), un(v), s));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return wrap(inner.add(un(a), un(b)));
    }

    @Override
    public void addInPlace(Tensor a, Tensor b) {
        inner.addInPlace(un(a), un(b));
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return wrap(inner.mul(un(a), un(b)));
    }

    @Override
    public Tensor activation(Tensor x, Activation act) {
        return wrap(inner.activation(un(x), act));
    }

    @Override
    public Tensor combine(float[] coeffs, Tensor... xs) {
        return wrap(inner.combine(coeffs, un(xs)));
    }

    @Override
    public void combineInto(Tensor out, float[] coeffs, Tensor... xs) {
        inner.combineInto(un(out), coeffs, un(xs));
    }

    @Override
    public Tensor resize(Tensor x, int outH, int outW, ResizeMode mode) {
        return wrap(inner.resize(un(x), outH, outW, mode));
    }

    @Override
    public Tensor conv3d(Tensor x, Tensor w, Tensor bias, int padFront, int padH, int padW) {
        return wrap(inner.conv3d(un(x), un(w), un(bias), padFront, padH, padW));
    }

    @Override
    public Tensor channelRmsNorm(Tensor x, Tensor gamma) {
        return wrap(inner.channelRmsNorm(un(x), un(gamma)));
    }

    @Override
    public Tensor clamp(Tensor x, float min, float max) {
        return wrap(inner.clamp(un(x), min, max));
    }

    @Override
    public Tensor narrow(Tensor x, int axis, int start, int length) {
        return wrap(inner.narrow(un(x), axis, start, length));
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    /** Closes nothing: the wrapped backend belongs to the caller. */
    @Override
    public void close() {
    }
}
