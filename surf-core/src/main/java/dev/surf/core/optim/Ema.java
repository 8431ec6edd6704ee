package dev.surf.core.optim;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of the trainable weights, {@code shadow = decay shadow + (1 - decay)
 * weights} after every optimizer step, which usually evaluates better than the raw weights. The
 * shadow starts as a copy of the weights; frozen parameters have none (they never change).
 * {@link #swapIn()} puts the averaged weights into the model for evaluation and back afterwards.
 */
public final class Ema implements AutoCloseable {
    private final ParameterSet params;
    private final double decay;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();
    private boolean swapped;

    /** An average with the given decay in [0, 1), starting from the current weights of {@code params}. */
    public Ema(ParameterSet params, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must lie in [0, 1), got " + decay);
        }
        this.params = params;
        this.decay = decay;
        for (Parameter p : params.trainable()) {
            Tensor s = p.backend().empty(DType.F32, p.shape());
            p.backend().copy(p.master(), s);
            shadow.put(p.name(), s);
        }
    }

    /** The decay. */
    public double decay() {
        return decay;
    }

    /** The averaged weights of a trainable parameter. */
    public Tensor shadow(String name) {
        Tensor s = shadow.get(name);
        if (s == null) {
            throw new IllegalArgumentException("EMA has no average of '" + name + "' (unknown or frozen parameter)");
        }
        return s;
    }

    /** True while {@link #swapIn()}'s averaged weights sit in the model. */
    public boolean isSwappedIn() {
        return swapped;
    }

    /** Folds the current weights into the average; call after each optimizer step. */
    public void update() {
        if (swapped) {
            throw new IllegalStateException("EMA update while the averaged weights are swapped in; close the swap first");
        }
        float[] coeffs = {(float) decay, (float) (1 - decay)};
        for (Parameter p : params.trainable()) {
            Tensor s = shadow(p.name());
            s.backend().combineInto(s, coeffs, s, p.master());
        }
    }

    /**
     * Exchanges the averaged and the current weights until the returned handle is closed, e.g.
     * {@code try (var eval = ema.swapIn()) { validate(model); }}. Both are restored bit for bit.
     */
    public Swap swapIn() {
        if (swapped) {
            throw new IllegalStateException("EMA weights are already swapped in");
        }
        exchange();
        swapped = true;
        return new Swap() {
            private boolean open = true;

            @Override
            public void close() {
                if (open) {
                    open = false;
                    exchange();
                    swapped = false;
                }
            }
        };
    }

    /** The handle of {@link #swapIn()}: closing it puts the trained weights back. */
    public interface Swap extends AutoCloseable {
        @Override
        void close();
    }

    private void exchange() {
        for (Parameter p : params.trainable()) {
            Tensor s = shadow(p.name());
            try (Tensor tmp = p.backend().empty(DType.F32, p.shape())) {
                p.backend().copy(p.master(), tmp);
                p.backend().copy(s, p.master());
                p.backend().copy(tmp, s);
            }
        }
    }

    /** Closes the averaged tensors. */
    @Override
    public void close() {
        for (Tensor s : shadow.values()) {
            s.close();
        }
        shadow.clear();
    }
}
