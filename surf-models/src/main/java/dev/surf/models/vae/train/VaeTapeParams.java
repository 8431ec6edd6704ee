package dev.surf.models.vae.train;

import dev.surf.core.Tensor;
import dev.surf.core.grad.Tape;
import dev.surf.core.grad.Variable;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The Wan-VAE's parameter tensors (official names) as variables of one tape: each name becomes one
 * leaf the first time a module reads it, a {@link Tape#parameter} when trainable, else a
 * {@link Tape#constant}. After {@link Tape#backward} the gradients are read back by name.
 */
public final class VaeTapeParams {
    private final Tape tape;
    private final Map<String, Tensor> values;
    private final Predicate<String> trainable;
    private final Map<String, Variable> vars = new HashMap<>();

    /** Leaves of {@code tape} over {@code values} (kept owned by the caller). */
    public VaeTapeParams(Tape tape, Map<String, Tensor> values, Predicate<String> trainable) {
        this.tape = tape;
        this.values = values;
        this.trainable = trainable;
    }

    /** The tape the variables belong to. */
    public Tape tape() {
        return tape;
    }

    /** The variable of an official parameter name. */
    public Variable get(String name) {
        Variable v = vars.get(name);
        if (v == null) {
            Tensor t = values.get(name);
            if (t == null) {
                throw new IllegalArgumentException("Wan-VAE training forward: no parameter '" + name + "' (the set holds "
                        + values.size() + ")");
            }
            v = trainable.test(name) ? tape.parameter(t) : tape.constant(t);
            vars.put(name, v);
        }
        return v;
    }

    /**
     * d loss / d parameter for every trainable parameter the pass read, by name (sorted); a trainable
     * parameter the loss does not reach is absent. Owned by the tape.
     */
    public Map<String, Tensor> gradients() {
        Map<String, Tensor> g = new TreeMap<>();
        for (Map.Entry<String, Variable> e : vars.entrySet()) {
            if (e.getValue().grad() != null) {
                g.put(e.getKey(), e.getValue().grad());
            }
        }
        return g;
    }
}
