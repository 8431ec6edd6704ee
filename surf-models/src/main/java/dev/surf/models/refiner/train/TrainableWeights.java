package dev.surf.models.refiner.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;

/**
 * A weight source whose every tensor is a fresh F32 copy that the model owns: a trainer writes its
 * updated weights into the model's tensors, which a mapped (read-only) or BF16 checkpoint cannot take.
 * Used to initialise the Refiner from any Wan DiT checkpoint with the same key names.
 */
public final class TrainableWeights implements WeightSource {
    private final WeightSource inner;

    public TrainableWeights(WeightSource inner) {
        this.inner = inner;
    }

    @Override
    public boolean has(String name) {
        return inner.has(name);
    }

    @Override
    public Tensor load(Backend be, String name, Shape expected, DType use) throws IOException {
        try (Tensor stored = inner.load(be, name, expected, DType.F32)) {
            return be.convert(stored, DType.F32);
        }
    }

    @Override
    public String describe() {
        return inner.describe() + ", as trainable F32 copies";
    }

    @Override
    public boolean isRandom() {
        return inner.isRandom();
    }

    @Override
    public void close() {
        inner.close();
    }
}
