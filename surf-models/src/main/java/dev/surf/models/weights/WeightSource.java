package dev.surf.models.weights;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.io.IOException;

/**
 * Where a model's parameters come from: a checkpoint on disk or a seeded random initialisation.
 * Models ask for parameters by their official names with the shape they expect.
 */
public interface WeightSource extends AutoCloseable {

    /** True when the parameter exists. */
    boolean has(String name);

    /**
     * The parameter as a tensor on the backend, used as {@code use} (null keeps the stored dtype).
     * A missing parameter or a shape mismatch is an IOException naming the parameter, the expected
     * and the actual shape, and the source.
     */
    Tensor load(Backend be, String name, Shape expected, DType use) throws IOException;

    /** One line for logs: "checkpoint /path/model.safetensors (wan-official)", "random init, seed 7". */
    String describe();

    /** True for random weights (outputs are meaningless; the CLI says so loudly). */
    boolean isRandom();

    @Override
    void close();
}
