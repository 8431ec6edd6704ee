package dev.surf.models.weights;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters a model has loaded from its {@link WeightSource}, owned until {@link #close()}:
 * the one place that keeps them. Each model's subclass only says in which dtype each kind of
 * parameter is used.
 */
public class ModelWeights implements AutoCloseable {
    private final WeightSource source;
    private final Backend be;
    private final List<Tensor> loaded = new ArrayList<>();
    private final Map<String, Tensor> byName = new LinkedHashMap<>();

    protected ModelWeights(WeightSource source, Backend be) {
        this.source = source;
        this.be = be;
    }

    /** Where the parameters come from. */
    public WeightSource source() {
        return source;
    }

    /** The parameter on the backend as {@code use} (null keeps the stored dtype), kept until close. */
    protected final Tensor load(String official, Shape shape, DType use) throws IOException {
        Tensor t = source.load(be, official, shape, use);
        loaded.add(t);
        byName.put(official, t);
        return t;
    }

    /**
     * The dtype GEMM operands are loaded in: the stored one on an F32 backend (the CPU GEMM reads BF16
     * weights directly, so a BF16 file is not expanded), the activation type elsewhere.
     */
    protected final DType matmulType() {
        return be.activationType() == DType.F32 ? null : be.activationType();
    }

    /** Every loaded parameter under its official name, in load order (for training: one gradient each). */
    public final Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(byName);
    }

    /** Frees every loaded tensor (the source stays open: the model closes it). */
    @Override
    public void close() {
        for (Tensor t : loaded) {
            t.close();
        }
        loaded.clear();
        byName.clear();
    }
}
