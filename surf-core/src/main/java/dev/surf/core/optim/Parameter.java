package dev.surf.core.optim;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * One named, learnable (or frozen) tensor of a model: the F32 master weights, and for a trainable
 * parameter a gradient tensor of the same shape that the backward pass fills.
 *
 * <p>The master copy is always F32 so that many small updates are not lost to rounding; the forward
 * pass may run in another precision (BF16 on CUDA) on a copy made by {@link #computeCopy}. A frozen
 * parameter keeps no gradient at all ({@link #grad()} is null), so a large frozen base model costs
 * no gradient memory. A parameter owns both tensors and closes them in {@link #close()}.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor master;
    private final Tensor grad;

    private Parameter(String name, Tensor master, boolean trainable) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("parameter name must not be empty");
        }
        if (master.dtype() != DType.F32) {
            throw new IllegalArgumentException("parameter '" + name + "': master weights must be F32, got "
                    + master.dtype() + " (convert once when loading; compute copies may be BF16)");
        }
        this.name = name;
        this.master = master;
        this.grad = trainable ? master.backend().zeros(DType.F32, master.shape()) : null;
    }

    /** A trainable parameter taking ownership of {@code master} (F32), with a zeroed gradient. */
    public static Parameter trainable(String name, Tensor master) {
        return new Parameter(name, master, true);
    }

    /** A frozen parameter taking ownership of {@code master} (F32); it keeps no gradient. */
    public static Parameter frozen(String name, Tensor master) {
        return new Parameter(name, master, false);
    }

    /** The name, e.g. {@code blocks.0.self_attn.q.weight}; checkpoints key tensors by it. */
    public String name() {
        return name;
    }

    /** The F32 master weights (updated in place by optimizers). */
    public Tensor master() {
        return master;
    }

    /** The F32 gradient accumulated by the backward pass, or null for a frozen parameter. */
    public Tensor grad() {
        return grad;
    }

    /** True when the parameter is trained (it has a gradient). */
    public boolean requiresGrad() {
        return grad != null;
    }

    /** The master's shape. */
    public Shape shape() {
        return master.shape();
    }

    /** The backend holding the master weights. */
    public Backend backend() {
        return master.backend();
    }

    /** Sets the gradient to zero (a no-op for a frozen parameter). */
    public void zeroGrad() {
        if (grad != null) {
            // A copy of zeros rather than 0 * grad: 0 * NaN or 0 * Inf left by an overflowing step stays NaN.
            try (Tensor zero = grad.backend().zeros(DType.F32, grad.shape())) {
                grad.backend().copy(zero, grad);
            }
        }
    }

    /**
     * A new tensor holding the master weights converted to {@code dtype} for the forward pass (e.g.
     * {@link Backend#activationType()}: BF16 on CUDA); the caller owns and closes it.
     */
    public Tensor computeCopy(DType dtype) {
        return master.backend().convert(master, dtype);
    }

    /** Closes the master and the gradient. */
    @Override
    public void close() {
        master.close();
        if (grad != null) {
            grad.close();
        }
    }

    @Override
    public String toString() {
        return name + (grad == null ? " (frozen) " : " ") + master.shape();
    }
}
