package dev.surf.core.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * The parameters of a model, ordered by name so that every traversal (optimizer updates, gradient
 * norms, checkpoint keys) happens in the same order in every run and on every machine. Owns its
 * parameters: {@link #close()} closes them all.
 */
public final class ParameterSet implements Iterable<Parameter>, AutoCloseable {
    private final TreeMap<String, Parameter> byName = new TreeMap<>();

    /** Adds a parameter; its name must be new. Returns it, for chaining at model construction. */
    public Parameter add(Parameter p) {
        if (byName.putIfAbsent(p.name(), p) != null) {
            throw new IllegalArgumentException("parameter '" + p.name() + "' is already in the set");
        }
        return p;
    }

    /** The parameter of that name. */
    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' (the set has " + byName.size() + ")");
        }
        return p;
    }

    /** True when a parameter of that name exists. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** Number of parameters, frozen ones included. */
    public int size() {
        return byName.size();
    }

    /** All parameters in name order. */
    public List<Parameter> all() {
        return List.copyOf(byName.values());
    }

    /** The trainable parameters (those with a gradient) in name order. */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : byName.values()) {
            if (p.requiresGrad()) {
                out.add(p);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Total element count of the trainable parameters. */
    public long trainableElements() {
        long n = 0;
        for (Parameter p : trainable()) {
            n += p.shape().numel();
        }
        return n;
    }

    /** Zeroes every gradient. */
    public void zeroGrad() {
        for (Parameter p : byName.values()) {
            p.zeroGrad();
        }
    }

    @Override
    public Iterator<Parameter> iterator() {
        return all().iterator();
    }

    /** Closes every parameter. */
    @Override
    public void close() {
        for (Parameter p : byName.values()) {
            p.close();
        }
        byName.clear();
    }
}
