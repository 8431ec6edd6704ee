package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads encoder parameters by official name: the matrices (and the token table) in the backend's
 * activation type, so a BF16 checkpoint stays BF16 on the GPU and is not expanded on the CPU (the
 * CPU GEMM reads BF16 weights directly); norm weights in F32; position-bias tables to the host.
 * Owns what it loaded.
 */
final class T5Weights implements AutoCloseable {
    private final WeightSource source;
    private final Backend be;
    private final List<Tensor> loaded = new ArrayList<>();

    T5Weights(WeightSource source, Backend be) {
        this.source = source;
        this.be = be;
    }

    WeightSource source() {
        return source;
    }

    /** A GEMM operand or the token table: the stored dtype on the CPU, the activation dtype elsewhere. */
    Tensor matrix(String official, Shape shape) throws IOException {
        return keep(source.load(be, official, shape, be.activationType() == DType.F32 ? null : be.activationType()));
    }

    /** A norm weight, F32. */
    Tensor vector(String official, int size) throws IOException {
        return keep(source.load(be, official, Shape.of(size), DType.F32));
    }

    /** A small F32 table on the device (the relative position embedding [buckets, heads]). */
    Tensor table(String official, Shape shape) throws IOException {
        return keep(source.load(be, official, shape, DType.F32));
    }

    private Tensor keep(Tensor t) {
        loaded.add(t);
        return t;
    }

    @Override
    public void close() {
        for (Tensor t : loaded) {
            t.close();
        }
        loaded.clear();
    }
}
