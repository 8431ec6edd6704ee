package dev.surf.models.t5;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.ModelWeights;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;

/**
 * Loads encoder parameters by official name: the matrices (and the token table) in the backend's
 * activation type, so a BF16 checkpoint stays BF16 on the GPU and is not expanded on the CPU (the
 * CPU GEMM reads BF16 weights directly); norm weights in F32; position-bias tables to the host.
 * Owns what it loaded.
 */
final class T5Weights extends ModelWeights {
    T5Weights(WeightSource source, Backend be) {
        super(source, be);
    }

    /** A GEMM operand or the token table: the stored dtype on the CPU, the activation dtype elsewhere. */
    Tensor matrix(String official, Shape shape) throws IOException {
        return load(official, shape, matmulType());
    }

    /** A norm weight, F32. */
    Tensor vector(String official, int size) throws IOException {
        return load(official, Shape.of(size), DType.F32);
    }

    /** A small F32 table on the device (the relative position embedding [buckets, heads]). */
    Tensor table(String official, Shape shape) throws IOException {
        return load(official, shape, DType.F32);
    }
}
