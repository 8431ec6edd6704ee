package dev.surf.core.optim;

import dev.surf.core.DType;
import dev.surf.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gradient accumulation: a large batch split into micro-batches that fit in memory. After each
 * micro-batch's backward pass (whose gradients are the mean over that micro-batch),
 * {@link #add(double)} folds them in with a weight, normally the micro-batch's sample count;
 * {@link #finish()} then writes the weighted mean into the parameters' gradients, which equals the
 * gradient of the mean loss over the whole batch. Sums are F32 tensors on each parameter's backend.
 */
public final class GradAccumulator implements AutoCloseable {
    private final ParameterSet params;
    private final Map<String, Tensor> sums = new LinkedHashMap<>();
    private double totalWeight;
    private int microBatches;

    /** An empty accumulator for the trainable parameters of {@code params}. */
    public GradAccumulator(ParameterSet params) {
        this.params = params;
        for (Parameter p : params.trainable()) {
            sums.put(p.name(), p.backend().zeros(DType.F32, p.shape()));
        }
    }

    /** Adds {@code weight} times the current gradients (weight > 0, e.g. the micro-batch size). */
    public void add(double weight) {
        if (!(weight > 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("gradient accumulation: micro-batch weight must be finite and > 0, got " + weight);
        }
        float[] coeffs = {1f, (float) weight};
        for (Parameter p : params.trainable()) {
            Tensor s = sum(p.name());
            s.backend().combineInto(s, coeffs, s, p.grad());
        }
        totalWeight += weight;
        microBatches++;
    }

    /** Micro-batches added since the last {@link #finish()}. */
    public int microBatches() {
        return microBatches;
    }

    /**
     * Sets every gradient to the weighted mean of the added micro-batch gradients and starts a new
     * accumulation.
     */
    public void finish() {
        if (microBatches == 0) {
            throw new IllegalStateException("gradient accumulation: finish() before any micro-batch was added");
        }
        float[] mean = {(float) (1 / totalWeight)};
        for (Parameter p : params.trainable()) {
            Tensor s = sum(p.name());
            p.grad().backend().combineInto(p.grad(), mean, s);
            try (Tensor zero = s.backend().zeros(DType.F32, s.shape())) {
                s.backend().copy(zero, s);
            }
        }
        totalWeight = 0;
        microBatches = 0;
    }

    private Tensor sum(String name) {
        Tensor s = sums.get(name);
        if (s == null) {
            throw new IllegalArgumentException("gradient accumulation has no sum for '" + name
                    + "' (the parameter was added or unfrozen after the accumulator was made)");
        }
        return s;
    }

    /** Closes the sums. */
    @Override
    public void close() {
        for (Tensor s : sums.values()) {
            s.close();
        }
        sums.clear();
    }
}
