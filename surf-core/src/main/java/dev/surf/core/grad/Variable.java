package dev.surf.core.grad;

import dev.surf.core.Shape;
import dev.surf.core.Tensor;

/**
 * A tensor seen by a {@link Tape}: its value and, after {@link Tape#backward}, the gradient of the
 * loss with respect to it (F32, same shape). A variable that does not require a gradient (a frozen
 * parameter, an input, a constant, or anything computed only from those) never gets one, and no
 * backward work is done for it.
 */
public final class Variable {
    private final Tape tape;
    private final Tensor value;
    private final boolean requiresGrad;
    private Tensor grad;

    Variable(Tape tape, Tensor value, boolean requiresGrad) {
        this.tape = tape;
        this.value = value;
        this.requiresGrad = requiresGrad;
    }

    /** The forward value (owned by the tape for op results, by the caller for leaves). */
    public Tensor value() {
        return value;
    }

    public Shape shape() {
        return value.shape();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * d loss / d this after {@link Tape#backward}, F32 of this variable's shape, for a leaf (a
     * parameter or an input); null when it does not require a gradient, the loss does not depend on
     * it, or it is an op result (whose gradient backward frees once used). Owned by the tape: valid
     * until it closes.
     */
    public Tensor grad() {
        return grad;
    }

    /** The tape that made this variable; it owns the gradient. */
    Tape tape() {
        return tape;
    }

    void setGrad(Tensor g) {
        grad = g;
    }
}
