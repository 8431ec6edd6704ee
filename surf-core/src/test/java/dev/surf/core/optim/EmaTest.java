package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surf.core.Shape;
import dev.surf.core.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Ema} against the closed form of an average of a step function, and the swap round trip. */
class EmaTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @Test
    void followsTheClosedForm() {
        // Weights jump from s0 to p and stay: after k updates shadow = d^k s0 + (1 - d^k) p.
        float[] s0 = {1f, -2f, 0.5f};
        float[] p = {3f, 4f, -0.25f};
        double d = 0.9;
        try (ParameterSet ps = new ParameterSet()) {
            Parameter w = ps.add(Parameter.trainable("w", cpu.fromFloats(s0, Shape.of(3))));
            ps.add(Parameter.frozen("f", cpu.fromFloats(new float[] {7f}, Shape.of(1))));
            try (Ema ema = new Ema(ps, d)) {
                HostArrays.store(p, w.master());
                int k = 25;
                for (int i = 0; i < k; i++) {
                    ema.update();
                }
                float[] got = cpu.toFloats(ema.shadow("w"));
                for (int i = 0; i < 3; i++) {
                    double want = Math.pow(d, k) * s0[i] + (1 - Math.pow(d, k)) * p[i];
                    assertEquals(want, got[i], 1e-5, "shadow[" + i + "]");
                }
                assertThrows(IllegalArgumentException.class, () -> ema.shadow("f"), "frozen parameters have no average");
            }
        }
    }

    @Test
    void swapInExchangesAndRestoresBitForBit() {
        float[] trained = {1.1f, 2.2f};
        try (ParameterSet ps = new ParameterSet()) {
            Parameter w = ps.add(Parameter.trainable("w", cpu.fromFloats(new float[] {0f, 0f}, Shape.of(2))));
            try (Ema ema = new Ema(ps, 0.5)) {
                HostArrays.store(trained, w.master());
                ema.update(); // shadow = 0.5 * 0 + 0.5 * trained
                float[] avg = cpu.toFloats(ema.shadow("w"));
                assertArrayEquals(new float[] {0.55f, 1.1f}, avg);
                try (Ema.Swap swap = ema.swapIn()) {
                    assertArrayEquals(avg, cpu.toFloats(w.master()));
                    assertThrows(IllegalStateException.class, ema::update);
                    assertThrows(IllegalStateException.class, ema::swapIn);
                }
                assertArrayEquals(trained, cpu.toFloats(w.master()));
                assertArrayEquals(avg, cpu.toFloats(ema.shadow("w")));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Ema(new ParameterSet(), 1.0));
    }
}
