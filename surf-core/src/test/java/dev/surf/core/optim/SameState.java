package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Bitwise comparison of two training states: weights, AdamW moments and EMA of every trainable parameter. */
final class SameState {
    private SameState() {
    }

    static void assertSame(ParameterSet wantParams, AdamW wantAdam, Ema wantEma,
            ParameterSet gotParams, AdamW gotAdam, Ema gotEma) {
        for (Parameter p : wantParams.trainable()) {
            String n = p.name();
            assertArrayEquals(floats(p.master()), floats(gotParams.get(n).master()), "weights " + n);
            assertArrayEquals(floats(wantAdam.firstMoment(n)), floats(gotAdam.firstMoment(n)), "m " + n);
            assertArrayEquals(floats(wantAdam.secondMoment(n)), floats(gotAdam.secondMoment(n)), "v " + n);
            assertArrayEquals(floats(wantEma.shadow(n)), floats(gotEma.shadow(n)), "ema " + n);
        }
    }

    private static float[] floats(dev.surf.core.Tensor t) {
        return HostArrays.load(t);
    }
}
