package dev.surf.models.weights;

import dev.surf.core.Backend;
import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic random parameters, for models without published weights (the Refiner) and for speed
 * work. Every parameter is drawn from the engine's Philox stream with the seed and an offset derived
 * from its name, so a value depends only on (seed, name), not on load order or device.
 *
 * <p>Initialisation keeps activations of order one through deep stacks: matrices (rank >= 2, not
 * modulation tables) N(0, 1/fan_in) with fan_in the product of all but the first dimension; norm
 * weights ("norm" in the name, rank 1) 1; everything else (biases, modulation tables) N(0, 0.02^2).
 */
public final class RandomWeights implements WeightSource {
    private final long seed;

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public boolean has(String name) {
        return true;
    }

    @Override
    public Tensor load(Backend be, String name, Shape expected, DType use) {
        DType dt = use == null ? DType.F32 : use;
        boolean matrix = expected.rank() >= 2 && !name.endsWith("modulation");
        Tensor t;
        if (name.contains("norm") && expected.rank() == 1) {
            float[] ones = new float[(int) expected.numel()];
            java.util.Arrays.fill(ones, 1f);
            t = be.fromFloats(ones, expected);
        } else {
            t = be.empty(DType.F32, expected);
            be.fillNormal(t, seed, offsetOf(name));
            double std = matrix ? 1.0 / Math.sqrt(expected.numel() / expected.dim(0)) : 0.02;
            be.combineInto(t, new float[] {(float) std}, t);
        }
        if (dt == DType.F32) {
            return t;
        }
        try (t) {
            return be.convert(t, dt);
        }
    }

    /** A 64-bit offset from the parameter name (FNV-1a), far apart for different names. */
    static long offsetOf(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public String describe() {
        return "random init, seed " + seed;
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public void close() {
    }
}
