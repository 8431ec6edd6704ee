package dev.surf.models.vae.train;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.models.weights.WeightSource;
import java.io.IOException;
import java.util.Map;

/** Test weights from host arrays by official name (a perturbed copy per finite-difference evaluation). */
final class FloatWeights implements WeightSource {
    private final Map<String, float[]> values;

    FloatWeights(Map<String, float[]> values) {
        this.values = values;
    }

    @Override
    public boolean has(String name) {
        return values.containsKey(name);
    }

    @Override
    public Tensor load(Backend be, String name, Shape expected, DType use) throws IOException {
        float[] v = values.get(name);
        if (v == null || v.length != expected.numel()) {
            throw new IOException("test weights: no " + name + " of shape " + expected);
        }
        return be.fromFloats(v, expected);
    }

    @Override
    public String describe() {
        return "test arrays";
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public void close() {
    }
}
