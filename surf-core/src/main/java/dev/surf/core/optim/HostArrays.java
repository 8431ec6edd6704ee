package dev.surf.core.optim;

import dev.surf.core.Tensor;

/**
 * Moves F32 tensor contents to and from host arrays, for the updates that the {@link dev.surf.core.Backend}
 * op set cannot express (square roots and divisions of AdamW). One place, so that a device kernel can
 * later replace the round trip without touching the optimizers' arithmetic.
 */
final class HostArrays {
    private HostArrays() {
    }

    /** All elements of t as floats. */
    static float[] load(Tensor t) {
        return t.backend().toFloats(t);
    }

    /** Overwrites dst (F32) with data (length must equal dst's element count). */
    static void store(float[] data, Tensor dst) {
        try (Tensor src = dst.backend().fromFloats(data, dst.shape())) {
            dst.backend().copy(src, dst);
        }
    }
}
