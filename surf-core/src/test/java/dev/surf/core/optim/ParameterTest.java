package dev.surf.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surf.core.DType;
import dev.surf.core.Shape;
import dev.surf.core.Tensor;
import dev.surf.core.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Parameter} and {@link ParameterSet}: F32 masters, frozen means no gradient, name order, BF16 compute copies. */
class ParameterTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(1);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    /** Round-to-nearest-even of an F32 to BF16 and back, by bit arithmetic (finite inputs). */
    private static float viaBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
        return Float.intBitsToFloat(rounded << 16);
    }

    @Test
    void trainableHasAZeroGradientFrozenHasNone() {
        try (ParameterSet ps = new ParameterSet()) {
            Parameter t = ps.add(Parameter.trainable("z.w", cpu.fromFloats(new float[] {1, 2, 3}, Shape.of(3))));
            Parameter f = ps.add(Parameter.frozen("a.w", cpu.fromFloats(new float[] {4}, Shape.of(1))));
            ps.add(Parameter.trainable("m.w", cpu.fromFloats(new float[] {5}, Shape.of(1))));
            assertArrayEquals(new float[3], cpu.toFloats(t.grad()));
            assertTrue(t.requiresGrad());
            assertNull(f.grad());
            assertEquals(List.of("a.w", "m.w", "z.w"), ps.all().stream().map(Parameter::name).toList(), "name order");
            assertEquals(List.of("m.w", "z.w"), ps.trainable().stream().map(Parameter::name).toList());
            assertEquals(4, ps.trainableElements());
            // zeroGrad must clear NaN and Inf too (0 * NaN would not).
            HostArrays.store(new float[] {Float.NaN, Float.POSITIVE_INFINITY, -7}, t.grad());
            ps.zeroGrad();
            assertArrayEquals(new float[3], cpu.toFloats(t.grad()));
            assertThrows(IllegalArgumentException.class,
                    () -> ps.add(Parameter.frozen("a.w", cpu.zeros(DType.F32, Shape.of(1)))));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ps.get("nope"));
            assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        }
    }

    @Test
    void mastersMustBeF32AndComputeCopiesRoundToNearestEven() {
        try (Tensor bf = cpu.zeros(DType.BF16, Shape.of(2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parameter.trainable("w", bf));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("F32"), e.getMessage());
        }
        float[] w = {1.00390625f, 1.01171875f, -3.1415927f, 1e-3f, 65504.7f, 1.0f + 0x1.0p-8f};
        try (Parameter p = Parameter.trainable("w", cpu.fromFloats(w, Shape.of(w.length)));
             Tensor c = p.computeCopy(DType.BF16)) {
            assertEquals(DType.BF16, c.dtype());
            float[] got = cpu.toFloats(c);
            for (int i = 0; i < w.length; i++) {
                assertEquals(viaBf16(w[i]), got[i], "element " + i + " = " + w[i]);
            }
            assertArrayEquals(w, cpu.toFloats(p.master()), "the master keeps full precision");
        }
    }
}
